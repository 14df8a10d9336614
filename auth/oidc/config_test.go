package oidc_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/agentpulse/agentpulse/auth/oidc"
)

const goodConfig = `{"public_url": "https://pulse.example.com", "tenants": [
 {"tenant": "acme", "issuer": "https://idp.example.com", "client_id": "a", "client_secret": "s", "roles": {"g": "agent"}}]}`

// TestParseConfig: each broken rule is refused naming the tenant and field.
func TestParseConfig(t *testing.T) {
	if _, err := oidc.ParseConfig([]byte(goodConfig)); err != nil {
		t.Fatal(err)
	}
	for name, tc := range map[string]struct{ json, want string }{
		"public url":    {`{"public_url": "pulse", "tenants": []}`, "public_url"},
		"unknown field": {`{"public_url": "https://x", "tenantz": []}`, "tenantz"},
		"tenant id":     {strings.Replace(goodConfig, `"acme"`, `"a b"`, 1), "tenants[0].tenant"},
		"issuer":        {strings.Replace(goodConfig, `"https://idp.example.com"`, `"idp"`, 1), "tenants[0].issuer"},
		"client id":     {strings.Replace(goodConfig, `"client_id": "a"`, `"client_id": ""`, 1), "tenants[0].client_id"},
		"no roles":      {strings.Replace(goodConfig, `{"g": "agent"}`, `{}`, 1), "tenants[0].roles"},
		"ingest role":   {strings.Replace(goodConfig, `"agent"}`, `"ingest"}`, 1), `tenants[0].roles["g"]`},
		"twice": {`{"public_url": "https://x", "tenants": [
			{"tenant": "acme", "issuer": "https://i", "client_id": "a", "roles": {"g": "agent"}},
			{"tenant": "acme", "issuer": "https://j", "client_id": "b", "roles": {"g": "agent"}}]}`, "tenants[1].tenant"},
		"same issuer and audience": {`{"public_url": "https://x", "tenants": [
			{"tenant": "acme", "issuer": "https://i", "client_id": "a", "roles": {"g": "agent"}},
			{"tenant": "initech", "issuer": "https://i", "client_id": "a", "roles": {"g": "agent"}}]}`, "tenants[1]"},
	} {
		if _, err := oidc.ParseConfig([]byte(tc.json)); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v, want an error naming %s", name, err, tc.want)
		}
	}
}

// FuzzParseConfig: no input makes ParseConfig panic, and what it accepts
// is accepted again after a round trip through JSON (the rules hold on
// the decoded value, not on the spelling).
func FuzzParseConfig(f *testing.F) {
	f.Add([]byte(goodConfig))
	f.Add([]byte(`{"public_url": "https://x", "tenants": [{"tenant": "t", "issuer": "http://i", "client_id": "c", "roles": {"a": "admin", "b": "supervisor"}, "team_prefix": ""}]}`))
	f.Add([]byte(`{}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		c, err := oidc.ParseConfig(b)
		if err != nil {
			return
		}
		out, err := json.Marshal(c)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := oidc.ParseConfig(out); err != nil {
			t.Fatalf("accepted %q, refused its round trip %s: %v", b, out, err)
		}
	})
}
