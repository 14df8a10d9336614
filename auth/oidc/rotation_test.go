package oidc_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/agentpulse/agentpulse/auth"
	"github.com/agentpulse/agentpulse/auth/oidc"
	"github.com/agentpulse/agentpulse/auth/oidc/oidctest"
)

// kid returns the kid of a JWT's header.
func kid(t *testing.T, tok string) string {
	t.Helper()
	b, err := base64.RawURLEncoding.DecodeString(strings.Split(tok, ".")[0])
	if err != nil {
		t.Fatal(err)
	}
	var h struct{ Kid string }
	if err := json.Unmarshal(b, &h); err != nil {
		t.Fatal(err)
	}
	return h.Kid
}

// TestSigningKeyRotation: the identity provider rotates its signing key
// while the server runs. Access tokens signed with the new key (an
// unknown kid: the server fetches the provider's keys again) and sign-ins
// (ID tokens with the new kid) are admitted at once, tokens of the old
// key keep working while the provider still publishes it (the overlap),
// and once it retires the old key a server that fetches the keys refuses
// them, with no restart and no configuration change.
func TestSigningKeyRotation(t *testing.T) {
	a, acme, _ := startApp(t, time.Minute)
	redirect := a.srv.URL + oidc.PathCallback
	v := oidc.Verifier{OIDC: a.oidc, Next: auth.Verifier{Secret: secret}}
	before := oidctest.AccessToken(t, acme, "agentpulse-acme", "acme-secret", redirect, "agent-0001", "pw-agent")
	if c, err := v.Verify(before); err != nil || c.Role != auth.RoleAgent {
		t.Fatalf("access token before the rotation: %+v %v", c, err)
	}

	newKid := acme.RotateKey(t)
	after := oidctest.AccessToken(t, acme, "agentpulse-acme", "acme-secret", redirect, "boss", "pw-admin")
	if got := kid(t, after); got != newKid || got == kid(t, before) {
		t.Fatalf("the new token's kid %q, want %q (the old one was %q)", got, newKid, kid(t, before))
	}
	if c, err := v.Verify(after); err != nil || c.Role != auth.RoleAdmin || c.Tenant != "acme" {
		t.Fatalf("access token of the new key: %+v %v", c, err)
	}
	if _, err := v.Verify(before); err != nil {
		t.Fatalf("access token of the old key during the overlap: %v", err)
	}
	// A browser sign-in: the ID token carries the new kid.
	cl := browser(t)
	if code, body := signIn(t, cl, a, "acme", acme, "sup-1", "pw-sup"); code != 200 || body != "dashboard" {
		t.Fatalf("sign-in after the rotation: %d %q", code, body)
	}
	if code, c := whoami(t, cl, a, ""); code != 200 || c.Role != auth.RoleSupervisor {
		t.Fatalf("session after the rotation: %d %+v", code, c)
	}

	acme.RetireOldKeys()
	// A server that reads the provider's keys now (a new process, or the
	// running one after its next unknown kid) refuses the old key's token.
	fresh, err := oidc.New(context.Background(), oidc.Config{PublicURL: a.srv.URL, Tenants: []oidc.TenantConfig{
		{Tenant: "acme", Issuer: acme.URL, ClientID: "agentpulse-acme", ClientSecret: "acme-secret", Roles: roles()}}}, secret, nil)
	if err != nil {
		t.Fatal(err)
	}
	fv := oidc.Verifier{OIDC: fresh, Next: auth.Verifier{Secret: secret}}
	if c, err := fv.Verify(before); err == nil {
		t.Fatalf("a token of the retired key was admitted as %+v", c)
	}
	if _, err := fv.Verify(after); err != nil {
		t.Fatalf("a token of the current key: %v", err)
	}
	// A third key: the running server learns it (unknown kid), and with
	// that fetch forgets the retired one.
	acme.RotateKey(t)
	acme.RetireOldKeys()
	third := oidctest.AccessToken(t, acme, "agentpulse-acme", "acme-secret", redirect, "agent-0001", "pw-agent")
	if _, err := v.Verify(third); err != nil {
		t.Fatalf("token of the third key on the running server: %v", err)
	}
	if c, err := v.Verify(before); err == nil {
		t.Fatalf("the running server still admits the first (retired) key's token after refetching the keys: %+v", c)
	}
}

// TestAdmitsRosteredPeople: a user whose groups map to no role is refused
// (403) unless Config.Admits admits them (the tenant's roster alone
// decides, auth/roster ModeRoster): then they sign in, with role agent
// until the roster's verifier applies its role; their IdP access token is
// admitted the same way.
func TestAdmitsRosteredPeople(t *testing.T) {
	var listed atomic.Bool
	a, acme, _ := startApp(t, time.Minute, func(c *oidc.Config) {
		c.Admits = func(tenant, sub string) bool { return listed.Load() && tenant == "acme" && sub == "nobody" }
	})
	if code, _ := signIn(t, browser(t), a, "acme", acme, "nobody", "pw-none"); code != 403 {
		t.Fatalf("an unlisted user without a role: %d, want 403", code)
	}
	listed.Store(true)
	cl := browser(t)
	if code, body := signIn(t, cl, a, "acme", acme, "nobody", "pw-none"); code != 200 || body != "dashboard" {
		t.Fatalf("a listed user: %d %q", code, body)
	}
	if code, c := whoami(t, cl, a, ""); code != 200 || c.Subject != "nobody" || c.Role != auth.RoleAgent || c.Tenant != "acme" {
		t.Fatalf("the listed user's session: %d %+v", code, c)
	}
	tok := oidctest.AccessToken(t, acme, "agentpulse-acme", "acme-secret", a.srv.URL+oidc.PathCallback, "nobody", "pw-none")
	v := oidc.Verifier{OIDC: a.oidc, Next: auth.Verifier{Secret: secret}}
	if c, err := v.Verify(tok); err != nil || c.Role != auth.RoleAgent {
		t.Fatalf("the listed user's access token: %+v %v", c, err)
	}
	listed.Store(false)
	if _, err := v.Verify(tok); !errors.Is(err, oidc.ErrNoRole) {
		t.Fatalf("after the removal: %v, want ErrNoRole", err)
	}
}

// TestRetiredKeyStopsVerifying: once the identity provider retires a
// signing key, a running server refuses tokens signed with it within
// Config.KeyMaxAge (it fetches the keys again on that schedule), though no
// token with an unknown kid came by, while tokens of the current key keep
// verifying throughout.
func TestRetiredKeyStopsVerifying(t *testing.T) {
	const maxAge = 400 * time.Millisecond
	a, acme, _ := startApp(t, time.Minute, func(c *oidc.Config) { c.KeyMaxAge = maxAge })
	redirect := a.srv.URL + oidc.PathCallback
	v := oidc.Verifier{OIDC: a.oidc, Next: auth.Verifier{Secret: secret}}
	acme.RotateKey(t)
	old := oidctest.AccessToken(t, acme, "agentpulse-acme", "acme-secret", redirect, "agent-0001", "pw-agent")
	if _, err := v.Verify(old); err != nil {
		t.Fatalf("token of the first key: %v", err)
	}
	// Rotate: the second key signs from now on, the first is still
	// published (overlap), then retired. No token of an unknown kid is
	// presented: the second key's token comes before the retirement.
	acme.RotateKey(t)
	current := oidctest.AccessToken(t, acme, "agentpulse-acme", "acme-secret", redirect, "boss", "pw-admin")
	if _, err := v.Verify(current); err != nil {
		t.Fatalf("token of the second key: %v", err)
	}
	retired := time.Now()
	acme.RetireOldKeys()
	deadline := retired.Add(maxAge + 5*time.Second)
	for {
		_, err := v.Verify(old)
		if err != nil {
			if !errors.Is(err, auth.ErrSignature) {
				t.Fatalf("retired key's token refused with %v, want ErrSignature", err)
			}
			took := time.Since(retired)
			t.Logf("the retired key's token was refused %s after the retirement (KeyMaxAge %s)", took, maxAge)
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the retired key's token still verifies %s after the retirement (KeyMaxAge %s)", time.Since(retired), maxAge)
		}
		if _, err := v.Verify(current); err != nil {
			t.Fatalf("token of the current key during the refresh: %v", err)
		}
		time.Sleep(20 * time.Millisecond)
	}
	if _, err := v.Verify(current); err != nil {
		t.Fatalf("token of the current key after the refresh: %v", err)
	}
}
