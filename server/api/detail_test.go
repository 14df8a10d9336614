package api_test

import (
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
	"testing"

	"github.com/agentpulse/agentpulse/auth"
	"github.com/agentpulse/agentpulse/views"
)

// TestInquiryAndTeamEqualReference compares the inquiry detail and team
// endpoints with the reference, encoded the same way.
func TestInquiryAndTeamEqualReference(t *testing.T) {
	e := newEnv(t)
	f := newFixture(t, e)
	admin := f.tokens["admin"]
	for _, model := range []string{"voice", "email"} {
		p, err := e.ref.AgentPerformance(e.tenant, f.agent, model, views.RangeSpec{}, views.SortSpec{})
		if err != nil {
			t.Fatal(err)
		}
		for _, ip := range p.Inquiries {
			want, err := e.ref.InquiryDetail(e.tenant, f.agent, model, ip.Inquiry, views.RangeSpec{}, 10)
			if err != nil {
				t.Fatal(err)
			}
			target := fmt.Sprintf("/v1/agents/%s/inquiries/%s?model=%s", f.agent, url.PathEscape(ip.Inquiry), model)
			compare(t, e, admin, target, want)
		}
		for _, team := range []string{f.team, f.otherTeam} {
			want, err := e.ref.TeamAgents(e.tenant, team, model, views.RangeSpec{Preset: views.Preset1M})
			if err != nil {
				t.Fatal(err)
			}
			compare(t, e, admin, fmt.Sprintf("/v1/teams/%s/agents?model=%s&range=1m", team, model),
				map[string]any{"agents": want})
		}
	}
}

func compare(t *testing.T, e *env, tok, target string, want any) {
	t.Helper()
	code, body := e.get(tok, target)
	if code != 200 {
		t.Fatalf("GET %s = %d %s", target, code, body)
	}
	wantBody, err := json.Marshal(want)
	if err != nil {
		t.Fatal(err)
	}
	if p, ok := jsonDiff(body, wantBody); !ok {
		t.Errorf("GET %s differs from the reference at %s:\n got %s\nwant %s", target, p, body, wantBody)
	}
}

// TestAgentNeverSeesOtherAgentIDs checks that what an agent reads about
// themselves (benchmarks included) names no other agent of the tenant.
func TestAgentNeverSeesOtherAgentIDs(t *testing.T) {
	e := newEnv(t)
	f := newFixture(t, e)
	tok := f.tokens["agent self"]
	targets := []string{
		"/v1/agents/" + f.agent + "/models",
		"/v1/agents/" + f.agent + "/performance?model=voice",
		"/v1/agents/" + f.agent + "/inquiries/" + url.PathEscape(f.inquiry) + "?model=voice",
	}
	for _, target := range targets {
		code, body := e.get(tok, target)
		if code != 200 {
			t.Fatalf("GET %s = %d %s", target, code, body)
		}
		for _, other := range e.agents(e.tenant) {
			if other != f.agent && strings.Contains(string(body), `"`+other+`"`) {
				t.Errorf("GET %s names agent %s", target, other)
			}
		}
	}
}

// TestInquiryDetailShape checks the extension fields of the inquiry detail.
func TestInquiryDetailShape(t *testing.T) {
	e := newEnv(t)
	f := newFixture(t, e)
	code, body := e.get(f.tokens["agent self"], "/v1/agents/"+f.agent+"/inquiries/"+url.PathEscape(f.inquiry)+"?model=voice")
	if code != 200 {
		t.Fatalf("%d %s", code, body)
	}
	var got map[string]json.RawMessage
	if err := json.Unmarshal(body, &got); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"inquiry", "volume", "impact", "aes", "aht", "psat", "pres", "recommended_metric", "population", "recent"} {
		if _, ok := got[k]; !ok {
			t.Errorf("answer lacks %q: %s", k, body)
		}
	}
	var recent []struct {
		AgentID string `json:"agent_id"`
		Inquiry string `json:"inquiry"`
	}
	if err := json.Unmarshal(got["recent"], &recent); err != nil || len(recent) == 0 {
		t.Fatalf("recent = %s: %v", got["recent"], err)
	}
	for _, r := range recent {
		if r.AgentID != f.agent || r.Inquiry != f.inquiry {
			t.Errorf("recent holds %+v", r)
		}
	}
}

// BenchmarkPerformance measures one performance page through the router
// (token check, access, store reads, encoding).
func BenchmarkPerformance(b *testing.B) {
	e := newEnv(b)
	agent := e.agents(e.tenant)[0]
	tok := token(b, auth.Claims{Tenant: e.tenant, Subject: agent, Role: auth.RoleAgent})
	target := "/v1/agents/" + agent + "/performance?model=voice"
	b.ReportAllocs()
	for b.Loop() {
		if code, body := e.get(tok, target); code != 200 {
			b.Fatalf("%d %s", code, body)
		}
	}
}
