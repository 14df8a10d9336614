package retention_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/twmb/franz-go/pkg/kfake"

	"github.com/agentpulse/agentpulse/audit"
	"github.com/agentpulse/agentpulse/auth"
	"github.com/agentpulse/agentpulse/processor/store"
	"github.com/agentpulse/agentpulse/processor/store/embedded"
	"github.com/agentpulse/agentpulse/processor/store/storetest"
	"github.com/agentpulse/agentpulse/schemas"
	"github.com/agentpulse/agentpulse/server/retention"
	"github.com/agentpulse/agentpulse/views"
)

var secret = []byte("0123456789abcdef0123456789abcdef")

// now is the tests' clock: Dec 3 2026, 10:00 UTC.
var now = time.Date(2026, 12, 3, 10, 0, 0, 0, time.UTC)

// feed is one interaction a day for 100 days for two agents of acme and
// one of globex; acme's customer "cust-1" called on every fifth day.
func feed() []schemas.Interaction {
	var out []schemas.Interaction
	for d := range 100 {
		end := now.AddDate(0, 0, -d).Add(-time.Hour)
		for _, who := range [][2]string{{"acme", "a1"}, {"acme", "a2"}, {"globex", "g1"}} {
			it := schemas.Interaction{TenantID: who[0], InteractionID: fmt.Sprintf("%s-%d", who[1], d), Revision: 1, Model: "voice",
				AgentID: who[1], TeamID: "t1", Inquiry: "billing", StartedAt: end.Add(-5 * time.Minute), EndedAt: end,
				HandleTimeS: 300, Source: "api"}
			if d%5 == 0 {
				it.CustomerKey = "cust-1"
			} else {
				it.CustomerKey = fmt.Sprintf("cust-%s-%d", who[1], d)
			}
			out = append(out, it)
		}
		if d >= 40 { // a3 left 40 days ago
			it := out[len(out)-3]
			it.InteractionID, it.AgentID, it.CustomerKey = fmt.Sprintf("a3-%d", d), "a3", ""
			out = append(out, it)
		}
	}
	return out
}

type rig struct {
	brokers []string
	audit   *audit.Log
	router  chi.Router
	runner  *retention.Runner
}

// erasureSecret is the runners' erasure secret.
var erasureSecret = []byte("erasure-secret-erasure-secret-32")

// start runs a Policy, a Runner over st and an audit log on brokers until
// the test ends, and waits for the policy to be read.
func start(t *testing.T, brokers []string, st store.Retainer) *rig {
	t.Helper()
	return startWith(t, brokers, st, erasureSecret)
}

// startWith is start with the runner's erasure secret.
func startWith(t *testing.T, brokers []string, st store.Retainer, es []byte) *rig {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	al, err := audit.New(audit.Config{Brokers: brokers})
	if err != nil {
		t.Fatal(err)
	}
	p, err := retention.NewPolicy(retention.Config{Brokers: brokers})
	if err != nil {
		t.Fatal(err)
	}
	var plans store.PlanStore
	if ps, ok := st.(store.PlanStore); ok {
		plans = ps
	}
	r := &retention.Runner{Policy: p, Store: st, Secret: es, Plans: plans, Interval: -1, Audit: al, Now: func() time.Time { return now }}
	done := make(chan struct{}, 3)
	for _, run := range []func(context.Context) error{al.Run, p.Run, r.Run} {
		go func() { defer func() { done <- struct{}{} }(); _ = run(ctx) }()
	}
	t.Cleanup(func() {
		cancel()
		<-done
		<-done
		<-done
		p.Close()
		al.Close()
	})
	waitFor(t, "the policy read", func() bool { return p.Ready(ctx) == nil })
	rt := chi.NewRouter()
	r.Routes(rt, auth.Verifier{Secret: secret})
	return &rig{brokers: brokers, audit: al, router: rt, runner: r}
}

func waitFor(t *testing.T, what string, ok func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func (g *rig) do(t *testing.T, c auth.Claims, method, path, body string) (int, map[string]any) {
	t.Helper()
	tok, err := auth.Mint(secret, c, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	req := httptest.NewRequest(method, path, strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+tok)
	rec := httptest.NewRecorder()
	g.router.ServeHTTP(rec, req)
	var out map[string]any
	if err := json.Unmarshal(rec.Body.Bytes(), &out); err != nil {
		t.Fatalf("%s %s: %d %q is not JSON", method, path, rec.Code, rec.Body.String())
	}
	return rec.Code, out
}

var (
	boss  = auth.Claims{Tenant: "acme", Subject: "boss", Role: auth.RoleAdmin}
	lead  = auth.Claims{Tenant: "acme", Subject: "lead", Role: auth.RoleSupervisor, Teams: []string{"t1"}}
	other = auth.Claims{Tenant: "globex", Subject: "g-boss", Role: auth.RoleAdmin}
)

// stored returns the tenant's current interactions in the store.
func stored(t *testing.T, st store.Store, tenant string, agents ...string) []schemas.Interaction {
	t.Helper()
	var out []schemas.Interaction
	for _, a := range agents {
		its, err := st.Recent(context.Background(), tenant, "voice", a, "billing", 1000)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, its...)
	}
	return out
}

// TestRetentionAndErasureRoutes: an admin reads and changes the tenant's
// retention (durable on the policy topic, audited) and the next pass
// removes what ended before the cutoff in that tenant only; an erasure of
// a customer blanks the key in every stored interaction, is listed (by the
// key's hash, never the key) and audited with its count, and is applied
// again to a store rebuilt from the log; bad input gets a 400 naming the
// field, other roles a 403.
func TestRetentionAndErasureRoutes(t *testing.T) {
	c, err := kfake.NewCluster(kfake.NumBrokers(1))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	st := embedded.New()
	storetest.Fill(t, st, feed(), 2, 50)
	g := start(t, c.ListenAddrs(), st)

	// The default (396 days) keeps all 100 days.
	code, v := g.do(t, boss, http.MethodGet, retention.RetentionPath, "")
	if code != 200 || v["days"] != float64(retention.DefaultDays) || v["explicit"] != false || v["cutoff"] != "2025-11-02T00:00:00Z" {
		t.Fatalf("GET retention: %d %v", code, v)
	}
	if n := len(stored(t, st, "acme", "a1", "a2")); n != 200 {
		t.Fatalf("%d acme interactions before, want 200", n)
	}
	code, v = g.do(t, boss, http.MethodPut, retention.RetentionPath, `{"days": 45}`)
	if code != 200 || v["days"] != float64(45) || v["explicit"] != true || v["updated_by"] != "boss" || v["cutoff"] != "2026-10-19T00:00:00Z" {
		t.Fatalf("PUT retention: %d %v", code, v)
	}
	// Day d ended at now - d days - 1h: kept while that is on or after
	// Oct 19, i.e. d <= 45: 46 days per agent.
	waitFor(t, "the pass", func() bool { return len(stored(t, st, "acme", "a1", "a2")) == 92 })
	if n := len(stored(t, st, "globex", "g1")); n != 100 {
		t.Fatalf("globex has %d interactions after acme's pass, want 100", n)
	}
	waitFor(t, "the audit events", func() bool {
		return len(g.audit.Query("acme", retention.ActionRetentionApplied, time.Time{}, 10)) == 1 &&
			len(g.audit.Query("acme", retention.ActionRetentionChanged, time.Time{}, 10)) == 1
	})
	if e := g.audit.Query("acme", retention.ActionRetentionApplied, time.Time{}, 1)[0]; !strings.Contains(e.Detail, "162 interactions") {
		t.Errorf("retention audit: %+v", e)
	}
	if code, v = g.do(t, other, http.MethodGet, retention.RetentionPath, ""); code != 200 || v["days"] != float64(retention.DefaultDays) {
		t.Fatalf("globex's retention: %d %v", code, v)
	}

	// Erase customer cust-1 of acme: days 0, 5, …, 45 of a1 and a2.
	code, v = g.do(t, boss, http.MethodPost, retention.ErasuresPath, `{"kind":"customer","customer_key":"cust-1"}`)
	removed, _ := v["removed"].(map[string]any)
	if code != 200 || v["kind"] != "customer" || v["requested_by"] != "boss" || removed["customer_keys"] != float64(20) {
		t.Fatalf("POST erasure: %d %v", code, v)
	}
	id, _ := v["id"].(string)
	if after := stored(t, st, "acme", "a1", "a2"); len(after) != 92 || countKey(after, "cust-1") != 0 || countKey(after, "") != 20 {
		t.Fatalf("after the erasure: %d interactions, %d with cust-1, %d without a key; want 92, 0, 20",
			len(after), countKey(after, "cust-1"), countKey(after, ""))
	}
	if n := countKey(stored(t, st, "globex", "g1"), "cust-1"); n != 20 {
		t.Fatalf("globex's cust-1 (another tenant's customer) lost its key: %d left", n)
	}
	code, v = g.do(t, boss, http.MethodGet, retention.ErasuresPath, "")
	list, _ := v["erasures"].([]any)
	if code != 200 || len(list) != 1 || !keyedSubject(list[0], "cust-1") || strings.Contains(fmt.Sprint(v), `cust-1`) {
		t.Fatalf("GET erasures: %d %v", code, v)
	}
	waitFor(t, "the erasure's audit event", func() bool { return len(g.audit.Query("acme", retention.ActionErasure, time.Time{}, 10)) == 1 })
	if e := g.audit.Query("acme", retention.ActionErasure, time.Time{}, 1)[0]; e.Actor != "boss" || e.Target != id || !strings.Contains(e.Detail, "20 stored revisions") ||
		strings.Contains(e.Detail, "cust-1") || strings.Contains(e.Detail, store.SubjectHash(nil, "cust-1")) {
		t.Errorf("erasure audit: %+v", e)
	}
	if code, v = g.do(t, other, http.MethodGet, retention.ErasuresPath, ""); code != 200 || len(v["erasures"].([]any)) != 0 {
		t.Fatalf("globex's erasures: %d %v", code, v)
	}

	// An agent: refused while they worked in the last 30 days, unknown
	// ids refused, a3 (left 40 days ago) pseudonymised; again is
	// harmless and names the same pseudonym.
	if code, v = g.do(t, boss, http.MethodPost, retention.ErasuresPath, `{"kind":"agent","agent_id":"a1"}`); code != 409 || v["field"] != "agent_id" {
		t.Fatalf("erasing a working agent: %d %v, want 409 naming agent_id", code, v)
	}
	if code, v = g.do(t, boss, http.MethodPost, retention.ErasuresPath, `{"kind":"agent","agent_id":"nobody"}`); code != 404 || v["field"] != "agent_id" {
		t.Fatalf("erasing an unknown agent: %d %v, want 404 naming agent_id", code, v)
	}
	if n := len(stored(t, st, "acme", "a3")); n != 6 {
		t.Fatalf("a3 has %d interactions within the 45 days, want 6", n)
	}
	// a3's coaching plan: in progress, the erasure is refused; cancelled,
	// it is rewritten with the pseudonym and without its free text.
	plan := store.PlanRecord{Version: 1, Plan: views.Plan{ID: "p-a3", TenantID: "acme", AgentID: "a3", Model: "voice", Inquiry: "billing",
		Metric: views.MetricAHT, Status: views.PlanInProgress, CreatedAt: now.AddDate(0, 0, -60), TargetDate: "2026-11-01",
		Actions:   []views.PlanAction{{Text: "call my mentor Jo", Done: true}},
		Comments:  []views.PlanComment{{By: "a3", Role: "agent", At: now.AddDate(0, 0, -50), Text: "my back hurts"}, {By: "lead", Role: "supervisor", Text: "ok"}},
		CreatedBy: &views.PlanActor{Subject: "a3", Role: "agent"}}}
	var ps store.PlanStore = st
	if err := ps.PutPlan(context.Background(), plan); err != nil {
		t.Fatal(err)
	}
	if code, v = g.do(t, boss, http.MethodPost, retention.ErasuresPath, `{"kind":"agent","agent_id":"a3"}`); code != 409 || v["field"] != "agent_id" || !strings.Contains(fmt.Sprint(v["error"]), "p-a3") {
		t.Fatalf("erasing an agent with a plan in progress: %d %v, want 409 naming agent_id and the plan", code, v)
	}
	plan.Version, plan.Plan.Status = 2, views.PlanCancelled
	if err := ps.PutPlan(context.Background(), plan); err != nil {
		t.Fatal(err)
	}
	code, v = g.do(t, boss, http.MethodPost, retention.ErasuresPath, `{"kind":"agent","agent_id":"a3"}`)
	pseudonym, _ := v["pseudonym"].(string)
	removed, _ = v["removed"].(map[string]any)
	if code != 200 || !strings.HasPrefix(pseudonym, "erased-") || !keyedSubject(v, "a3") || removed["revisions"] != float64(6) ||
		removed["plans"] != float64(1) || v["done"] != true {
		t.Fatalf("erasing a3: %d %v", code, v)
	}
	got, err := ps.Plan(context.Background(), "acme", "p-a3")
	if err != nil {
		t.Fatal(err)
	}
	if b, _ := json.Marshal(got); got.Plan.AgentID != pseudonym || got.Plan.Status != views.PlanCancelled || strings.Contains(string(b), `"a3"`) ||
		strings.Contains(string(b), "Jo") || strings.Contains(string(b), "hurts") || !got.Plan.Actions[0].Done || got.Plan.Comments[1].By != "lead" {
		t.Fatalf("a3's plan after the erasure: %s", b)
	}
	if left, err := ps.Plans(context.Background(), store.PlanQuery{Tenant: "acme", Agent: "a3"}); err != nil || len(left) != 0 {
		t.Fatalf("plans still under a3: %v, %v", left, err)
	}
	if n, m := len(stored(t, st, "acme", "a3")), len(stored(t, st, "acme", pseudonym)); n != 0 || m != 6 {
		t.Fatalf("after erasing a3: %d interactions under a3, %d under %s; want 0 and 6", n, m, pseudonym)
	}
	code, v = g.do(t, boss, http.MethodPost, retention.ErasuresPath, `{"kind":"agent","agent_id":"a3"}`)
	if code != 200 || v["pseudonym"] != pseudonym {
		t.Fatalf("erasing a3 again: %d %v", code, v)
	}
	waitFor(t, "the agent erasure's audit events", func() bool { return len(g.audit.Query("acme", retention.ActionErasure, time.Time{}, 10)) == 3 })
	for _, e := range g.audit.Query("acme", retention.ActionErasure, time.Time{}, 10) {
		if strings.Contains(e.Detail, store.SubjectHash(nil, "a3")) || strings.Contains(e.Detail, v["subject"].(string)) {
			t.Errorf("erasure audit event links the agent: %+v", e)
		}
	}

	// Bad input and other roles.
	for _, tc := range []struct{ method, path, body, field string }{
		{http.MethodPut, retention.RetentionPath, `{"days": 7}`, "days"},
		{http.MethodPut, retention.RetentionPath, `{"days": 3661}`, "days"},
		{http.MethodPut, retention.RetentionPath, `{"days": 45.5}`, "days"},
		{http.MethodPut, retention.RetentionPath, `{"days": "45"}`, "days"},
		{http.MethodPut, retention.RetentionPath, `{}`, "days"},
		{http.MethodPut, retention.RetentionPath, `{"dayz": 45}`, "body"},
		{http.MethodPut, retention.RetentionPath, `[`, "body"},
		{http.MethodPost, retention.ErasuresPath, `{"kind":"robot"}`, "kind"},
		{http.MethodPost, retention.ErasuresPath, `{"customer_key":"x"}`, "kind"},
		{http.MethodPost, retention.ErasuresPath, `{"kind":"customer"}`, "customer_key"},
		{http.MethodPost, retention.ErasuresPath, `{"kind":"customer","customer_key":"a\nb"}`, "customer_key"},
		{http.MethodPost, retention.ErasuresPath, `{"kind":"customer","customer_key":"` + strings.Repeat("k", 129) + `"}`, "customer_key"},
		{http.MethodPost, retention.ErasuresPath, `{"kind":"customer","customer_key":"k","agent_id":"a1"}`, "agent_id"},
		{http.MethodPost, retention.ErasuresPath, `{"kind":"agent"}`, "agent_id"},
	} {
		code, v := g.do(t, boss, tc.method, tc.path, tc.body)
		if code != 400 || v["field"] != tc.field {
			t.Errorf("%s %s %s: %d %v, want 400 naming %s", tc.method, tc.path, tc.body, code, v, tc.field)
		}
	}
	for _, m := range []string{http.MethodGet, http.MethodPut} {
		if code, _ := g.do(t, lead, m, retention.RetentionPath, `{"days": 45}`); code != 403 {
			t.Errorf("supervisor %s retention: %d, want 403", m, code)
		}
	}
	if code, _ := g.do(t, lead, http.MethodPost, retention.ErasuresPath, `{"kind":"customer","customer_key":"x"}`); code != 403 {
		t.Errorf("supervisor erasure: %d, want 403", code)
	}

	// A store rebuilt from the log (the embedded store at every start)
	// gets the retention and the erasure again from the policy topic.
	rebuilt := embedded.New()
	storetest.Fill(t, rebuilt, feed(), 2, 50)
	start(t, c.ListenAddrs(), rebuilt)
	waitFor(t, "the rebuilt store's pass", func() bool { return len(stored(t, rebuilt, "acme", "a1", "a2")) == 92 })
	if n := countKey(stored(t, rebuilt, "acme", "a1", "a2"), "cust-1"); n != 0 {
		t.Fatalf("the rebuilt store holds cust-1 in %d interactions", n)
	}
	waitFor(t, "a3 pseudonymised in the rebuilt store", func() bool {
		return len(stored(t, rebuilt, "acme", "a3")) == 0 && len(stored(t, rebuilt, "acme", pseudonym)) == 6
	})
	// Records stored after the erasure (a replay still under way) are
	// scrubbed as they are stored.
	late := feed()[:3]
	for i := range late {
		late[i].InteractionID += "-late"
	}
	storetest.Fill(t, rebuilt, late, 1, 10)
	if n := countKey(stored(t, rebuilt, "acme", "a1", "a2"), "cust-1"); n != 0 {
		t.Fatalf("a record stored after the erasure kept cust-1 (%d)", n)
	}
}

func countKey(its []schemas.Interaction, key string) int {
	n := 0
	for _, it := range its {
		if it.CustomerKey == key {
			n++
		}
	}
	return n
}

// FuzzParseRetention: ParseRetention never panics, accepts only a whole
// number of days in range, and names a field on every refusal.
func FuzzParseRetention(f *testing.F) {
	for _, s := range []string{`{"days":45}`, `{"days":7}`, `{"days":"x"}`, `{}`, `[`, `{"days":1e3}`, `{"days":45}{}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		days, field, err := retention.ParseRetention(b)
		if err != nil {
			if field == "" {
				t.Fatalf("%q: %v names no field", b, err)
			}
			return
		}
		if days < store.MinRetentionDays || days > retention.MaxDays {
			t.Fatalf("%q: accepted %d days", b, days)
		}
	})
}

// FuzzParseErasure: ParseErasure never panics, accepts only a known kind
// with its one printable subject, and names a field on every refusal.
func FuzzParseErasure(f *testing.F) {
	for _, s := range []string{`{"kind":"customer","customer_key":"c1"}`, `{"kind":"agent","agent_id":"a1"}`, `{"kind":"x"}`, `{}`,
		`{"kind":"customer","customer_key":"\u00e9"}`, `{"kind":"customer","customer_key":"c","agent_id":"a"}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		er, field, err := retention.ParseErasure(b)
		if err != nil {
			if field == "" {
				t.Fatalf("%q: %v names no field", b, err)
			}
			return
		}
		subject := er.CustomerKey
		if er.Kind == retention.KindAgent {
			subject = er.AgentID
		}
		if subject == "" || (er.Kind != retention.KindCustomer && er.Kind != retention.KindAgent) || !bytes.Equal([]byte(subject), []byte(strings.Map(func(r rune) rune {
			if r < 0x20 || r > 0x7e {
				return -1
			}
			return r
		}, subject))) {
			t.Fatalf("%q: accepted %+v", b, er)
		}
	})
}
