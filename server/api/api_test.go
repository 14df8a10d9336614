package api_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/agentpulse/agentpulse/auth"
	"github.com/agentpulse/agentpulse/views"
)

// fixture names the data and callers of the access tests.
type fixture struct {
	agent, other    string // two agents of the tenant in different current teams
	team, otherTeam string // their current teams
	inquiry         string // an inquiry agent handled in the default range
	model           string
	tokens          map[string]string // by caller name
}

func newFixture(t testing.TB, e *env) fixture {
	t.Helper()
	f := fixture{model: "voice"}
	agents := e.agents(e.tenant)
	f.agent = agents[0]
	f.team, _ = e.ref.TeamOf(e.tenant, f.agent)
	for _, a := range agents[1:] {
		if tm, _ := e.ref.TeamOf(e.tenant, a); tm != f.team {
			f.other, f.otherTeam = a, tm
			break
		}
	}
	if f.other == "" {
		t.Fatal("simulated feed has one team only")
	}
	p, err := e.ref.AgentPerformance(e.tenant, f.agent, f.model, views.RangeSpec{}, views.SortSpec{})
	if err != nil || len(p.Inquiries) == 0 {
		t.Fatalf("agent %s has no %s inquiries: %v", f.agent, f.model, err)
	}
	f.inquiry = p.Inquiries[0].Inquiry
	bad, err := auth.Mint([]byte("another-secret-another-secret-32"), auth.Claims{Tenant: e.tenant, Subject: "x", Role: auth.RoleAdmin}, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	f.tokens = map[string]string{
		"agent self":         token(t, auth.Claims{Tenant: e.tenant, Subject: f.agent, Role: auth.RoleAgent}),
		"agent other":        token(t, auth.Claims{Tenant: e.tenant, Subject: f.other, Role: auth.RoleAgent}),
		"supervisor own":     token(t, auth.Claims{Tenant: e.tenant, Subject: "sup1", Role: auth.RoleSupervisor, Teams: []string{f.team}}),
		"supervisor other":   token(t, auth.Claims{Tenant: e.tenant, Subject: "sup2", Role: auth.RoleSupervisor, Teams: []string{f.otherTeam}}),
		"admin":              token(t, auth.Claims{Tenant: e.tenant, Subject: "boss", Role: auth.RoleAdmin}),
		"ingest":             token(t, auth.Claims{Tenant: e.tenant, Subject: "feed", Role: auth.RoleIngest}),
		"other tenant admin": token(t, auth.Claims{Tenant: "initech", Subject: "boss", Role: auth.RoleAdmin}),
		"no token":           "",
		"bad token":          bad,
	}
	return f
}

// TestAccess asks every route as every caller and checks the status, the
// error shape of refusals and that no refusal carries data.
func TestAccess(t *testing.T) {
	e := newEnv(t)
	f := newFixture(t, e)
	q := "?model=" + f.model
	routes := map[string]string{
		"models":      "/v1/agents/" + f.agent + "/models",
		"performance": "/v1/agents/" + f.agent + "/performance" + q,
		"inquiry":     "/v1/agents/" + f.agent + "/inquiries/" + url.PathEscape(f.inquiry) + q,
		"team":        "/v1/teams/" + f.team + "/agents" + q,
	}
	// want[route][caller]: other tenant's admin reads its own (empty)
	// tenant: an empty model list, no data elsewhere.
	agentRoute := map[string]int{
		"agent self": 200, "agent other": 403, "supervisor own": 200, "supervisor other": 403,
		"admin": 200, "ingest": 403, "other tenant admin": 404, "no token": 401, "bad token": 401,
	}
	models := clone(agentRoute)
	models["other tenant admin"] = 200
	team := clone(agentRoute)
	team["agent self"], team["agent other"] = 403, 403
	want := map[string]map[string]int{"models": models, "performance": agentRoute, "inquiry": agentRoute, "team": team}
	for route, target := range routes {
		for caller, tok := range f.tokens {
			t.Run(route+"/"+caller, func(t *testing.T) {
				code, body := e.get(tok, target)
				if code != want[route][caller] {
					t.Fatalf("GET %s = %d %s, want %d", target, code, body, want[route][caller])
				}
				if code == 200 {
					if caller == "other tenant admin" && string(body) != `{"models":[]}`+"\n" {
						t.Fatalf("other tenant sees %s", body)
					}
					return
				}
				var eb errBody
				if err := json.Unmarshal(body, &eb); err != nil || eb.Error == "" {
					t.Fatalf("refusal body %q is not {error, field}: %v", body, err)
				}
			})
		}
	}
}

// TestSupervisorSeesExactlyTheirTeam is a property over every agent of the
// tenant: a supervisor leading one team reads an agent iff the agent's
// current team (by the reference) is that team.
func TestSupervisorSeesExactlyTheirTeam(t *testing.T) {
	e := newEnv(t)
	f := newFixture(t, e)
	tok := token(t, auth.Claims{Tenant: e.tenant, Subject: "sup", Role: auth.RoleSupervisor, Teams: []string{f.team}})
	seen := 0
	for _, a := range append(e.agents(e.tenant), "nobody") {
		cur, _ := e.ref.TeamOf(e.tenant, a)
		want := http.StatusForbidden
		if cur == f.team {
			want = http.StatusOK
			seen++
		}
		if code, body := e.get(tok, "/v1/agents/"+a+"/models"); code != want {
			t.Errorf("agent %s (team %q): %d %s, want %d", a, cur, code, body, want)
		}
	}
	if seen == 0 {
		t.Fatal("no agent in the supervisor's team")
	}
}

// TestBadParameters checks that each broken parameter is a 400 naming it
// and that unknown data is a 404, never a 5xx.
func TestBadParameters(t *testing.T) {
	e := newEnv(t)
	f := newFixture(t, e)
	perf := "/v1/agents/" + f.agent + "/performance"
	inq := "/v1/agents/" + f.agent + "/inquiries/" + url.PathEscape(f.inquiry)
	cases := []struct {
		target string
		code   int
		field  string
	}{
		{perf, 400, "model"},
		{perf + "?model=", 400, "model"},
		{perf + "?model=Voice", 400, "model"},
		{perf + "?model=voice&range=5y", 400, "range"},
		{perf + "?model=voice&range=3m&from=2026-10-01T00:00:00Z", 400, "range"},
		{perf + "?model=voice&from=2026-10-01T00:00:00Z", 400, "to"},
		{perf + "?model=voice&to=2026-10-01T00:00:00Z", 400, "from"},
		{perf + "?model=voice&from=yesterday&to=2026-10-01T00:00:00Z", 400, "from"},
		{perf + "?model=voice&from=2026-10-02T00:00:00Z&to=2026-10-01T00:00:00Z", 400, "to"},
		{perf + "?model=voice&from=1900-01-01T00:00:00Z&to=2026-10-01T00:00:00Z", 400, "from"},
		{perf + "?model=voice&from=2026-01-01T00:00:00Z&to=9999-12-31T23:59:59Z", 400, "to"},
		{perf + "?model=voice&sort=name", 400, "sort"},
		{perf + "?model=voice&sort=aht&order=up", 400, "order"},
		{perf + "?model=nosuchmodel", 404, "model"},
		{perf + "?model=voice&from=2020-01-01T00:00:00Z&to=2020-02-01T00:00:00Z", 200, ""},
		{perf + "?model=voice&sort=psat&order=asc&range=1w", 200, ""},
		{"/v1/agents/-bad/performance?model=voice", 400, "agent"},
		{"/v1/agents/a%2Fb/performance?model=voice", 400, "agent"},
		{"/v1/agents/nobody/performance?model=voice", 404, "agent"},
		{inq, 400, "model"},
		{inq + "?model=voice&range=2d", 400, "range"},
		{inq + "?model=nosuchmodel", 404, "model"},
		{"/v1/agents/" + f.agent + "/inquiries/nosuchinquiry?model=voice", 404, "inquiry"},
		{"/v1/agents/" + f.agent + "/inquiries/a%01b?model=voice", 400, "inquiry"},
		{"/v1/teams/" + f.team + "/agents", 400, "model"},
		{"/v1/teams/" + f.team + "/agents?model=voice&order=asc&sort=x", 200, ""}, // no sort on teams: ignored
		{"/v1/teams/" + f.team + "/agents?model=nosuchmodel", 404, "model"},
		{"/v1/teams/bad%20team/agents?model=voice", 400, "team"},
		{"/v1/teams/nosuchteam/agents?model=voice", 200, ""},
	}
	admin := f.tokens["admin"]
	for _, c := range cases {
		code, body := e.get(admin, c.target)
		if code != c.code {
			t.Errorf("GET %s = %d %s, want %d", c.target, code, body, c.code)
			continue
		}
		if code == 200 {
			continue
		}
		var eb errBody
		if err := json.Unmarshal(body, &eb); err != nil || eb.Field != c.field || eb.Error == "" {
			t.Errorf("GET %s body %s, want field %q", c.target, body, c.field)
		}
	}
}

// TestPerformanceEqualsReference checks that the performance endpoint's
// JSON is the reference's answer encoded the same way, for several agents,
// models, ranges and sorts.
func TestPerformanceEqualsReference(t *testing.T) {
	e := newEnv(t)
	tok := token(t, auth.Claims{Tenant: e.tenant, Subject: "boss", Role: auth.RoleAdmin})
	agents := e.agents(e.tenant)
	queries := []struct {
		query string
		spec  views.RangeSpec
		sort  views.SortSpec
	}{
		{"", views.RangeSpec{}, views.SortSpec{}},
		{"&range=1w&sort=aes", views.RangeSpec{Preset: views.Preset1W}, views.SortSpec{Key: views.SortAES, Explicit: true}},
		{"&range=24h&sort=psat&order=asc", views.RangeSpec{Preset: views.Preset24H}, views.SortSpec{Key: views.SortPSAT, Explicit: true}},
	}
	compared, exact := 0, 0
	for _, agent := range []string{agents[0], agents[len(agents)/2], agents[len(agents)-1]} {
		for _, model := range []string{"voice", "chat", "email"} {
			for _, q := range queries {
				target := fmt.Sprintf("/v1/agents/%s/performance?model=%s%s", agent, model, q.query)
				code, body := e.get(tok, target)
				want, err := e.ref.AgentPerformance(e.tenant, agent, model, q.spec, q.sort)
				if err != nil {
					t.Fatalf("reference: %v", err)
				}
				wantBody, err := json.Marshal(want)
				if err != nil {
					t.Fatal(err)
				}
				if code != 200 {
					t.Fatalf("GET %s = %d %s", target, code, body)
				}
				if p, ok := jsonDiff(body, wantBody); !ok {
					t.Errorf("GET %s differs from the reference at %s:\n got %s\nwant %s", target, p, body, wantBody)
				}
				compared++
				if string(body) == string(wantBody)+"\n" {
					exact++
				}
			}
		}
	}
	t.Logf("%d answers compared, %d byte-identical", compared, exact)
}

func clone(m map[string]int) map[string]int {
	out := make(map[string]int, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}
