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
