package retention_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kfake"

	"github.com/agentpulse/agentpulse/processor/store"
	"github.com/agentpulse/agentpulse/processor/store/embedded"
	"github.com/agentpulse/agentpulse/processor/store/storetest"
	"github.com/agentpulse/agentpulse/server/retention"
)

// TestCustomerErasuresForTheLearner: the outcome learner's view of the
// data policy recognises a customer erased through the API (keyed
// subject, the same secret) and an erasure recorded before keyed subjects,
// in its tenant only; one made under another secret is not recognised; a
// new erasure closes the Changed channel.
func TestCustomerErasuresForTheLearner(t *testing.T) {
	c, err := kfake.NewCluster(kfake.NumBrokers(1))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	st := embedded.New()
	storetest.Fill(t, st, feed(), 2, 50)
	g := start(t, c.ListenAddrs(), st)
	ce := &retention.CustomerErasures{Policy: g.runner.Policy, Secret: erasureSecret}
	other := &retention.CustomerErasures{Policy: g.runner.Policy, Secret: []byte("another-secret-another-secret-32")}
	if ce.CustomerErased("acme", "cust-1") {
		t.Fatal("a customer recognised before any erasure")
	}
	changed := ce.Changed()
	if code, v := g.do(t, boss, http.MethodPost, retention.ErasuresPath, `{"kind":"customer","customer_key":"cust-1"}`); code != 200 {
		t.Fatalf("customer erasure: %d %v", code, v)
	}
	select {
	case <-changed:
	case <-time.After(5 * time.Second):
		t.Fatal("Changed not closed by a new erasure")
	}
	legacy := retention.Erasure{ID: "era_0000000000000009", Tenant: "acme", Kind: retention.KindCustomer, Subject: store.SubjectHash(nil, "cust-legacy"),
		By: "boss", At: now, Done: true}
	if err := g.runner.Policy.AddErasure(context.Background(), legacy); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		tenant, key string
		want        bool
	}{
		{"acme", "cust-1", true}, {"acme", "cust-legacy", true}, {"acme", "cust-2", false},
		{"other", "cust-1", false}, {"acme", "", false},
	} {
		if got := ce.CustomerErased(c.tenant, c.key); got != c.want {
			t.Errorf("CustomerErased(%q, %q) = %v, want %v", c.tenant, c.key, got, c.want)
		}
	}
	if other.CustomerErased("acme", "cust-1") {
		t.Error("an erasure recognised under another secret")
	}
}
