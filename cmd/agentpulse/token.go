package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"time"

	"github.com/agentpulse/agentpulse/auth"
)

// runToken prints a JWT signed with the product's secret: --auth-secret,
// or the secret generated once and kept in --data-dir (created on first
// use, so a token minted before the first start stays valid).
func runToken(_ context.Context, args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("token", flag.ContinueOnError)
	fs.SetOutput(stdout)
	tenant := fs.String("tenant", "", "tenant the token is scoped to (required)")
	sub := fs.String("sub", "", "subject: the agent id for role agent, otherwise a user or client id (required)")
	role := fs.String("role", "", "agent, supervisor, admin or ingest (required)")
	teams := fs.String("teams", "", "comma-separated teams a supervisor leads (required for role supervisor only)")
	ttl := fs.Duration("ttl", 720*time.Hour, "lifetime of the token")
	secret := fs.String("auth-secret", "", "HS256 signing secret, at least 32 bytes (empty: the one generated once and kept in --data-dir)")
	dataDir := fs.String("data-dir", "./data", "directory holding the generated auth secret")
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "Usage: agentpulse token --tenant T --sub S --role R [--teams a,b] [--ttl 720h]")
		fmt.Fprintln(fs.Output(), "\nPrints a bearer token (JWT, HS256) signed with the same secret as the servers.")
		fmt.Fprintln(fs.Output(), "\nFlags:")
		fs.PrintDefaults()
	}
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return &usageError{fmt.Sprintf("token: unexpected argument %q (every setting is a flag)", fs.Arg(0))}
	}
	c := auth.Claims{Tenant: *tenant, Subject: *sub, Role: auth.Role(*role), Teams: splitList(*teams)}
	if err := checkTokenFlags(c, *ttl); err != nil {
		return err
	}
	key, err := auth.ResolveSecret(*secret, *dataDir)
	if err != nil {
		if errors.Is(err, auth.ErrWeakSecret) && *secret != "" {
			return &usageError{err.Error()}
		}
		return fmt.Errorf("token: %w", err)
	}
	tok, err := auth.Mint(key, c, *ttl)
	if err != nil {
		return fmt.Errorf("token: %w", err)
	}
	_, err = fmt.Fprintln(stdout, tok)
	return err
}

// claimFlags maps a claim to the flag that sets it.
var claimFlags = map[string]string{"tenant": "--tenant", "sub": "--sub", "role": "--role", "teams": "--teams"}

// checkTokenFlags refuses, naming the flag, what Mint would refuse, and a
// supervisor without teams (they would see nothing).
func checkTokenFlags(c auth.Claims, ttl time.Duration) error {
	if err := c.Validate(); err != nil {
		var ce *auth.ClaimError
		if errors.As(err, &ce) && errors.Is(err, auth.ErrMissingClaim) {
			return &usageError{claimFlags[ce.Claim] + ": required"}
		}
		if errors.As(err, &ce) {
			return &usageError{claimFlags[ce.Claim] + ": " + ce.Err.Error() + ": " + ce.Detail}
		}
		return &usageError{err.Error()}
	}
	switch {
	case c.Role == auth.RoleSupervisor && len(c.Teams) == 0:
		return &usageError{"--teams: a supervisor needs at least one team (comma-separated)"}
	case c.Role != auth.RoleSupervisor && len(c.Teams) > 0:
		return &usageError{fmt.Sprintf("--teams: only a supervisor leads teams, the role is %s", c.Role)}
	case ttl <= 0:
		return &usageError{fmt.Sprintf("--ttl: must be positive, got %s", ttl)}
	}
	return nil
}
