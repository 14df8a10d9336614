package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/agentpulse/agentpulse/auth"
)

const tokenTestSecret = "token-test-secret-of-32-bytes!!!"

func mintCmd(t *testing.T, args ...string) (string, error) {
	t.Helper()
	var out bytes.Buffer
	err := runToken(context.Background(), args, &out)
	return strings.TrimSpace(out.String()), err
}

func TestTokenMintsAVerifiableToken(t *testing.T) {
	tok, err := mintCmd(t, "--tenant", "acme", "--sub", "lead1", "--role", "supervisor", "--teams", "t1, t2", "--ttl", "2h",
		"--auth-secret", tokenTestSecret)
	if err != nil {
		t.Fatal(err)
	}
	c, err := auth.Verifier{Secret: []byte(tokenTestSecret)}.Verify(tok)
	if err != nil {
		t.Fatal(err)
	}
	if c.ExpiresAt.Sub(c.IssuedAt) != 2*time.Hour {
		t.Errorf("lifetime %s, want 2h", c.ExpiresAt.Sub(c.IssuedAt))
	}
	c.IssuedAt, c.ExpiresAt = time.Time{}, time.Time{}
	want := auth.Claims{Tenant: "acme", Subject: "lead1", Role: auth.RoleSupervisor, Teams: []string{"t1", "t2"}}
	if !reflect.DeepEqual(c, want) {
		t.Fatalf("claims %+v, want %+v", c, want)
	}
}

func TestTokenUsesTheSecretKeptInTheDataDir(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	t.Setenv("AGENTPULSE_DATA_DIR", dir)
	t.Setenv("AGENTPULSE_TENANT", "acme")
	tok, err := mintCmd(t, "--sub", "a1", "--role", "agent")
	if err != nil {
		t.Fatal(err)
	}
	secret, err := auth.LoadOrCreateSecret(dir)
	if err != nil {
		t.Fatal(err)
	}
	c, err := auth.Verifier{Secret: secret}.Verify(tok)
	if err != nil || c.Tenant != "acme" || c.Role != auth.RoleAgent {
		t.Fatalf("Verify = %+v, %v", c, err)
	}
	if st, err := os.Stat(filepath.Join(dir, auth.SecretFile)); err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("secret file: %v, %v", st, err)
	}
}

func TestTokenErrorsNameTheFlag(t *testing.T) {
	base := []string{"--auth-secret", tokenTestSecret}
	cases := []struct {
		args []string
		flag string
	}{
		{[]string{"--sub", "a1", "--role", "agent"}, "--tenant"},
		{[]string{"--tenant", "acme", "--role", "agent"}, "--sub"},
		{[]string{"--tenant", "acme", "--sub", "a1"}, "--role"},
		{[]string{"--tenant", "acme", "--sub", "a1", "--role", "boss"}, "--role"},
		{[]string{"--tenant", "ac me", "--sub", "a1", "--role", "agent"}, "--tenant"},
		{[]string{"--tenant", "acme", "--sub", "a1", "--role", "agent", "--teams", "t1"}, "--teams"},
		{[]string{"--tenant", "acme", "--sub", "s1", "--role", "supervisor"}, "--teams"},
		{[]string{"--tenant", "acme", "--sub", "s1", "--role", "supervisor", "--teams", "t 1"}, "--teams"},
		{[]string{"--tenant", "acme", "--sub", "a1", "--role", "agent", "--ttl", "0s"}, "--ttl"},
		{[]string{"--tenant", "acme", "--sub", "a1", "--role", "agent", "--auth-secret", "short"}, "--auth-secret"},
		{[]string{"--tenant", "acme", "--sub", "a1", "--role", "agent", "extra"}, "extra"},
	}
	for _, tc := range cases {
		_, err := mintCmd(t, append(append([]string{}, base...), tc.args...)...)
		if err == nil || !strings.Contains(err.Error(), tc.flag) || exitCode(err) != 2 {
			t.Errorf("%v: err = %v (exit %d), want a usage error naming %s", tc.args, err, exitCode(err), tc.flag)
		}
	}
}

func TestTokenHelp(t *testing.T) {
	var out bytes.Buffer
	err := runToken(context.Background(), []string{"-h"}, &out)
	if !errors.Is(err, flag.ErrHelp) || !strings.Contains(out.String(), "-tenant") {
		t.Fatalf("-h: %v\n%s", err, out.String())
	}
}
