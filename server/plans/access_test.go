package plans_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/agentpulse/agentpulse/auth"
	"github.com/agentpulse/agentpulse/views"
)

// accessFixture creates one plan for agent a (team ta) on the embedded
// store and returns the env, the plan, and a token per caller.
func accessFixture(t testing.TB) (*env, views.Plan, map[string]string) {
	e := newEnv(t, "embedded", simulated(t), t1)
	agents := e.agents(e.tenant)
	a := agents[0]
	ta := e.teamOf(e.tenant, a)
	var other, otherTeam string
	for _, b := range agents {
		if tb := e.teamOf(e.tenant, b); tb != ta {
			other, otherTeam = b, tb
			break
		}
	}
	if other == "" {
		t.Fatal("every agent is in one team")
	}
	tenant2 := ""
	for _, it := range e.its {
		if it.TenantID != e.tenant {
			tenant2 = it.TenantID
			break
		}
	}
	toks := map[string]string{
		"agent self":       token(t, auth.Claims{Tenant: e.tenant, Subject: a, Role: auth.RoleAgent}),
		"other agent":      token(t, auth.Claims{Tenant: e.tenant, Subject: other, Role: auth.RoleAgent}),
		"supervisor":       token(t, auth.Claims{Tenant: e.tenant, Subject: "sup", Role: auth.RoleSupervisor, Teams: []string{ta}}),
		"other supervisor": token(t, auth.Claims{Tenant: e.tenant, Subject: "sup2", Role: auth.RoleSupervisor, Teams: []string{otherTeam}}),
		"admin":            token(t, auth.Claims{Tenant: e.tenant, Subject: "boss", Role: auth.RoleAdmin}),
		"other tenant":     token(t, auth.Claims{Tenant: tenant2, Subject: "boss", Role: auth.RoleAdmin}),
		"ingest":           token(t, auth.Claims{Tenant: e.tenant, Subject: "feed", Role: auth.RoleIngest}),
		"none":             "",
	}
	p := createPlan(t, e, toks["agent self"], a)
	return e, p, toks
}

// createPlan creates a valid AHT plan for agent on their busiest voice
// inquiry.
func createPlan(t testing.TB, e *env, tok, agent string) views.Plan {
	t.Helper()
	return createPlanOn(t, e, tok, agent, views.MetricAHT)
}

// createPlanOn creates a valid plan on metric for agent on their busiest
// voice inquiry.
func createPlanOn(t testing.TB, e *env, tok, agent string, metric views.Metric) views.Plan {
	t.Helper()
	n := map[string]int{}
	for _, it := range e.its {
		if it.TenantID == e.tenant && it.AgentID == agent && it.Model == "voice" && it.EndedAt.Before(t1) {
			n[it.Inquiry]++
		}
	}
	best := ""
	for q, c := range n {
		if best == "" || c > n[best] || c == n[best] && q < best {
			best = q
		}
	}
	in := views.PlanInput{Model: "voice", Inquiry: best, Metric: metric, ImprovementPct: 10, TargetDate: "2026-12-20",
		Actions: []string{"a1", "a2"}, Assistance: []string{"help"}}
	body, _ := json.Marshal(in)
	code, got := e.do(tok, http.MethodPost, "/v1/agents/"+agent+"/plans", string(body))
	if code != http.StatusCreated {
		t.Fatalf("create plan = %d: %s", code, got)
	}
	return decode[views.Plan](t, got)
}

// TestAccess covers every plan route × caller. A plan the caller may not
// see is 404 like an unknown one (no existence leak); an agent's list
// they may not see is 403; ingest is 403 everywhere; no token is 401.
func TestAccess(t *testing.T) {
	e, p, toks := accessFixture(t)
	valid := `{"model":"voice","inquiry":"` + p.Inquiry + `","metric":"aes","improvement_pct":10,"target_date":"2026-12-20","actions":["x"],"assistance":["y"]}`
	type route struct{ name, method, target, body string }
	routes := []route{
		{"create", "POST", "/v1/agents/" + p.AgentID + "/plans", valid},
		{"list", "GET", "/v1/agents/" + p.AgentID + "/plans", ""},
		{"get", "GET", "/v1/plans/" + p.ID, ""},
		{"tick", "PATCH", "/v1/plans/" + p.ID + "/actions/0", `{"done":true}`},
		{"catalog", "GET", "/v1/assistance-catalog", ""},
		{"put catalog", "PUT", "/v1/assistance-catalog", `{"items":["a","b"]}`},
		{"get unknown", "GET", "/v1/plans/no-such-plan", ""},
		{"cancel", "POST", "/v1/plans/" + p.ID + "/cancel", ""}, // last: it ends the plan
	}
	want := map[string]map[string]int{
		"agent self":       {"create": 201, "list": 200, "get": 200, "tick": 200, "catalog": 200, "put catalog": 403, "get unknown": 404, "cancel": 200},
		"other agent":      {"create": 403, "list": 403, "get": 404, "tick": 404, "catalog": 200, "put catalog": 403, "get unknown": 404, "cancel": 404},
		"supervisor":       {"create": 201, "list": 200, "get": 200, "tick": 200, "catalog": 200, "put catalog": 403, "get unknown": 404, "cancel": 200},
		"other supervisor": {"create": 403, "list": 403, "get": 404, "tick": 404, "catalog": 200, "put catalog": 403, "get unknown": 404, "cancel": 404},
		"admin":            {"create": 201, "list": 200, "get": 200, "tick": 200, "catalog": 200, "put catalog": 200, "get unknown": 404, "cancel": 200},
		"other tenant":     {"create": 201, "list": 200, "get": 404, "tick": 404, "catalog": 200, "put catalog": 200, "get unknown": 404, "cancel": 404},
		"ingest":           {"create": 403, "list": 403, "get": 403, "tick": 403, "catalog": 403, "put catalog": 403, "get unknown": 403, "cancel": 403},
		"none":             {"create": 401, "list": 401, "get": 401, "tick": 401, "catalog": 401, "put catalog": 401, "get unknown": 401, "cancel": 401},
	}
	// The other tenant's admin creates a plan for the same agent id in
	// their own tenant (the simulated tenants share agent ids); it never
	// sees the first tenant's plan.
	var notFoundBody string
	for _, caller := range []string{"other agent", "other supervisor", "other tenant", "agent self", "supervisor", "admin", "ingest", "none"} {
		for _, r := range routes {
			if r.name == "cancel" && caller != "admin" && want[caller]["cancel"] == 200 {
				continue // only the admin cancels; the agent and supervisor are checked below
			}
			code, body := e.do(toks[caller], r.method, r.target, r.body)
			if r.name == "create" && code == http.StatusCreated {
				// End it, so the next caller's copy is not a duplicate (409).
				id := decode[views.Plan](t, body).ID
				if c, b := e.do(toks["admin"], "POST", "/v1/plans/"+id+"/cancel", ""); c != 200 && caller != "other tenant" {
					t.Fatalf("cancel the created plan = %d: %s", c, b)
				}
			}
			if code != want[caller][r.name] {
				t.Errorf("%s %s: %d, want %d: %s", caller, r.name, code, want[caller][r.name], body)
			}
			if code >= 400 {
				b := decode[errorsBody](t, body)
				if b.Error == "" {
					t.Errorf("%s %s: error body without error: %s", caller, r.name, body)
				}
			}
			if code == 404 && r.name == "get" {
				_, unknown := e.do(toks[caller], "GET", "/v1/plans/no-such-plan", "")
				if strings.Replace(string(body), p.ID, "no-such-plan", 1) != string(unknown) {
					t.Errorf("%s: 404 of a hidden plan differs from an unknown one:\n%s\n%s", caller, body, unknown)
				}
				notFoundBody = string(body)
			}
		}
	}
	if notFoundBody == "" {
		t.Error("no hidden-plan 404 was checked")
	}
	// The agent and their supervisor may cancel: each on a plan of its own.
	for _, caller := range []string{"agent self", "supervisor"} {
		q := createPlan(t, e, toks["admin"], p.AgentID)
		if code, body := e.do(toks[caller], "POST", "/v1/plans/"+q.ID+"/cancel", ""); code != 200 {
			t.Errorf("%s cancel = %d: %s", caller, code, body)
		}
	}
}
