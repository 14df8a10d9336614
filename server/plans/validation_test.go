package plans_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/agentpulse/agentpulse/auth"
	"github.com/agentpulse/agentpulse/views"
)

// TestCreateRefusals: every rule of DESIGN.md §1 (and every malformed
// body) is a 400 naming the field; several broken rules are all listed.
func TestCreateRefusals(t *testing.T) {
	e, p, toks := accessFixture(t)
	tok := toks["agent self"]
	emailInquiry := ""
	for _, it := range e.its {
		if it.TenantID == e.tenant && it.Model == "email" {
			emailInquiry = it.Inquiry
			break
		}
	}
	base := func() map[string]any {
		return map[string]any{"model": "voice", "inquiry": p.Inquiry, "metric": "aht", "improvement_pct": 10,
			"target_date": "2026-12-20", "actions": []string{"a"}, "assistance": []string{"b"}}
	}
	long := strings.Repeat("x", views.MaxActionLen+1)
	cases := []struct {
		name   string
		edit   func(m map[string]any)
		raw    string
		fields []string
	}{
		{name: "model missing", edit: func(m map[string]any) { delete(m, "model") }, fields: []string{"model"}},
		{name: "model without data", edit: func(m map[string]any) { m["model"] = "fax" }, fields: []string{"model"}},
		{name: "metric unknown", edit: func(m map[string]any) { m["metric"] = "speed" }, fields: []string{"metric"}},
		{name: "metric the model lacks", edit: func(m map[string]any) { m["model"], m["inquiry"], m["metric"] = "email", emailInquiry, "psat" }, fields: []string{"metric"}},
		{name: "inquiry missing", edit: func(m map[string]any) { delete(m, "inquiry") }, fields: []string{"inquiry"}},
		{name: "inquiry without data", edit: func(m map[string]any) { m["inquiry"] = "no-such" }, fields: []string{"inquiry"}},
		{name: "pct below 5", edit: func(m map[string]any) { m["improvement_pct"] = 4.99 }, fields: []string{"improvement_pct"}},
		{name: "pct above 50", edit: func(m map[string]any) { m["improvement_pct"] = 50.5 }, fields: []string{"improvement_pct"}},
		{name: "pct missing", edit: func(m map[string]any) { delete(m, "improvement_pct") }, fields: []string{"improvement_pct"}},
		{name: "date missing", edit: func(m map[string]any) { delete(m, "target_date") }, fields: []string{"target_date"}},
		{name: "date today", edit: func(m map[string]any) { m["target_date"] = "2026-11-04" }, fields: []string{"target_date"}},
		{name: "date past", edit: func(m map[string]any) { m["target_date"] = "2025-01-01" }, fields: []string{"target_date"}},
		{name: "date malformed", edit: func(m map[string]any) { m["target_date"] = "20-12-2026" }, fields: []string{"target_date"}},
		{name: "no actions", edit: func(m map[string]any) { m["actions"] = []string{} }, fields: []string{"actions"}},
		{name: "four actions", edit: func(m map[string]any) { m["actions"] = []string{"a", "b", "c", "d"} }, fields: []string{"actions"}},
		{name: "blank action", edit: func(m map[string]any) { m["actions"] = []string{"a", "   "} }, fields: []string{"actions[1]"}},
		{name: "long action", edit: func(m map[string]any) { m["actions"] = []string{long} }, fields: []string{"actions[0]"}},
		{name: "no assistance", edit: func(m map[string]any) { delete(m, "assistance") }, fields: []string{"assistance"}},
		{name: "four asks", edit: func(m map[string]any) { m["assistance"] = []string{"a", "b", "c", "d"} }, fields: []string{"assistance"}},
		{name: "several", edit: func(m map[string]any) { m["improvement_pct"], m["target_date"], m["actions"] = 60, "2020-01-01", nil },
			fields: []string{"improvement_pct", "target_date", "actions"}},
		{name: "unknown field", edit: func(m map[string]any) { m["owner"] = "x" }, fields: []string{"owner"}},
		{name: "wrong type", edit: func(m map[string]any) { m["improvement_pct"] = "10" }, fields: []string{"improvement_pct"}},
		{name: "not json", raw: "model=voice", fields: []string{"body"}},
		{name: "array", raw: "[]", fields: []string{"body"}},
		{name: "trailing", raw: `{"model":"voice"} {}`, fields: []string{"body"}},
		{name: "empty", raw: " ", fields: []string{"body"}},
	}
	for _, c := range cases {
		body := c.raw
		if c.edit != nil {
			m := base()
			c.edit(m)
			b, _ := json.Marshal(m)
			body = string(b)
		}
		code, got := e.do(tok, http.MethodPost, "/v1/agents/"+p.AgentID+"/plans", body)
		if code != http.StatusBadRequest {
			t.Errorf("%s: %d, want 400: %s", c.name, code, got)
			continue
		}
		b := decode[errorsBody](t, got)
		var fields []string
		for _, f := range b.Errors {
			fields = append(fields, f.Field)
			if f.Error == "" {
				t.Errorf("%s: field %s without a message", c.name, f.Field)
			}
		}
		if strings.Join(fields, ",") != strings.Join(c.fields, ",") || b.Field != c.fields[0] || b.Error == "" {
			t.Errorf("%s: field %q, errors %v; want %v: %s", c.name, b.Field, fields, c.fields, got)
		}
	}
	// A warning, not a refusal: a target date less than 2 weeks away.
	m := base()
	m["target_date"], m["metric"] = "2026-11-10", "aes" // aht would repeat the fixture's plan (409)
	b, _ := json.Marshal(m)
	code, got := e.do(tok, http.MethodPost, "/v1/agents/"+p.AgentID+"/plans", string(b))
	if code != http.StatusCreated || len(decode[views.Plan](t, got).Warnings) != 1 {
		t.Errorf("near target date = %d, want 201 with one warning: %s", code, got)
	}
	// Bodies over the limit are 413.
	huge := `{"model":"voice","actions":["` + strings.Repeat("x", 70<<10) + `"]}`
	if code, got := e.do(tok, http.MethodPost, "/v1/agents/"+p.AgentID+"/plans", huge); code != http.StatusRequestEntityTooLarge {
		t.Errorf("huge body = %d, want 413: %s", code, got)
	} else if decode[errorsBody](t, got).Field != "body" {
		t.Errorf("413 body %s does not name the body", got)
	}
}

// TestActionsAndCancel: ticking and unticking, the index and body rules,
// cancel, and the 409s after it.
func TestActionsAndCancel(t *testing.T) {
	e, p, toks := accessFixture(t)
	tok := toks["agent self"]
	patch := func(index, body string) (int, []byte) {
		return e.do(tok, http.MethodPatch, "/v1/plans/"+p.ID+"/actions/"+index, body)
	}
	code, got := patch("1", `{"done": true}`)
	if code != 200 || !decode[views.Plan](t, got).Actions[1].Done || decode[views.Plan](t, got).Actions[0].Done {
		t.Fatalf("tick = %d: %s", code, got)
	}
	if pub, n := e.pub.last("plan:" + p.ID); n < 2 || !pub.Actions[1].Done {
		t.Errorf("tick not published (%d messages)", n)
	}
	code, got = patch("1", `{"done": false}`)
	if code != 200 || decode[views.Plan](t, got).Actions[1].Done {
		t.Fatalf("untick = %d: %s", code, got)
	}
	for _, c := range []struct {
		index, body, field string
		want               int
	}{
		{"2", `{"done":true}`, "index", 404},
		{"-1", `{"done":true}`, "index", 400},
		{"01", `{"done":true}`, "index", 400},
		{"x", `{"done":true}`, "index", 400},
		{"0", `{}`, "done", 400},
		{"0", `{"done":"yes"}`, "done", 400},
		{"0", `{"done":null}`, "done", 400},
		{"0", `{"done":true,"text":"x"}`, "text", 400},
		{"0", `true`, "body", 400},
		{"0", `{"done":true}x`, "body", 400},
	} {
		code, got := patch(c.index, c.body)
		if code != c.want || decode[errorsBody](t, got).Field != c.field {
			t.Errorf("PATCH %s %s = %d, want %d naming %s: %s", c.index, c.body, code, c.want, c.field, got)
		}
	}
	code, got = e.do(tok, http.MethodPost, "/v1/plans/"+p.ID+"/cancel", "")
	if code != 200 || decode[views.Plan](t, got).Status != views.PlanCancelled {
		t.Fatalf("cancel = %d: %s", code, got)
	}
	if code, got := e.do(tok, http.MethodPost, "/v1/plans/"+p.ID+"/cancel", ""); code != 409 || decode[errorsBody](t, got).Error == "" {
		t.Errorf("second cancel = %d, want 409: %s", code, got)
	}
	if code, got := patch("0", `{"done":true}`); code != 409 {
		t.Errorf("tick after cancel = %d, want 409: %s", code, got)
	}
	// A due plan is settled before the cancel is refused.
	q := createPlan(t, e, tok, p.AgentID)
	e.clock.set(mustDate(t, q.TargetDate).Add(time.Hour))
	code, got = e.do(tok, http.MethodPost, "/v1/plans/"+q.ID+"/cancel", "")
	if code != 409 {
		t.Errorf("cancel of a due plan = %d, want 409: %s", code, got)
	}
	code, got = e.do(tok, http.MethodGet, "/v1/plans/"+q.ID, "")
	if st := decode[views.Plan](t, got).Status; code != 200 || (st != views.PlanAchieved && st != views.PlanMissed) {
		t.Errorf("due plan = %d %s, want achieved or missed", code, st)
	}
}

// TestCatalog: the default list, an admin's edit, its rules.
func TestCatalog(t *testing.T) {
	e, _, toks := accessFixture(t)
	code, got := e.do(toks["agent self"], "GET", "/v1/assistance-catalog", "")
	if code != 200 || len(decode[struct{ Items []string }](t, got).Items) != len(plansDefaultCatalog()) {
		t.Fatalf("default catalog = %d: %s", code, got)
	}
	if code, got := e.do(toks["admin"], "PUT", "/v1/assistance-catalog", `{"items":["  Coaching  ","Shadowing"]}`); code != 200 {
		t.Fatalf("put = %d: %s", code, got)
	}
	_, got = e.do(toks["supervisor"], "GET", "/v1/assistance-catalog", "")
	if s := string(got); s != `{"items":["Coaching","Shadowing"]}`+"\n" {
		t.Errorf("catalog after put = %s", s)
	}
	_, got = e.do(toks["other tenant"], "GET", "/v1/assistance-catalog", "")
	if len(decode[struct{ Items []string }](t, got).Items) != len(plansDefaultCatalog()) {
		t.Errorf("another tenant sees the edit: %s", got)
	}
	for _, c := range []struct{ body, field string }{
		{`{"items":["a",""]}`, "items[1]"}, {`{"items":["a","a"]}`, "items[1]"}, {`{"items":"a"}`, "items"},
		{`{}`, "items"}, {`{"items":["a"],"x":1}`, "x"}, {`{"items":["` + strings.Repeat("y", 201) + `"]}`, "items[0]"},
	} {
		code, got := e.do(toks["admin"], "PUT", "/v1/assistance-catalog", c.body)
		if code != 400 || decode[errorsBody](t, got).Field != c.field {
			t.Errorf("PUT %s = %d, want 400 naming %s: %s", c.body, code, c.field, got)
		}
	}
	_ = auth.RoleAdmin
}
