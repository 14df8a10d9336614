package genesys_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/twmb/franz-go/pkg/kfake"

	"github.com/agentpulse/agentpulse/auth/apikeys"
	"github.com/agentpulse/agentpulse/ingest/connectors"
	"github.com/agentpulse/agentpulse/ingest/connectors/genesys"
)

// TestAPIKeyAsAuthorization: an agentpulse API key sent as
// "Authorization: Bearer apk_…" (the API destination's API-key
// authorization) authenticates deliveries for its tenant until revoked.
func TestAPIKeyAsAuthorization(t *testing.T) {
	cluster, err := kfake.NewCluster(kfake.NumBrokers(1))
	if err != nil {
		t.Fatal(err)
	}
	defer cluster.Close()
	ctx := context.Background()
	keys, err := apikeys.Open(ctx, apikeys.Config{Brokers: cluster.ListenAddrs()})
	if err != nil {
		t.Fatal(err)
	}
	defer keys.Close()
	rec, key, err := keys.Create(ctx, "globex", "eventbridge", "boss")
	if err != nil {
		t.Fatal(err)
	}
	c, err := genesys.New(genesys.Config{Credentials: testCredentials(t),
		APIKeys: func(k string) (string, error) { cl, err := keys.Keys().Check(k); return cl.Tenant, err }})
	if err != nil {
		t.Fatal(err)
	}
	req := func() *http.Request {
		r := httptest.NewRequest(http.MethodPost, "/v1/ingest/genesys-cloud", nil)
		r.Header.Set("Authorization", "Bearer "+key)
		return r
	}
	if tenant, err := c.AuthenticateHeader(req()); err != nil || tenant != "globex" {
		t.Fatalf("with the API key: %q %v", tenant, err)
	}
	if _, err := keys.Revoke(ctx, "globex", rec.ID, "boss"); err != nil {
		t.Fatal(err)
	}
	if _, err := c.AuthenticateHeader(req()); !errors.Is(err, connectors.ErrUnauthenticated) {
		t.Fatalf("with the revoked key: %v", err)
	}
}
