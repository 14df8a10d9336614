package api_test

import (
	"encoding/json"
	"testing"

	"github.com/agentpulse/agentpulse/views"
)

// TestWallboardEqualsReference: the admin's wallboard has every team, each
// team's agents equal to the reference's TeamAgents; a supervisor's holds
// only the team they lead; team=… narrows an admin's to that team.
func TestWallboardEqualsReference(t *testing.T) {
	e := newEnv(t)
	f := newFixture(t, e)
	type wb struct {
		Model string `json:"model"`
		Teams []struct {
			Team   string            `json:"team"`
			Volume int64             `json:"volume"`
			Agents []json.RawMessage `json:"agents"`
		} `json:"teams"`
	}
	read := func(tok, target string) wb {
		t.Helper()
		code, body := e.get(tok, target)
		if code != 200 {
			t.Fatalf("GET %s = %d %s", target, code, body)
		}
		var w wb
		if err := json.Unmarshal(body, &w); err != nil {
			t.Fatal(err)
		}
		return w
	}
	for _, model := range []string{"voice", "email"} {
		all := read(f.tokens["admin"], "/v1/wallboards/"+model+"?range=1m")
		if len(all.Teams) < 2 {
			t.Fatalf("%s: admin sees %d teams, want every team (≥ 2)", model, len(all.Teams))
		}
		for _, tm := range all.Teams {
			want, err := e.ref.TeamAgents(e.tenant, tm.Team, model, views.RangeSpec{Preset: views.Preset1M})
			if err != nil {
				t.Fatal(err)
			}
			got, _ := json.Marshal(tm.Agents)
			wantB, _ := json.Marshal(want)
			if p, ok := jsonDiff(got, wantB); !ok {
				t.Errorf("%s team %s agents differ at %s", model, tm.Team, p)
			}
			var vol int64
			for _, a := range want {
				vol += a.Volume
			}
			if tm.Volume != vol {
				t.Errorf("%s team %s volume %d, want the sum of its agents %d", model, tm.Team, tm.Volume, vol)
			}
		}
		own := read(f.tokens["supervisor own"], "/v1/wallboards/"+model+"?range=1m")
		if len(own.Teams) != 1 || own.Teams[0].Team != f.team {
			t.Errorf("%s: supervisor of %s sees %+v", model, f.team, own.Teams)
		}
		pick := all.Teams[len(all.Teams)-1].Team
		one := read(f.tokens["admin"], "/v1/wallboards/"+model+"?range=1m&team="+pick)
		if len(one.Teams) != 1 || one.Teams[0].Team != pick {
			t.Errorf("%s: admin with team=%s sees %d teams", model, pick, len(one.Teams))
		}
	}
}

// TestWallboardAndModelsAccess: agents and ingest are refused both
// routes; a supervisor asking another team is 403 naming team; bad
// parameters are 400 naming them; models lists the tenant's models.
func TestWallboardAndModelsAccess(t *testing.T) {
	e := newEnv(t)
	f := newFixture(t, e)
	cases := []struct {
		caller, target string
		want           int
		field          string
	}{
		{"agent self", "/v1/wallboards/voice", 403, "role"},
		{"ingest", "/v1/wallboards/voice", 403, ""},
		{"agent self", "/v1/models", 403, "role"},
		{"no token", "/v1/models", 401, ""},
		{"supervisor own", "/v1/wallboards/voice?team=" + f.otherTeam, 403, "team"},
		{"supervisor own", "/v1/wallboards/voice?team=" + f.team, 200, ""},
		{"admin", "/v1/wallboards/voice?team=bad%20team", 400, "team"},
		{"admin", "/v1/wallboards/Voice", 400, "model"},
		{"admin", "/v1/wallboards/voice?range=5y", 400, "range"},
		{"admin", "/v1/wallboards/fax", 404, "model"},
		{"supervisor own", "/v1/models", 200, ""},
		{"supervisor own", "/v1/wallboards/voice?teams=" + f.team + "," + f.otherTeam, 403, "team"},
		{"supervisor own", "/v1/wallboards/voice?teams=" + f.team + "&agents=false&limit=1", 200, ""},
		{"admin", "/v1/wallboards/voice?teams=", 400, "teams"},
		{"admin", "/v1/wallboards/voice?teams=a,,b", 400, "teams"},
		{"admin", "/v1/wallboards/voice?teams=a&team=b", 400, "teams"},
		{"admin", "/v1/wallboards/voice?agents=no", 400, "agents"},
		{"admin", "/v1/wallboards/voice?after=bad%20team", 400, "after"},
		{"admin", "/v1/wallboards/voice?limit=0", 400, "limit"},
		{"admin", "/v1/wallboards/voice?limit=1001", 400, "limit"},
	}
	for _, c := range cases {
		code, body := e.get(f.tokens[c.caller], c.target)
		if code != c.want {
			t.Errorf("%s GET %s = %d %s, want %d", c.caller, c.target, code, body, c.want)
			continue
		}
		if code != 200 && c.field != "" {
			var eb errBody
			if err := json.Unmarshal(body, &eb); err != nil || eb.Field != c.field {
				t.Errorf("%s GET %s: refusal %s, want field %q", c.caller, c.target, body, c.field)
			}
		}
	}
	_, body := e.get(f.tokens["admin"], "/v1/models")
	var ms struct {
		Models []struct{ Model string } `json:"models"`
	}
	if err := json.Unmarshal(body, &ms); err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, m := range ms.Models {
		names = append(names, m.Model)
	}
	if len(names) < 2 || names[0] > names[1] {
		t.Errorf("models = %v, want the tenant's models sorted", names)
	}
	for _, m := range names {
		if _, err := e.ref.LatestData(e.tenant, m); err != nil {
			t.Errorf("model %s listed without data: %v", m, err)
		}
	}
	_, body = e.get(f.tokens["other tenant admin"], "/v1/models")
	if string(body) != `{"models":[]}`+"\n" {
		t.Errorf("another tenant's admin sees %s", body)
	}
}

// TestWallboardForms: agents=false is the full answer without agents
// (agent_count kept), pages of limit teams walked with after=next add up
// to it, and teams=… picks those teams; a supervisor's pages hold only
// their team.
func TestWallboardForms(t *testing.T) {
	e := newEnv(t)
	f := newFixture(t, e)
	type team struct {
		Team       string            `json:"team"`
		Volume     int64             `json:"volume"`
		AgentCount int               `json:"agent_count"`
		Agents     []json.RawMessage `json:"agents"`
	}
	type wb struct {
		Teams []team `json:"teams"`
		Next  string `json:"next"`
	}
	read := func(tok, target string) (wb, map[string]json.RawMessage) {
		t.Helper()
		code, body := e.get(tok, target)
		if code != 200 {
			t.Fatalf("GET %s = %d %s", target, code, body)
		}
		var w wb
		var raw struct {
			Teams []map[string]json.RawMessage `json:"teams"`
		}
		if err := json.Unmarshal(body, &w); err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(body, &raw); err != nil {
			t.Fatal(err)
		}
		keys := map[string]json.RawMessage{}
		for _, tm := range raw.Teams {
			for k, v := range tm {
				keys[k] = v
			}
		}
		return w, keys
	}
	admin := f.tokens["admin"]
	for _, model := range []string{"voice", "email"} {
		base := "/v1/wallboards/" + model + "?range=1m"
		all, _ := read(admin, base)
		teamsOnly, keys := read(admin, base+"&agents=false")
		if _, has := keys["agents"]; has {
			t.Errorf("%s agents=false: a team has agents", model)
		}
		if len(teamsOnly.Teams) != len(all.Teams) {
			t.Fatalf("%s agents=false: %d teams, want %d", model, len(teamsOnly.Teams), len(all.Teams))
		}
		for i, tm := range all.Teams {
			o := teamsOnly.Teams[i]
			if o.Team != tm.Team || o.Volume != tm.Volume || o.AgentCount != len(tm.Agents) || tm.AgentCount != len(tm.Agents) {
				t.Errorf("%s team %s: agents=false %+v, full %s volume %d with %d agents (count %d)", model, tm.Team, o, tm.Team, tm.Volume, len(tm.Agents), tm.AgentCount)
			}
		}
		for _, agents := range []string{"true", "false"} {
			var walked []team
			target := base + "&limit=1&agents=" + agents
			for n := 0; ; n++ {
				page, _ := read(admin, target)
				if len(page.Teams) > 1 || n > len(all.Teams) {
					t.Fatalf("%s: page %d of %s: %d teams", model, n, target, len(page.Teams))
				}
				walked = append(walked, page.Teams...)
				if page.Next == "" {
					break
				}
				target = base + "&limit=1&agents=" + agents + "&after=" + page.Next
			}
			want := all.Teams
			if agents == "false" {
				want = teamsOnly.Teams
			}
			got, _ := json.Marshal(walked)
			wantB, _ := json.Marshal(want)
			if p, ok := jsonDiff(got, wantB); !ok {
				t.Errorf("%s pages (agents=%s) differ from the whole at %s", model, agents, p)
			}
		}
		a, b := all.Teams[0].Team, all.Teams[len(all.Teams)-1].Team
		picked, _ := read(admin, base+"&teams="+b+","+a)
		if len(picked.Teams) != 2 || picked.Teams[0].Team != a || picked.Teams[1].Team != b {
			t.Errorf("%s teams=%s,%s: %+v", model, b, a, picked.Teams)
		}
		own, _ := read(f.tokens["supervisor own"], base+"&limit=5&agents=false")
		if len(own.Teams) != 1 || own.Teams[0].Team != f.team || own.Next != "" {
			t.Errorf("%s: supervisor of %s pages %+v", model, f.team, own)
		}
	}
}

// FuzzWallboardQuery sends arbitrary query strings to the wallboard
// route: the answer is 200 or a 400/404 naming one of the route's
// parameters (403 naming team for a supervisor), never a 5xx.
func FuzzWallboardQuery(f *testing.F) {
	f.Add("agents=false")
	f.Add("teams=team-1,team-2&limit=1&after=team-0")
	f.Add("team=a&teams=b")
	f.Add("limit=99999999999999999999&agents=")
	f.Add("teams=,,&after=%20")
	e := newEnv(f)
	fx := newFixture(f, e)
	fields := map[string]bool{"model": true, "range": true, "from": true, "to": true, "team": true, "teams": true,
		"agents": true, "after": true, "limit": true}
	f.Fuzz(func(t *testing.T, raw string) {
		for _, c := range []byte(raw) {
			if c <= ' ' || c >= 0x7f || c == '#' {
				t.Skip("not a request-target")
			}
		}
		for _, who := range []string{"admin", "supervisor own"} {
			target := "/v1/wallboards/voice?" + raw
			code, body := e.get(fx.tokens[who], target)
			switch code {
			case 200:
				var a struct {
					Teams []json.RawMessage `json:"teams"`
				}
				if err := json.Unmarshal(body, &a); err != nil || a.Teams == nil {
					t.Fatalf("GET %s = 200 %s", target, body)
				}
			case 400, 403, 404:
				var eb errBody
				if err := json.Unmarshal(body, &eb); err != nil || !fields[eb.Field] {
					t.Fatalf("%s GET %s = %d %s: not a parameter's refusal", who, target, code, body)
				}
			default:
				t.Fatalf("%s GET %s = %d %s", who, target, code, body)
			}
		}
	})
}
