package audit_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/twmb/franz-go/pkg/kfake"

	"github.com/agentpulse/agentpulse/audit"
	"github.com/agentpulse/agentpulse/auth"
)

var secret = []byte("0123456789abcdef0123456789abcdef")

// runLog opens a Log on brokers and runs it until the test ends.
func runLog(t *testing.T, brokers []string) *audit.Log {
	t.Helper()
	l, err := audit.New(audit.Config{Brokers: brokers})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); _ = l.Run(ctx) }()
	t.Cleanup(func() { cancel(); <-done; l.Close() })
	return l
}

// TestAuditLog: events recorded by one process are queryable by admins on
// another (and on one started later, from the topic), newest first, per
// tenant only; GET /v1/audit is admin-only and checks its parameters.
func TestAuditLog(t *testing.T) {
	c, err := kfake.NewCluster(kfake.NumBrokers(1))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	brokers := c.ListenAddrs()
	a := runLog(t, brokers)
	b := runLog(t, brokers)
	ctx := context.Background()
	boss := auth.Claims{Tenant: "acme", Subject: "boss", Role: auth.RoleAdmin}
	lead := auth.Claims{Tenant: "acme", Subject: "lead-1", Role: auth.RoleSupervisor, Teams: []string{"t1"}}
	a.Record(ctx, audit.By(boss, audit.APIKeyCreated, "k1", "name feed"))
	a.Record(ctx, audit.By(lead, audit.PlanCancelled, "p1", "agent a1"))
	a.Record(ctx, audit.By(auth.Claims{Tenant: "initech", Subject: "x", Role: auth.RoleAdmin}, audit.SignIn, "x", ""))
	deadline := time.Now().Add(5 * time.Second)
	for len(b.Query("acme", "", time.Time{}, 10)) < 2 {
		if time.Now().After(deadline) {
			t.Fatal("the other process never saw the events")
		}
		time.Sleep(10 * time.Millisecond)
	}
	evs := b.Query("acme", "", time.Time{}, 10)
	if len(evs) != 2 || evs[0].Action != audit.PlanCancelled || evs[0].Actor != "lead-1" || evs[0].Role != "supervisor" || evs[1].Target != "k1" {
		t.Fatalf("acme's events: %+v", evs)
	}
	if got := b.Query("acme", audit.APIKeyCreated, time.Time{}, 10); len(got) != 1 {
		t.Fatalf("filtered by action: %+v", got)
	}
	late := runLog(t, brokers)
	deadline = time.Now().Add(5 * time.Second)
	for len(late.Query("initech", "", time.Time{}, 10)) != 1 {
		if time.Now().After(deadline) {
			t.Fatal("a process started later did not read the topic")
		}
		time.Sleep(10 * time.Millisecond)
	}

	r := chi.NewRouter()
	b.Routes(r, auth.Verifier{Secret: secret})
	get := func(c auth.Claims, target string) (int, []audit.Event) {
		tok, _ := auth.Mint(secret, c, time.Hour)
		req := httptest.NewRequest(http.MethodGet, target, nil)
		req.Header.Set("Authorization", "Bearer "+tok)
		rec := httptest.NewRecorder()
		r.ServeHTTP(rec, req)
		var body struct{ Events []audit.Event }
		_ = json.Unmarshal(rec.Body.Bytes(), &body)
		return rec.Code, body.Events
	}
	if code, evs := get(boss, audit.Path+"?limit=1"); code != 200 || len(evs) != 1 || evs[0].Action != audit.PlanCancelled {
		t.Fatalf("admin: %d %+v", code, evs)
	}
	if code, _ := get(lead, audit.Path); code != 403 {
		t.Fatalf("supervisor: %d, want 403", code)
	}
	for _, q := range []string{"?limit=0", "?limit=x", "?since=yesterday"} {
		if code, _ := get(boss, audit.Path+q); code != 400 {
			t.Errorf("%s: %d, want 400", q, code)
		}
	}
	if code, evs := get(auth.Claims{Tenant: "globex", Subject: "b", Role: auth.RoleAdmin}, audit.Path); code != 200 || len(evs) != 0 {
		t.Fatalf("another tenant's admin: %d %+v", code, evs)
	}
	if a.Failed() != 0 {
		t.Fatalf("%d events failed", a.Failed())
	}
}
