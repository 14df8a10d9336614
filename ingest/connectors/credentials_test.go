package connectors_test

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/agentpulse/agentpulse/ingest/connectors"
)

const credsFile = `{"tenants": {
  "acme": {
    "amazon_connect": {"access_keys": ["acme-firehose-key-000001", "acme-firehose-key-000002"]},
    "genesys_cloud": {
      "api_keys": [{"header": "x-agentpulse-key", "value": "acme-eventbridge-key-01"}],
      "basic": [{"username": "acme-eb", "password": "acme-basic-password-01"}]
    },
    "twilio": {"account_sid": "AC0123456789abcdef0123456789abcdef", "auth_tokens": ["tok-primary", "tok-secondary"]}
  },
  "globex": {
    "amazon_connect": {"access_keys": ["globex-firehose-key-0001"]},
    "genesys_cloud": {"api_keys": [{"header": "Authorization", "value": "Bearer globex-eventbridge-key"}]}
  }
}}`

func TestCredentialsLookups(t *testing.T) {
	c, err := connectors.ParseCredentials([]byte(credsFile))
	if err != nil {
		t.Fatal(err)
	}
	for key, want := range map[string]string{
		"acme-firehose-key-000001": "acme", "acme-firehose-key-000002": "acme", "globex-firehose-key-0001": "globex",
		"acme-firehose-key-00000": "", "": "", "ACME-FIREHOSE-KEY-000001": "",
	} {
		if got, ok := c.FirehoseTenant(key); got != want || ok != (want != "") {
			t.Errorf("FirehoseTenant(%q) = %q, %v; want %q", key, got, ok, want)
		}
	}
	h := http.Header{}
	h.Set("X-Agentpulse-Key", "acme-eventbridge-key-01")
	if got, ok := c.APIKeyTenant(h); !ok || got != "acme" {
		t.Errorf("APIKeyTenant = %q, %v", got, ok)
	}
	h = http.Header{}
	h.Set("Authorization", "Bearer globex-eventbridge-key")
	if got, ok := c.APIKeyTenant(h); !ok || got != "globex" {
		t.Errorf("APIKeyTenant(Authorization) = %q, %v", got, ok)
	}
	h = http.Header{}
	h.Set("X-Agentpulse-Key", "Bearer globex-eventbridge-key") // globex's value under acme's header name
	if got, ok := c.APIKeyTenant(h); ok {
		t.Errorf("a value under another tenant's header name authenticated as %q", got)
	}
	if got, ok := c.BasicTenant("acme-eb", "acme-basic-password-01"); !ok || got != "acme" {
		t.Errorf("BasicTenant = %q, %v", got, ok)
	}
	for _, up := range [][2]string{{"acme-eb", "wrong"}, {"nobody", "acme-basic-password-01"}, {"", ""}} {
		if _, ok := c.BasicTenant(up[0], up[1]); ok {
			t.Errorf("BasicTenant(%q, %q) authenticated", up[0], up[1])
		}
	}
	tenant, tokens, ok := c.TwilioAccount("AC0123456789abcdef0123456789abcdef")
	if !ok || tenant != "acme" || len(tokens) != 2 || string(tokens[0]) != "tok-primary" {
		t.Errorf("TwilioAccount = %q, %q, %v", tenant, tokens, ok)
	}
	if _, _, ok := c.TwilioAccount("AC00000000000000000000000000000000"); ok {
		t.Error("unknown account found")
	}
	for _, s := range []string{c.String(), fmt.Sprintf("%v %+v %#v", c, c, c)} {
		if strings.Contains(s, "key") || strings.Contains(s, "tok-") || strings.Contains(s, "password") {
			t.Errorf("formatting leaks a secret: %s", s)
		}
	}
	var nilCreds *connectors.Credentials
	if _, ok := nilCreds.FirehoseTenant("x"); ok || nilCreds.String() == "" {
		t.Error("nil Credentials must authenticate nothing")
	}
}

func TestParseCredentialsErrors(t *testing.T) {
	tests := []struct{ name, file, want string }{
		{"unknown key", `{"tenants": {"acme": {"twillio": {}}}}`, `unknown field "twillio"`},
		{"short access key", `{"tenants": {"acme": {"amazon_connect": {"access_keys": ["short"]}}}}`, "tenants.acme.amazon_connect.access_keys[0]: is shorter than 16 characters"},
		{"shared access key", `{"tenants": {"a": {"amazon_connect": {"access_keys": ["0123456789abcdef"]}}, "b": {"amazon_connect": {"access_keys": ["0123456789abcdef"]}}}}`,
			`tenants.b.amazon_connect.access_keys[0]: the same access key is configured for tenant "a"`},
		{"bad header", `{"tenants": {"acme": {"genesys_cloud": {"api_keys": [{"header": "X Key", "value": "0123456789abcdef"}]}}}}`, `"X Key" is not a valid HTTP header name`},
		{"shared user", `{"tenants": {"a": {"genesys_cloud": {"basic": [{"username": "u", "password": "0123456789abcdef"}]}}, "b": {"genesys_cloud": {"basic": [{"username": "u", "password": "0123456789abcdefg"}]}}}}`,
			`tenants.b.genesys_cloud.basic[0].username: "u" is already used by tenant "a"`},
		{"bad sid", `{"tenants": {"acme": {"twilio": {"account_sid": "AC123", "auth_tokens": ["t"]}}}}`, "tenants.acme.twilio.account_sid: must be AC followed by 32 hex digits"},
		{"no token", `{"tenants": {"acme": {"twilio": {"account_sid": "AC0123456789abcdef0123456789abcdef", "auth_tokens": []}}}}`, "needs at least one auth token"},
		{"bad tenant", `{"tenants": {"": {}}}`, "is not a valid tenant id"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := connectors.ParseCredentials([]byte(tt.file))
			if err == nil || !errors.Is(err, connectors.ErrInvalidConfig) || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want %q", err, tt.want)
			}
			if strings.Contains(err.Error(), "0123456789abcdef\"") {
				t.Errorf("the error quotes a secret: %v", err)
			}
		})
	}
}

func FuzzParseCredentials(f *testing.F) {
	f.Add([]byte(credsFile))
	f.Add([]byte(`{"tenants": {"x": {"twilio": {"account_sid": "AC0123456789abcdef0123456789abcdef", "auth_tokens": ["a"]}}}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := connectors.ParseCredentials(data)
		if err != nil {
			if !errors.Is(err, connectors.ErrInvalidConfig) {
				t.Fatalf("%v does not match ErrInvalidConfig", err)
			}
			return
		}
		c.FirehoseTenant("acme-firehose-key-000001")
		c.BasicTenant("u", "p")
		c.APIKeyTenant(http.Header{"Authorization": {"x"}})
	})
}
