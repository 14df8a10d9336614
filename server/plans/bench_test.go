package plans_test

import (
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"github.com/agentpulse/agentpulse/auth"
	"github.com/agentpulse/agentpulse/schemas"
	"github.com/agentpulse/agentpulse/views"
)

// BenchmarkCreatePlan: POST /v1/agents/{agent}/plans on the embedded store
// over the simulated feed (validation, Start from the buckets, Now, store).
func BenchmarkCreatePlan(b *testing.B) {
	e := newEnv(b, "embedded", simulated(b), t1)
	admin := token(b, auth.Claims{Tenant: e.tenant, Subject: "boss", Role: auth.RoleAdmin})
	p := createPlan(b, e, admin, e.agents(e.tenant)[0])
	in, _ := json.Marshal(views.PlanInput{Model: p.Model, Inquiry: p.Inquiry, Metric: views.MetricAES, ImprovementPct: 10,
		TargetDate: "2026-12-20", Actions: []string{"a"}, Assistance: []string{"b"}})
	b.ReportAllocs()
	b.ResetTimer()
	start := time.Now()
	for b.Loop() {
		if code, got := e.do(admin, http.MethodPost, "/v1/agents/"+p.AgentID+"/plans", string(in)); code != http.StatusCreated {
			b.Fatalf("%d: %s", code, got)
		}
	}
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "plans/s")
}

// BenchmarkPlanNow: one re-evaluation of a plan after an update (what a
// worker does per queued update: the store's checkpoint check, Now, the
// history, the stored plan), and GET /v1/plans/{id} (Now recomputed on
// read), on the embedded store.
func BenchmarkPlanNow(b *testing.B) {
	e := newEnv(b, "embedded", simulated(b), t1)
	admin := token(b, auth.Claims{Tenant: e.tenant, Subject: "boss", Role: auth.RoleAdmin})
	p := createPlan(b, e, admin, e.agents(e.tenant)[0])
	if err := e.svc.Sweep(b.Context()); err != nil { // loads the index
		b.Fatal(err)
	}
	e.clock.set(t2)
	b.Run("track", func(b *testing.B) {
		u := schemas.Update{Tenant: e.tenant, Model: p.Model, Agent: p.AgentID, Partition: 0, Offset: -1,
			Interactions: []schemas.UpdateInteraction{{ID: "x", Revision: 1, Inquiry: p.Inquiry, EndedAt: t1}}}
		b.ReportAllocs()
		start := time.Now()
		for b.Loop() {
			if err := e.svc.Track(b.Context(), u); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "updates/s")
	})
	b.Run("get", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if code, got := e.do(admin, http.MethodGet, "/v1/plans/"+p.ID, ""); code != http.StatusOK {
				b.Fatalf("%d: %s", code, got)
			}
		}
	})
}
