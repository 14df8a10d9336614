package genesys_test

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/agentpulse/agentpulse/ingest/connectors"
	"github.com/agentpulse/agentpulse/ingest/connectors/genesys"
)

func TestAuthenticate(t *testing.T) {
	c := newConnector(t, genesys.JoinerConfig{})
	tests := []struct {
		name   string
		setup  func(r *http.Request)
		tenant string
	}{
		{"api key", func(r *http.Request) { r.Header.Set(apiKeyHeader, acmeAPIKey) }, "acme"},
		{"api key header name in another case", func(r *http.Request) { r.Header["x-agentpulse-key"] = []string{acmeAPIKey} }, ""},
		{"basic auth", func(r *http.Request) { r.SetBasicAuth(globexUser, globexPass) }, "globex"},
		{"missing", func(r *http.Request) {}, ""},
		{"wrong api key", func(r *http.Request) { r.Header.Set(apiKeyHeader, acmeAPIKey+"x") }, ""},
		{"api key in another header", func(r *http.Request) { r.Header.Set("X-Api-Key", acmeAPIKey) }, ""},
		{"wrong password", func(r *http.Request) { r.SetBasicAuth(globexUser, "nope") }, ""},
		{"unknown user", func(r *http.Request) { r.SetBasicAuth("someone", globexPass) }, ""},
		{"bearer token is not basic", func(r *http.Request) { r.Header.Set("Authorization", "Bearer "+acmeAPIKey) }, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := httptest.NewRequest(http.MethodPost, "/v1/ingest/genesys-cloud", nil)
			tt.setup(r)
			tenant, err := c.Authenticate(r, nil)
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
