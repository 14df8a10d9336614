package plans_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/agentpulse/agentpulse/views"
)

// TestDuplicatePlan: a second plan on the same agent, model, inquiry and
// metric as one in progress is refused with 409 naming the existing plan
// (plan_id); another metric is accepted; once the first is cancelled, or
// settled at its due time, the same plan is accepted again.
func TestDuplicatePlan(t *testing.T) {
	e, p, toks := accessFixture(t)
	in := views.PlanInput{Model: p.Model, Inquiry: p.Inquiry, Metric: p.Metric, ImprovementPct: 20, TargetDate: "2026-12-24",
		Actions: []string{"again"}, Assistance: []string{"help"}}
	post := func(tok string, in views.PlanInput) (int, []byte) {
		body, _ := json.Marshal(in)
		return e.do(tok, http.MethodPost, "/v1/agents/"+p.AgentID+"/plans", string(body))
	}
	// The supervisor's copy is refused just like the agent's own.
	for _, who := range []string{"agent self", "supervisor"} {
		code, got := post(toks[who], in)
		var body struct {
			Error  string `json:"error"`
			Field  string `json:"field"`
			PlanID string `json:"plan_id"`
		}
		_ = json.Unmarshal(got, &body)
		if code != http.StatusConflict || body.PlanID != p.ID || body.Field != "metric" || !strings.Contains(body.Error, p.ID) || !strings.Contains(body.Error, "cancel it") {
			t.Fatalf("%s: duplicate = %d %s, want 409 naming plan %s", who, code, got, p.ID)
		}
	}
	// Another metric on the same inquiry is a different plan.
	other := in
	other.Metric = views.MetricAES
	if code, got := post(toks["agent self"], other); code != http.StatusCreated {
		t.Fatalf("other metric = %d: %s", code, got)
	}
	// Cancelled: the same plan is accepted again, and is then the one a
	// third copy is refused against.
	if code, got := e.do(toks["agent self"], http.MethodPost, "/v1/plans/"+p.ID+"/cancel", ""); code != 200 {
		t.Fatalf("cancel = %d: %s", code, got)
	}
	code, got := post(toks["agent self"], in)
	if code != http.StatusCreated {
		t.Fatalf("after cancel = %d: %s", code, got)
	}
	second := decode[views.Plan](t, got)
	in.TargetDate = "2026-12-28"
	if code, got := post(toks["agent self"], in); code != http.StatusConflict || !strings.Contains(string(got), second.ID) {
		t.Fatalf("third copy = %d: %s", code, got)
	}
	// Past the second's due time it is settled, and no longer blocks.
	e.clock.set(mustDate(t, second.TargetDate).Add(time.Hour))
	in.TargetDate = mustDate(t, second.TargetDate).AddDate(0, 0, 20).Format(views.DateLayout)
	if code, got := post(toks["agent self"], in); code != http.StatusCreated {
		t.Fatalf("after the first is due = %d: %s", code, got)
	}
}
