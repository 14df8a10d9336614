package retention_test

import (
	"context"
	"encoding/hex"
	"net/http"
	"strings"
	"testing"

	"github.com/twmb/franz-go/pkg/kfake"

	"github.com/agentpulse/agentpulse/processor/store"
	"github.com/agentpulse/agentpulse/processor/store/embedded"
	"github.com/agentpulse/agentpulse/processor/store/storetest"
	"github.com/agentpulse/agentpulse/server/retention"
)

// keyedSubject reports whether erasure v (decoded JSON) keeps a keyed
// subject of value: 64 hex digits that are not value's plain SHA-256 (a
// guess hashed by anyone), and the id of the key.
func keyedSubject(v any, value string) bool {
	m, _ := v.(map[string]any)
	sub, _ := m["subject"].(string)
	kid, _ := m["key_id"].(string)
	_, err1 := hex.DecodeString(sub)
	_, err2 := hex.DecodeString(kid)
	return len(sub) == 64 && err1 == nil && len(kid) == 16 && err2 == nil && sub != store.SubjectHash(nil, value)
}

// TestErasureSubjectsNeedTheSecret: erasures keep keyed subjects; a
// store rebuilt under the same secret gets them again; a server started
// with another secret does not apply them and says why (naming the
// flag); an erasure recorded before keyed subjects (plain SHA-256, no key
// id) is still applied to a rebuilt store and rewritten with a keyed
// subject when the agent is met again.
func TestErasureSubjectsNeedTheSecret(t *testing.T) {
	c, err := kfake.NewCluster(kfake.NumBrokers(1))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	st := embedded.New()
	storetest.Fill(t, st, feed(), 2, 50)
	g := start(t, c.ListenAddrs(), st)
	code, v := g.do(t, boss, http.MethodPost, retention.ErasuresPath, `{"kind":"customer","customer_key":"cust-1"}`)
	if code != 200 || !keyedSubject(v, "cust-1") {
		t.Fatalf("customer erasure: %d %v", code, v)
	}
	// A legacy agent erasure (a3, recorded with the plain SHA-256 and not
	// applied yet) on the topic.
	legacy := retention.Erasure{ID: "era_0000000000000001", Tenant: "acme", Kind: retention.KindAgent, Subject: store.SubjectHash(nil, "a3"),
		By: "boss", At: now.AddDate(0, 0, -1), Pseudonym: "erased-0000000000000001"}
	if err := g.runner.Policy.AddErasure(context.Background(), legacy); err != nil {
		t.Fatal(err)
	}

	// Another secret: the keyed customer erasure is reported, not applied.
	other := embedded.New()
	storetest.Fill(t, other, feed(), 2, 50)
	o := startWith(t, c.ListenAddrs(), other, []byte("another-secret-another-secret-32"))
	err = o.runner.Reapply(context.Background())
	if err == nil || !strings.Contains(err.Error(), "--erasure-secret") || !strings.Contains(err.Error(), "not the one the erasures so far were made with") {
		t.Fatalf("Reapply under another secret: %v, want an error naming --erasure-secret", err)
	}
	if n := countKey(stored(t, other, "acme", "a1", "a2"), "cust-1"); n == 0 {
		t.Fatal("a customer erasure was applied under another secret")
	}
	if code, v := o.do(t, boss, http.MethodPost, retention.ErasuresPath, `{"kind":"customer","customer_key":"cust-2"}`); code != http.StatusServiceUnavailable {
		t.Fatalf("an erasure on a server with another secret: %d %v, want 503", code, v)
	}

	// The same secret: both applied; the legacy record now has a keyed
	// subject, done, with the same pseudonym.
	rebuilt := embedded.New()
	storetest.Fill(t, rebuilt, feed(), 2, 50)
	start(t, c.ListenAddrs(), rebuilt)
	waitFor(t, "the erasures re-applied", func() bool {
		return countKey(stored(t, rebuilt, "acme", "a1", "a2"), "cust-1") == 0 && len(stored(t, rebuilt, "acme", "a3")) == 0 &&
			len(stored(t, rebuilt, "acme", legacy.Pseudonym)) > 0
	})
	waitFor(t, "the legacy erasure rewritten", func() bool {
		for _, e := range g.runner.Policy.Erasures("acme") {
			if e.ID == legacy.ID {
				return e.Done && e.KeyID != "" && e.Subject != legacy.Subject && e.Pseudonym == legacy.Pseudonym
			}
		}
		return false
	})
	// Asking again finds the rewritten record: same pseudonym.
	code, v = g.do(t, boss, http.MethodPost, retention.ErasuresPath, `{"kind":"agent","agent_id":"a3"}`)
	if code != 200 || v["pseudonym"] != legacy.Pseudonym || v["id"] != legacy.ID || !keyedSubject(v, "a3") {
		t.Fatalf("erasing a3 again: %d %v", code, v)
	}
}
