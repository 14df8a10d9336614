package api_test

import (
	"encoding/json"
	"net/url"
	"testing"

	"github.com/agentpulse/agentpulse/views"
)

// TestTopAgentShownToSupervisorsAndAdminsOnly checks DESIGN.md §1 "Top
// agent": an agent sees the top agent's figures but not who it is; a
// supervisor and an admin also see the name, and it is the reference's.
func TestTopAgentShownToSupervisorsAndAdminsOnly(t *testing.T) {
	e := newEnv(t)
	f := newFixture(t, e)
	want, err := e.ref.AgentPerformance(e.tenant, f.agent, f.model, views.RangeSpec{}, views.SortSpec{})
	if err != nil {
		t.Fatal(err)
	}
	wantTop := map[string]string{}
	for _, p := range want.Inquiries {
		if p.TopAgent != nil {
			wantTop[p.Inquiry] = *p.TopAgent
		}
	}
	if len(wantTop) == 0 {
		t.Fatal("the fixture's agent has no inquiry with a population")
	}
	type answer struct {
		Inquiries []map[string]any `json:"inquiries"`
	}
	paths := []string{
		"/v1/agents/" + f.agent + "/performance?model=" + f.model,
		"/v1/agents/" + f.agent + "/inquiries/" + url.PathEscape(f.inquiry) + "?model=" + f.model,
	}
	for _, caller := range []string{"agent self", "supervisor own", "admin"} {
		for _, path := range paths {
			code, body := e.get(f.tokens[caller], path)
			if code != 200 {
				t.Fatalf("%s GET %s: %d %s", caller, path, code, body)
			}
			var perfs []map[string]any
			var a answer
			if err := json.Unmarshal(body, &a); err == nil && a.Inquiries != nil {
				perfs = a.Inquiries
			} else {
				var one map[string]any
				if err := json.Unmarshal(body, &one); err != nil {
					t.Fatal(err)
				}
				perfs = []map[string]any{one}
			}
			for _, p := range perfs {
				inq := p["inquiry"].(string)
				top, shown := p["top_agent"]
				switch {
				case caller == "agent self" && shown:
					t.Errorf("an agent sees who the top agent of %q is (%v) on %s", inq, top, path)
				case caller != "agent self" && wantTop[inq] != "" && top != wantTop[inq]:
					t.Errorf("%s: top_agent of %q = %v, want %s", caller, inq, top, wantTop[inq])
				}
				if aes, _ := p["aes"].(map[string]any); wantTop[inq] != "" && aes["top"] == nil {
					t.Errorf("%s: no top figure on %q", caller, inq)
				}
			}
		}
	}
}
