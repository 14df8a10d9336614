package amazonconnect_test

import (
	"context"
	"errors"
	"testing"

	"github.com/twmb/franz-go/pkg/kfake"

	"github.com/agentpulse/agentpulse/auth/apikeys"
	"github.com/agentpulse/agentpulse/ingest/connectors"
	"github.com/agentpulse/agentpulse/ingest/connectors/amazonconnect"
)

// TestAPIKeyAsAccessKey: an agentpulse API key configured as the Firehose
// stream's access key authenticates deliveries for its tenant until an
// admin revokes it; the credentials file's keys keep working.
func TestAPIKeyAsAccessKey(t *testing.T) {
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
	rec, key, err := keys.Create(ctx, "globex", "firehose", "boss")
	if err != nil {
		t.Fatal(err)
	}
	c, err := amazonconnect.New(amazonconnect.Config{Credentials: testCredentials(t), Mapping: testMapping(t),
		APIKeys: func(k string) (string, error) { cl, err := keys.Keys().Check(k); return cl.Tenant, err }})
	if err != nil {
		t.Fatal(err)
	}
	body := envelope(t, requestID, casePayloads(t, "testdata/voice.json")...)
	if tenant, err := c.Authenticate(request(body, key, requestID), body); err != nil || tenant != "globex" {
		t.Fatalf("with the API key: %q %v", tenant, err)
	}
	if tenant, err := c.Authenticate(request(body, acmeKey, requestID), body); err != nil || tenant != "acme" {
		t.Fatalf("with the file's key: %q %v", tenant, err)
	}
	if _, err := keys.Revoke(ctx, "globex", rec.ID, "boss"); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Authenticate(request(body, key, requestID), body); !errors.Is(err, connectors.ErrUnauthenticated) {
		t.Fatalf("with the revoked key: %v, want unauthenticated", err)
	}
}
