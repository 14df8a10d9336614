package storetest

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/agentpulse/agentpulse/processor/store"
	"github.com/agentpulse/agentpulse/views"
)

// RunPlans runs the conformance suite of store.PlanStore: versioned
// full-state writes, idempotent redelivery, the queries, tenant isolation,
// the assistance catalogue, and (with Durable) that plans survive a
// reopen. open follows the rules of Run.
func RunPlans(t *testing.T, open func(t *testing.T) store.PlanStore, opts ...Option) {
	var o options
	for _, opt := range opts {
		opt(&o)
	}
	t.Run("Versions", func(t *testing.T) { testPlanVersions(t, open(t)) })
	t.Run("Queries", func(t *testing.T) { testPlanQueries(t, open(t)) })
	t.Run("Catalog", func(t *testing.T) { testCatalog(t, open(t)) })
	t.Run("Restart", func(t *testing.T) {
		if !o.durable {
			t.Skip("the store is not durable")
		}
		s := open(t)
		recs := planFixtures()
		for _, r := range recs {
			putPlan(t, s, r)
		}
		if err := s.PutAssistanceCatalog(t.Context(), "t1", []string{"x", "y"}, 3); err != nil {
			t.Fatal(err)
		}
		if c, ok := s.(interface{ Close() error }); ok {
			_ = c.Close()
		}
		s2 := open(t)
		checkPlans(t, "after reopen", s2, store.PlanQuery{}, recs)
		items, ok, err := s2.AssistanceCatalog(t.Context(), "t1")
		if err != nil || !ok || !slices.Equal(items, []string{"x", "y"}) {
			t.Errorf("catalog after reopen = %q, %v, %v", items, ok, err)
		}
	})
}

var planT0 = time.Date(2026, 11, 3, 9, 30, 0, 123456789, time.UTC)

// planRec is a plan state with every field set.
func planRec(tenant, id, agent string, status views.PlanStatus, created time.Time, version int64) store.PlanRecord {
	now := 301.25
	return store.PlanRecord{
		Plan: views.Plan{
			ID: id, TenantID: tenant, AgentID: agent, Model: "voice", Inquiry: "billing – Rückerstattung \"q\"",
			Metric: views.MetricAHT, ImprovementPct: 12.5, StartValue: 320.5, TargetValue: 280.4375,
			NowValue: &now, NowVolume: 20, TargetDate: "2027-01-15", Status: status, OnTrack: false,
			CreatedAt: created, Actions: []views.PlanAction{{Text: "listen to 3 calls", Done: true}, {Text: "ü ✓"}},
			Assistance: []string{"coaching session"}, Warnings: []string{},
			History: []views.DayValue{{Date: "2026-11-03", Value: 310.5}},
		},
		Sealed:  time.Date(2026, 11, 4, 0, 0, 0, 0, time.UTC),
		Version: version,
	}
}

func planFixtures() []store.PlanRecord {
	return []store.PlanRecord{
		planRec("t1", "p1", "a", views.PlanInProgress, planT0, 1),
		planRec("t1", "p2", "a", views.PlanCancelled, planT0.Add(time.Hour), 5),
		planRec("t1", "p3", "b", views.PlanInProgress, planT0.Add(-time.Hour), 2),
		planRec("t2", "p1", "a", views.PlanAchieved, planT0, 9), // same id, other tenant
	}
}

func putPlan(t testing.TB, s store.PlanStore, r store.PlanRecord) {
	t.Helper()
	if err := s.PutPlan(t.Context(), r); err != nil {
		t.Fatalf("PutPlan(%s/%s v%d): %v", r.Plan.TenantID, r.Plan.ID, r.Version, err)
	}
}

func canonPlan(r store.PlanRecord) string {
	r.Plan.CreatedAt = r.Plan.CreatedAt.UTC()
	r.Sealed = r.Sealed.UTC()
	b, _ := json.Marshal(r)
	return string(b)
}

func canonPlans(rs []store.PlanRecord) string {
	out := ""
	for _, r := range rs {
		out += canonPlan(r) + "\n"
	}
	return out
}

// checkPlans compares Plans(q) with want (in the store's order).
func checkPlans(t testing.TB, step string, s store.PlanStore, q store.PlanQuery, want []store.PlanRecord) {
	t.Helper()
	got, err := s.Plans(t.Context(), q)
	if err != nil {
		t.Fatalf("%s: Plans(%+v): %v", step, q, err)
	}
	want = slices.Clone(want)
	store.SortPlans(want)
	sameText(t, fmt.Sprintf("%s: Plans(%+v)", step, q), canonPlans(got), canonPlans(want))
}

// testPlanVersions: the highest version wins whatever the write order; a
// redelivered state changes nothing; a missing plan is ErrPlanNotFound.
func testPlanVersions(t *testing.T, s store.PlanStore) {
	if _, err := s.Plan(t.Context(), "t1", "p1"); !errors.Is(err, store.ErrPlanNotFound) {
		t.Fatalf("Plan of an empty store: err = %v, want ErrPlanNotFound", err)
	}
	v1 := planRec("t1", "p1", "a", views.PlanInProgress, planT0, 10)
	v2 := v1
	v2.Plan.Actions = []views.PlanAction{{Text: "listen to 3 calls", Done: false}, {Text: "ü ✓", Done: true}}
	v2.Plan.NowValue, v2.Plan.NowVolume = nil, 0
	v2.Version = 11
	v3 := v2
	v3.Plan.Status = views.PlanCancelled
	v3.Version = 1 << 62
	get := func(step string, want store.PlanRecord) {
		t.Helper()
		got, err := s.Plan(t.Context(), "t1", "p1")
		if err != nil {
			t.Fatalf("%s: Plan: %v", step, err)
		}
		sameText(t, step, canonPlan(got), canonPlan(want))
	}
	putPlan(t, s, v2)
	putPlan(t, s, v1) // older, later
	get("older after newer", v2)
	putPlan(t, s, v2) // redelivery
	putPlan(t, s, v2)
	get("redelivered", v2)
	checkPlans(t, "redelivered", s, store.PlanQuery{Tenant: "t1"}, []store.PlanRecord{v2})
	putPlan(t, s, v3)
	get("newest", v3)
	checkPlans(t, "status follows the newest state", s, store.PlanQuery{Tenant: "t1", Status: views.PlanInProgress}, nil)
	checkPlans(t, "status follows the newest state", s, store.PlanQuery{Tenant: "t1", Status: views.PlanCancelled}, []store.PlanRecord{v3})
	for _, k := range [][2]string{{"t2", "p1"}, {"t1", "P1"}, {"", "p1"}, {"t1", ""}} {
		if _, err := s.Plan(t.Context(), k[0], k[1]); !errors.Is(err, store.ErrPlanNotFound) {
			t.Errorf("Plan(%q, %q): err = %v, want ErrPlanNotFound", k[0], k[1], err)
		}
	}
}

// testPlanQueries: tenant, agent and status filters, every combination,
// newest created first, tenants isolated.
func testPlanQueries(t *testing.T, s store.PlanStore) {
	recs := planFixtures()
	for _, r := range recs {
		putPlan(t, s, r)
	}
	for _, q := range []store.PlanQuery{
		{}, {Tenant: "t1"}, {Tenant: "t2"}, {Tenant: "t3"}, {Tenant: "t1", Agent: "a"}, {Tenant: "t1", Agent: "b"},
		{Tenant: "t1", Agent: "c"}, {Tenant: "t1", Status: views.PlanInProgress}, {Status: views.PlanInProgress},
		{Tenant: "t1", Agent: "a", Status: views.PlanCancelled}, {Agent: "a"}, {Status: views.PlanMissed},
	} {
		var want []store.PlanRecord
		for _, r := range recs {
			p := r.Plan
			if (q.Tenant == "" || p.TenantID == q.Tenant) && (q.Agent == "" || p.AgentID == q.Agent) && (q.Status == "" || p.Status == q.Status) {
				want = append(want, r)
			}
		}
		checkPlans(t, "fixtures", s, q, want)
	}
}

// testCatalog: absent until stored; the highest version wins; an empty
// list is a stored list; tenants isolated.
func testCatalog(t *testing.T, s store.PlanStore) {
	get := func(step, tenant string, want []string, wantOK bool) {
		t.Helper()
		items, ok, err := s.AssistanceCatalog(t.Context(), tenant)
		if err != nil {
			t.Fatalf("%s: AssistanceCatalog: %v", step, err)
		}
		if ok != wantOK || !slices.Equal(items, want) || (wantOK && items == nil) {
			t.Errorf("%s: AssistanceCatalog(%s) = %q, %v; want %q, %v", step, tenant, items, ok, want, wantOK)
		}
	}
	get("empty store", "t1", nil, false)
	put := func(tenant string, items []string, v int64) {
		t.Helper()
		if err := s.PutAssistanceCatalog(t.Context(), tenant, items, v); err != nil {
			t.Fatal(err)
		}
	}
	put("t1", []string{"side-by-side with a top agent", "ü \"q\""}, 5)
	put("t1", []string{"old"}, 4)
	get("older ignored", "t1", []string{"side-by-side with a top agent", "ü \"q\""}, true)
	get("other tenant", "t2", nil, false)
	put("t1", []string{}, 6)
	get("emptied", "t1", []string{}, true)
	put("t2", []string{"a"}, 1)
	get("t2", "t2", []string{"a"}, true)
}
