package main

import (
	"flag"
	"fmt"
	"net/netip"

	"github.com/agentpulse/agentpulse/server/httpmw"
)

// apiFlags are the admission limits of the client-facing API (read API,
// plans, websocket upgrade), shared by `all` and `serve`.
type apiFlags struct {
	rate    int
	maxBody int64
	oidc    string
	proxies string
	trusted []netip.Prefix // parsed by validate
	// retention: --retention-days and --retention-interval (retentionflags.go).
	retention retentionFlags
}

func (f *apiFlags) register(fs *flag.FlagSet) {
	fs.IntVar(&f.rate, "api-rate", httpmw.DefaultRatePerSecond, "API requests per second one caller (token, else IP address) may make; more are answered 429 (negative: no limit)")
	fs.StringVar(&f.oidc, "oidc-config", "", "JSON file of each tenant's OpenID Connect provider for single sign-on (issuer, client id and secret, groups to roles and teams; see auth/oidc); empty: tokens only")
	fs.StringVar(&f.proxies, "trusted-proxies", "", "reverse proxies (addresses or CIDR prefixes, comma-separated) whose X-Forwarded-For names the client for the API rate limit; empty: the connection's peer")
	fs.Int64Var(&f.maxBody, "api-max-body-bytes", httpmw.DefaultMaxBodyBytes, "largest API request body in bytes (plans, catalogue); a larger one is refused with 413")
	f.retention.register(fs)
}

func (f *apiFlags) validate() error {
	if err := f.retention.validate(); err != nil {
		return err
	}
	if f.rate == 0 {
		return &usageError{"--api-rate: must not be 0 (negative turns the limit off)"}
	}
	if f.maxBody < 1 {
		return &usageError{fmt.Sprintf("--api-max-body-bytes: must be at least 1, got %d", f.maxBody)}
	}
	trusted, err := httpmw.ParseProxies(f.proxies)
	if err != nil {
		return &usageError{"--trusted-proxies: " + err.Error()}
	}
	f.trusted = trusted
	return nil
}
