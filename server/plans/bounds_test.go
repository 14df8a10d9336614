package plans_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/agentpulse/agentpulse/auth"
	"github.com/agentpulse/agentpulse/server/plans"
	"github.com/agentpulse/agentpulse/views"
)

// TestPlansPerAgentBounded reproduces the security test's LOW finding:
// one token made 247 plans for one agent in 5 s. An agent holds at most
// MaxActivePerAgent plans in progress (409 naming agent past it), and
// cancelling one makes room.
func TestPlansPerAgentBounded(t *testing.T) {
	e, p, toks := accessFixture(t)
	max := plans.DefaultMaxActivePerAgent
	// Copies of p stored directly, as a burst of creates would (the API
	// refuses a second plan in progress on the same inquiry and metric,
	// and a voice agent has fewer such pairs than the bound).
	rec, err := e.ps.Plan(context.Background(), e.tenant, p.ID)
	if err != nil {
		t.Fatal(err)
	}
	for i := 1; i < max; i++ {
		c := rec
		c.Plan.ID = fmt.Sprintf("%s-copy-%d", p.ID, i)
		if err := e.ps.PutPlan(context.Background(), c); err != nil {
			t.Fatal(err)
		}
	}
	in := views.PlanInput{Model: "voice", Inquiry: p.Inquiry, Metric: views.MetricAHT, ImprovementPct: 10, TargetDate: "2026-12-20",
		Actions: []string{"a1"}, Assistance: []string{"help"}}
	body, _ := json.Marshal(in)
	code, got := e.do(toks["agent self"], http.MethodPost, "/v1/agents/"+p.AgentID+"/plans", string(body))
	var refusal struct{ Error, Field string }
	_ = json.Unmarshal(got, &refusal)
	if code != http.StatusConflict || refusal.Field != "agent" || !strings.Contains(refusal.Error, "in progress") {
		t.Fatalf("plan %d of one agent: %d %s, want 409 on agent", max+1, code, got)
	}
	if code, got := e.do(toks["supervisor"], http.MethodPost, "/v1/plans/"+p.ID+"/cancel", ""); code != http.StatusOK {
		t.Fatalf("cancel: %d %s", code, got)
	}
	createPlanOn(t, e, toks["agent self"], p.AgentID, views.MetricAES) // the copies still hold AHT on this inquiry
}

// TestPlanRecordsActors reproduces the security test's LOW finding: a
// plan recorded no actor, so a supervisor could not see who cancelled it.
// A plan now names who created it and who cancelled it (subject and
// role), stored with it and shown to everyone who may see the plan.
func TestPlanRecordsActors(t *testing.T) {
	e, p, toks := accessFixture(t)
	if p.CreatedBy == nil || p.CreatedBy.Subject != p.AgentID || p.CreatedBy.Role != string(auth.RoleAgent) || p.CancelledBy != nil {
		t.Fatalf("created_by %+v cancelled_by %+v, want the agent and none", p.CreatedBy, p.CancelledBy)
	}
	code, got := e.do(toks["supervisor"], http.MethodPost, "/v1/plans/"+p.ID+"/cancel", "")
	if code != http.StatusOK {
		t.Fatalf("cancel: %d %s", code, got)
	}
	code, got = e.do(toks["agent self"], http.MethodGet, "/v1/plans/"+p.ID, "")
	if code != http.StatusOK {
		t.Fatalf("get: %d %s", code, got)
	}
	q := decode[views.Plan](t, got)
	if q.CancelledBy == nil || q.CancelledBy.Subject != "sup" || q.CancelledBy.Role != string(auth.RoleSupervisor) {
		t.Fatalf("cancelled_by %+v, want sup (supervisor)", q.CancelledBy)
	}
	if q.CreatedBy == nil || q.CreatedBy.Subject != p.AgentID {
		t.Fatalf("created_by lost on cancel: %+v", q.CreatedBy)
	}
}
