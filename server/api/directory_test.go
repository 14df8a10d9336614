package api_test

import (
	"encoding/json"
	"maps"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/go-chi/chi/v5"

	"github.com/agentpulse/agentpulse/auth"
	"github.com/agentpulse/agentpulse/processor/store/embedded"
	"github.com/agentpulse/agentpulse/processor/store/storetest"
	"github.com/agentpulse/agentpulse/server/api"
	"github.com/agentpulse/agentpulse/views"
	"github.com/agentpulse/agentpulse/views/storeview"
)

// testNames is an api.NameSource over fixed maps.
type testNames struct{ people, teams, inquiries map[string]string }

func (n testNames) Person(_, id string) string { return n.people[id] }
func (n testNames) Label(_, kind, id string) string {
	switch kind {
	case "teams":
		return n.teams[id]
	case "inquiries":
		return n.inquiries[id]
	}
	return ""
}

type dirTeam struct {
	Team       string `json:"team"`
	Name       string `json:"name"`
	AgentCount int    `json:"agent_count"`
}

type dirAgent struct {
	AgentID string   `json:"agent_id"`
	Name    string   `json:"name"`
	Team    string   `json:"team"`
	Models  []string `json:"models"`
}

type dirPage struct {
	Teams  []dirTeam  `json:"teams"`
	Agents []dirAgent `json:"agents"`
	Next   string     `json:"next"`
}

// directoryEnvs returns e's handler and one over the same store with the
// cache (what servers run) and names, keyed by a label.
func directoryEnvs(t *testing.T, e *env, names testNames) map[string]*env {
	t.Helper()
	out := map[string]*env{}
	for _, cached := range []bool{false, true} {
		st := embedded.New()
		storetest.Fill(t, st, e.its, 4, 500)
		var opts []storeview.Option
		if cached {
			opts = append(opts, storeview.WithCache(storeview.CacheConfig{}))
		}
		a := api.New(api.Config{Views: storeview.New(st, params, opts...), Verifier: auth.Verifier{Secret: secret}, Names: names})
		r := chi.NewRouter()
		a.Routes(r)
		ce := *e
		ce.handler = r
		if cached {
			out["cached"] = &ce
		} else {
			out["store"] = &ce
		}
	}
	return out
}

// walk reads every page of target (limit given) and returns them joined.
func walk(t *testing.T, e *env, tok, target string) dirPage {
	t.Helper()
	all := dirPage{Teams: []dirTeam{}, Agents: []dirAgent{}}
	next := ""
	for n := 0; n < 1000; n++ {
		u := target
		if next != "" {
			u += "&after=" + url.QueryEscape(next)
		}
		code, body := e.get(tok, u)
		if code != 200 {
			t.Fatalf("GET %s = %d %s", u, code, body)
		}
		var p dirPage
		if err := json.Unmarshal(body, &p); err != nil {
			t.Fatal(err)
		}
		all.Teams = append(all.Teams, p.Teams...)
		all.Agents = append(all.Agents, p.Agents...)
		if p.Next == "" {
			return all
		}
		next = p.Next
	}
	t.Fatalf("%s: no last page", target)
	return all
}

// TestDirectory checks GET /v1/teams and GET /v1/agents against the
// reference's current teams (TeamOf) and models, on the store and the
// cache: every page size gives the whole list, search by id and by name,
// a team's agents, a supervisor's scope, and refusals naming the
// parameter.
func TestDirectory(t *testing.T) {
	e := newEnv(t)
	f := newFixture(t, e)
	agents := e.agents(e.tenant)
	names := testNames{people: map[string]string{agents[1]: "Zoë Quist", agents[2]: "Bo Quisling"}, teams: map[string]string{f.team: "Front Line"}}
	// The reference: each agent's current team and models.
	wantAgents := []dirAgent{}
	counts := map[string]int{}
	for _, a := range agents {
		team, ok := e.ref.TeamOf(e.tenant, a)
		if !ok {
			continue
		}
		ms := []string{}
		for _, m := range e.ref.Models(e.tenant, a) {
			ms = append(ms, m.Model)
		}
		slices.Sort(ms)
		wantAgents = append(wantAgents, dirAgent{AgentID: a, Name: names.people[a], Team: team, Models: ms})
		counts[team]++
	}
	wantTeams := []dirTeam{}
	for _, tm := range slices.Sorted(maps.Keys(counts)) {
		wantTeams = append(wantTeams, dirTeam{Team: tm, Name: names.teams[tm], AgentCount: counts[tm]})
	}
	if len(wantTeams) < 2 {
		t.Fatalf("the feed has %d teams", len(wantTeams))
	}
	same := func(t *testing.T, what string, got, want any) {
		t.Helper()
		g, _ := json.Marshal(got)
		w, _ := json.Marshal(want)
		if string(g) != string(w) {
			t.Errorf("%s:\n got %s\nwant %s", what, g, w)
		}
	}
	filter := func(keep func(a dirAgent) bool) []dirAgent {
		out := []dirAgent{}
		for _, a := range wantAgents {
			if keep(a) {
				out = append(out, a)
			}
		}
		return out
	}
	admin, sup := f.tokens["admin"], f.tokens["supervisor own"]
	for label, de := range directoryEnvs(t, e, names) {
		t.Run(label, func(t *testing.T) {
			for _, limit := range []string{"1", "3", "1000"} {
				same(t, "teams limit "+limit, walk(t, de, admin, "/v1/teams?limit="+limit).Teams, wantTeams)
				same(t, "agents limit "+limit, walk(t, de, admin, "/v1/agents?limit="+limit).Agents, wantAgents)
			}
			code, body := de.get(admin, "/v1/agents?limit=2")
			var p dirPage
			if err := json.Unmarshal(body, &p); code != 200 || err != nil || len(p.Agents) != 2 || p.Next != p.Agents[1].AgentID {
				t.Errorf("first page of 2 = %d %s", code, body)
			}
			// Search: an id's substring (any case), a name's, a team's.
			sub := strings.ToUpper(agents[3][len(agents[3])-3:])
			same(t, "agents q="+sub, walk(t, de, admin, "/v1/agents?limit=2&q="+sub).Agents,
				filter(func(a dirAgent) bool { return strings.Contains(strings.ToUpper(a.AgentID), sub) }))
			same(t, "agents q=quis", walk(t, de, admin, "/v1/agents?limit=1&q=quis").Agents,
				filter(func(a dirAgent) bool { return a.Name != "" }))
			same(t, "agents q=zoë", walk(t, de, admin, "/v1/agents?q=zo%C3%AB").Agents,
				filter(func(a dirAgent) bool { return a.AgentID == agents[1] }))
			same(t, "teams q=front", walk(t, de, admin, "/v1/teams?q=front").Teams, wantTeams[slices.IndexFunc(wantTeams, func(x dirTeam) bool { return x.Team == f.team }):][:1])
			same(t, "agents of team", walk(t, de, admin, "/v1/agents?limit=1&team="+f.team).Agents,
				filter(func(a dirAgent) bool { return a.Team == f.team }))
			same(t, "agents q=nobody", walk(t, de, admin, "/v1/agents?q=nobody").Agents, []dirAgent{})
			// A supervisor: their team only.
			same(t, "supervisor teams", walk(t, de, sup, "/v1/teams?limit=1").Teams, wantTeams[slices.IndexFunc(wantTeams, func(x dirTeam) bool { return x.Team == f.team }):][:1])
			same(t, "supervisor agents", walk(t, de, sup, "/v1/agents?limit=2").Agents,
				filter(func(a dirAgent) bool { return a.Team == f.team }))
			// Another tenant sees nothing of this one.
			same(t, "other tenant", walk(t, de, f.tokens["other tenant admin"], "/v1/agents?limit=5").Agents, []dirAgent{})
			refusals := []struct {
				who, target string
				code        int
				field       string
			}{
				{"agent self", "/v1/agents", 403, "role"},
				{"agent self", "/v1/teams", 403, "role"},
				{"no token", "/v1/agents", 401, "Authorization"},
				{"supervisor own", "/v1/agents?team=" + f.otherTeam, 403, "team"},
				{"admin", "/v1/agents?limit=0", 400, "limit"},
				{"admin", "/v1/teams?limit=1001", 400, "limit"},
				{"admin", "/v1/agents?limit=x", 400, "limit"},
				{"admin", "/v1/agents?after=%20x", 400, "after"},
				{"admin", "/v1/agents?team=a%20b", 400, "team"},
				{"admin", "/v1/teams?q=" + strings.Repeat("a", 129), 400, "q"},
				{"admin", "/v1/teams?q=%01", 400, "q"},
				{"admin", "/v1/agents?q=%FF", 400, "q"},
			}
			for _, r := range refusals {
				code, body := de.get(f.tokens[r.who], r.target)
				var eb errBody
				_ = json.Unmarshal(body, &eb)
				if code != r.code || eb.Field != r.field || (code == 400 && !strings.Contains(eb.Error, "must")) {
					t.Errorf("%s GET %s = %d %s, want %d naming %q", r.who, r.target, code, body, r.code, r.field)
				}
			}
		})
	}
}

// TestTenantInquiries checks GET /v1/inquiries against the reference:
// every inquiry with interactions in a model's 3 months, its volume
// summed over the agents' performance pages, its models and name.
func TestTenantInquiries(t *testing.T) {
	e := newEnv(t)
	f := newFixture(t, e)
	type inq struct {
		Inquiry string   `json:"inquiry"`
		Name    string   `json:"name"`
		Volume  int64    `json:"volume"`
		Models  []string `json:"models"`
	}
	names := testNames{inquiries: map[string]string{f.inquiry: "Billing questions"}}
	want := func(only string) []inq {
		acc := map[string]*inq{}
		for _, m := range []string{"chat", "email", "voice"} {
			if only != "" && m != only {
				continue
			}
			for _, a := range e.agents(e.tenant) {
				p, err := e.ref.AgentPerformance(e.tenant, a, m, views.RangeSpec{}, views.SortSpec{})
				if err != nil {
					continue
				}
				for _, ip := range p.Inquiries {
					x := acc[ip.Inquiry]
					if x == nil {
						x = &inq{Inquiry: ip.Inquiry, Name: names.inquiries[ip.Inquiry]}
						acc[ip.Inquiry] = x
					}
					x.Volume += ip.Volume
					if !slices.Contains(x.Models, m) {
						x.Models = append(x.Models, m)
					}
				}
			}
		}
		out := []inq{}
		for _, k := range slices.Sorted(maps.Keys(acc)) {
			out = append(out, *acc[k])
		}
		return out
	}
	for label, de := range directoryEnvs(t, e, names) {
		for _, target := range []string{"/v1/inquiries", "/v1/inquiries?model=voice", "/v1/inquiries?model=email"} {
			code, body := de.get(f.tokens["admin"], target)
			var got struct {
				Inquiries []inq `json:"inquiries"`
			}
			if err := json.Unmarshal(body, &got); code != 200 || err != nil {
				t.Fatalf("%s GET %s = %d %s", label, target, code, body)
			}
			u, _ := url.Parse(target)
			w := want(u.Query().Get("model"))
			g, _ := json.Marshal(got.Inquiries)
			wb, _ := json.Marshal(w)
			if len(w) < 2 || string(g) != string(wb) {
				t.Errorf("%s GET %s:\n got %s\nwant %s", label, target, g, wb)
			}
		}
		for _, r := range []struct {
			who, target string
			code        int
			field       string
		}{
			{"agent self", "/v1/inquiries", 403, "role"},
			{"admin", "/v1/inquiries?model=Voice", 400, "model"},
			{"admin", "/v1/inquiries?model=", 400, "model"},
			{"admin", "/v1/inquiries?model=fax", 404, "model"},
		} {
			code, body := de.get(f.tokens[r.who], r.target)
			var eb errBody
			_ = json.Unmarshal(body, &eb)
			if code != r.code || eb.Field != r.field {
				t.Errorf("%s %s GET %s = %d %s, want %d naming %q", label, r.who, r.target, code, body, r.code, r.field)
			}
		}
	}
}

// FuzzDirectoryQuery sends arbitrary query strings to the directory
// routes: 200 with a list, or a 400/403 naming one of the routes'
// parameters, never a 5xx.
func FuzzDirectoryQuery(f *testing.F) {
	f.Add("q=agent&limit=2")
	f.Add("team=team-1&after=agent-0003&limit=1000")
	f.Add("q=%FF&limit=-1")
	f.Add("after=&team=&q=")
	f.Add("limit=99999999999999999999")
	e := newEnv(f)
	fx := newFixture(f, e)
	fields := map[string]bool{"q": true, "team": true, "after": true, "limit": true}
	f.Fuzz(func(t *testing.T, raw string) {
		for _, c := range []byte(raw) {
			if c <= ' ' || c >= 0x7f || c == '#' {
				t.Skip("not a request-target")
			}
		}
		for _, who := range []string{"admin", "supervisor own"} {
			for _, route := range []string{"/v1/agents?", "/v1/teams?"} {
				target := route + raw
				code, body := e.get(fx.tokens[who], target)
				switch code {
				case 200:
					var p struct {
						Teams  []json.RawMessage `json:"teams"`
						Agents []json.RawMessage `json:"agents"`
					}
					if err := json.Unmarshal(body, &p); err != nil || p.Teams == nil && p.Agents == nil {
						t.Fatalf("GET %s = 200 %s", target, body)
					}
				case 400, 403:
					var eb errBody
					if err := json.Unmarshal(body, &eb); err != nil || !fields[eb.Field] {
						t.Fatalf("%s GET %s = %d %s: not a parameter's refusal", who, target, code, body)
					}
				default:
					t.Fatalf("%s GET %s = %d %s", who, target, code, body)
				}
			}
		}
	})
}
