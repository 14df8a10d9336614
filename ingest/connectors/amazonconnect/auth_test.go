package amazonconnect_test

import (
	"errors"
	"testing"

	"github.com/agentpulse/agentpulse/ingest/connectors"
)

func TestAuthenticate(t *testing.T) {
	c := newConnector(t)
	body := envelope(t, requestID, []byte(`{}`))
	tests := []struct {
		name, key, id string
		body          []byte
		tenant        string
		want          error
	}{
		{name: "good key", key: acmeKey, id: requestID, body: body, tenant: "acme"},
		{name: "second tenant", key: globexKey, id: requestID, body: body, tenant: "globex"},
		{name: "rotated key", key: "globex-rotated-key-000003", id: requestID, body: body, tenant: "globex"},
		{name: "missing key", key: "", id: requestID, body: body, want: connectors.ErrUnauthenticated},
		{name: "wrong key", key: "acme-firehose-access-key-0002", id: requestID, body: body, want: connectors.ErrUnauthenticated},
		{name: "key prefix", key: acmeKey[:10], id: requestID, body: body, want: connectors.ErrUnauthenticated},
		{name: "wrong key and bad body", key: "nope", id: "x", body: []byte("not json"), want: connectors.ErrUnauthenticated},
		{name: "missing request id header", key: acmeKey, id: "", body: body, want: connectors.ErrMalformed},
		{name: "request id mismatch", key: acmeKey, id: "other-id", body: body, want: connectors.ErrMalformed},
		{name: "body not firehose", key: acmeKey, id: requestID, body: []byte(`[1,2]`), want: connectors.ErrMalformed},
		{name: "body without requestId", key: acmeKey, id: requestID, body: []byte(`{"records":[]}`), want: connectors.ErrMalformed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tenant, err := c.Authenticate(request(tt.body, tt.key, tt.id), tt.body)
			if tt.want != nil {
				if !errors.Is(err, tt.want) {
					t.Fatalf("err = %v, want %v", err, tt.want)
				}
				if tt.want == connectors.ErrUnauthenticated && errors.Is(err, connectors.ErrMalformed) {
					t.Fatalf("err = %v matches both", err)
				}
				return
			}
			if err != nil || tenant != tt.tenant {
				t.Fatalf("Authenticate = %q, %v; want %q", tenant, err, tt.tenant)
			}
		})
	}
}
