package twilio_test

import (
	"crypto/tls"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/agentpulse/agentpulse/ingest/connectors"
	"github.com/agentpulse/agentpulse/ingest/connectors/twilio"
)

func TestAuthenticate(t *testing.T) {
	c := newConnector(t, twilio.TrackerConfig{}, publicBase)
	body := form(ev("reservation.accepted", "WT0123456789abcdef0123456789ab0001", 1772442000))
	tampered := []byte(strings.Replace(string(body), "alice", "mallory", 1))
	otherAccount := form(map[string]string{"AccountSid": "ACbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb", "EventType": "task.created"})
	tests := []struct {
		name   string
		req    *http.Request
		body   []byte
		tenant string
	}{
		{"primary token", signedRequest(body, acmeToken), body, "acme"},
		{"secondary token", signedRequest(body, acmeToken2), body, "acme"},
		{"missing signature", func() *http.Request {
			r := signedRequest(body, acmeToken)
			r.Header.Del(twilio.HeaderSignature)
			return r
		}(), body, ""},
		{"wrong token", signedRequest(body, "guess"), body, ""},
		{"another account's token", signedRequest(body, "globex-token"), body, ""},
		{"tampered parameter", signedRequest(body, acmeToken), tampered, ""},
		{"unknown account", signedRequest(otherAccount, "x"), form(map[string]string{"AccountSid": "AC00000000000000000000000000000000"}), ""},
		{"other tenant", signedRequest(otherAccount, "globex-token"), otherAccount, "globex"},
		{"not a form", signedRequest(body, acmeToken), []byte("%zz"), ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tenant, err := c.Authenticate(tt.req, tt.body)
			if tt.tenant == "" {
				if !errors.Is(err, connectors.ErrUnauthenticated) {
					t.Fatalf("Authenticate = %q, %v; want ErrUnauthenticated", tenant, err)
				}
				return
			}
			if err != nil || tenant != tt.tenant {
				t.Fatalf("Authenticate = %q, %v; want %q", tenant, err, tt.tenant)
			}
		})
	}
}

// TestAuthenticateRebuildsURL: without PublicBaseURL the signed URL is
// rebuilt from the request (TLS or X-Forwarded-Proto, X-Forwarded-Host or
// Host, the raw request URI), and the default port may or may not be in it.
func TestAuthenticateRebuildsURL(t *testing.T) {
	c := newConnector(t, twilio.TrackerConfig{}, "")
	body := form(ev("task.created", "WT0123456789abcdef0123456789ab0001", 1772442000))
	params, _ := url.ParseQuery(string(body))
	sign := func(u string) string { return twilio.Signature([]byte(acmeToken), u, params) }
	const uri = "/v1/ingest/twilio-taskrouter?tenant=acme&x=a%20b"
	tests := []struct {
		name  string
		setup func(r *http.Request)
		ok    bool
	}{
		{"behind a TLS proxy", func(r *http.Request) {
			r.Host = "internal:8080"
			r.Header.Set("X-Forwarded-Proto", "https")
			r.Header.Set("X-Forwarded-Host", "ingest.example.com")
			r.Header.Set(twilio.HeaderSignature, sign("https://ingest.example.com"+uri))
		}, true},
		{"direct TLS, signed with :443", func(r *http.Request) {
			r.Host = "ingest.example.com"
			r.TLS = &tls.ConnectionState{}
			r.Header.Set(twilio.HeaderSignature, sign("https://ingest.example.com:443"+uri))
		}, true},
		{"http with a port, signed without", func(r *http.Request) {
			r.Host = "localhost:8080"
			r.Header.Set(twilio.HeaderSignature, sign("http://localhost"+uri))
		}, true},
		{"scheme mismatch", func(r *http.Request) {
			r.Host = "ingest.example.com"
			r.Header.Set(twilio.HeaderSignature, sign("https://ingest.example.com"+uri))
		}, false},
		{"query re-encoded", func(r *http.Request) {
			r.Host = "ingest.example.com"
			r.TLS = &tls.ConnectionState{}
			r.Header.Set(twilio.HeaderSignature, sign("https://ingest.example.com/v1/ingest/twilio-taskrouter?tenant=acme&x=a+b"))
		}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := httptest.NewRequest(http.MethodPost, uri, strings.NewReader(string(body)))
			r.TLS = nil
			tt.setup(r)
			tenant, err := c.Authenticate(r, body)
			if tt.ok != (err == nil) {
				t.Fatalf("Authenticate = %q, %v; want ok %v", tenant, err, tt.ok)
			}
		})
	}
}

func TestNewRejectsBadBaseURL(t *testing.T) {
	for _, u := range []string{"ingest.example.com", "https://", "https://x/?q=1", "::"} {
		if _, err := twilio.New(twilio.Config{Credentials: testCredentials(t), PublicBaseURL: u}); err == nil {
			t.Errorf("PublicBaseURL %q accepted", u)
		}
	}
	if _, err := twilio.New(twilio.Config{}); !errors.Is(err, twilio.ErrNoCredentials) {
		t.Errorf("New without credentials: %v", err)
	}
}
