package clickhouse

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/agentpulse/agentpulse/processor/store"
	"github.com/agentpulse/agentpulse/processor/store/storetest"
	"github.com/agentpulse/agentpulse/schemas"
)

// TestEraseCustomerKeyedHash: ClickHouse's HMAC from the key's pads
// (store.HMACPads) matches Go's HMAC-SHA256, so a keyed erasure blanks
// exactly the customer's keys of that tenant; a legacy plain SHA-256
// match still works; a wrong key matches nothing.
func TestEraseCustomerKeyedHash(t *testing.T) {
	s := openStore(t, newDatabase(t))
	ctx := context.Background()
	t0 := time.Date(2026, 9, 1, 10, 0, 0, 0, time.UTC)
	var its []schemas.Interaction
	for i := range 12 {
		tenant := []string{"t1", "t2"}[i%2]
		end := t0.Add(time.Duration(i) * time.Hour)
		its = append(its, schemas.Interaction{TenantID: tenant, InteractionID: fmt.Sprintf("i%02d", i), Revision: 1, Model: "voice",
			AgentID: "a1", TeamID: "t", Inquiry: "billing", StartedAt: end.Add(-time.Minute), EndedAt: end, HandleTimeS: 60, Source: "api",
			CustomerKey: fmt.Sprintf("cust-%d", i%4)})
	}
	storetest.Fill(t, s, its, 1, 40)
	key := []byte("0123456789abcdef0123456789abcdef")
	keyed := func(v string) store.SubjectMatch {
		return store.SubjectMatch{Key: key, Hash: store.SubjectHash(key, v)}
	}
	left := func(tenant, v string) int64 {
		n, err := s.count(ctx, `SELECT count() FROM `+s.cfg.Database+`.interactions WHERE tenant_id = ? AND customer_key = ?`, tenant, v)
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	wrong := store.SubjectMatch{Key: []byte("another key, another key, 32 b!!"), Hash: store.SubjectHash(key, "cust-0")}
	if n, err := s.EraseCustomer(ctx, "t1", wrong); err != nil || n != 0 {
		t.Fatalf("hash under another key erased %d (%v)", n, err)
	}
	if n, err := s.EraseCustomer(ctx, "t1", keyed("cust-0")); err != nil || n != 3 {
		t.Fatalf("keyed erasure changed %d revisions (%v), want 3", n, err)
	}
	if left("t1", "cust-0") != 0 || left("t2", "cust-0") != 0 || left("t1", "cust-2") != 3 {
		t.Errorf("after the keyed erasure: t1 cust-0 %d, t2 cust-0 (none sent) %d, t1 cust-2 %d",
			left("t1", "cust-0"), left("t2", "cust-0"), left("t1", "cust-2"))
	}
	if n, err := s.EraseCustomer(ctx, "t1", keyed("cust-0")); err != nil || n != 0 {
		t.Errorf("repeat changed %d (%v)", n, err)
	}
	if n, err := s.EraseCustomer(ctx, "t2", store.SubjectMatch{Hash: store.SubjectHash(nil, "cust-1")}); err != nil || n != 3 || left("t2", "cust-1") != 0 {
		t.Errorf("legacy SHA-256 erasure changed %d (%v), %d left", n, err, left("t2", "cust-1"))
	}
}
