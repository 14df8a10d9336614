package plans_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/agentpulse/agentpulse/server/plans"
	"github.com/agentpulse/agentpulse/views"
)

// TestHelpLoop: an agent's asks for help reach the inbox of their team
// leader (and an admin), not another team's; the leader acknowledges
// (an agent may not; the first acknowledgement stays) and the agent and
// leader comment, each change stored and published on plan:{id}; the
// plan turns up in "at risk" once behind with little time left.
func TestHelpLoop(t *testing.T) {
	e, p, toks := accessFixture(t)
	inbox := func(who string) plans.Inbox {
		t.Helper()
		code, got := e.do(toks[who], http.MethodGet, "/v1/inbox", "")
		if code != 200 {
			t.Fatalf("%s inbox = %d: %s", who, code, got)
		}
		return decode[plans.Inbox](t, got)
	}
	for _, who := range []string{"supervisor", "admin", "agent self"} {
		in := inbox(who)
		if len(in.Items) != 1 || in.Items[0].PlanID != p.ID || in.Unacknowledged != 1 || in.Items[0].HelpAck != nil ||
			in.Items[0].TeamID != e.teamOf(e.tenant, p.AgentID) || len(in.Items[0].Assistance) != 1 {
			t.Fatalf("%s inbox = %+v", who, in)
		}
	}
	if in := inbox("other supervisor"); len(in.Items) != 0 || in.Unacknowledged != 0 {
		t.Fatalf("another team's leader sees %+v", in)
	}
	if code, got := e.do(toks["ingest"], http.MethodGet, "/v1/inbox", ""); code != 403 {
		t.Errorf("ingest inbox = %d: %s", code, got)
	}

	ack := func(who string) (int, views.Plan) {
		code, got := e.do(toks[who], http.MethodPost, "/v1/plans/"+p.ID+"/acknowledge", "")
		var pl views.Plan
		_ = json.Unmarshal(got, &pl)
		return code, pl
	}
	if code, _ := ack("agent self"); code != 403 {
		t.Errorf("agent acknowledges = %d, want 403", code)
	}
	if code, _ := ack("other supervisor"); code != 404 {
		t.Errorf("another team's leader acknowledges = %d, want 404", code)
	}
	code, pl := ack("supervisor")
	if code != 200 || pl.HelpAck == nil || pl.HelpAck.By != "sup" || !pl.HelpAck.At.Equal(e.clock.now()) {
		t.Fatalf("acknowledge = %d %+v", code, pl.HelpAck)
	}
	if code, pl := ack("admin"); code != 200 || pl.HelpAck.By != "sup" {
		t.Errorf("second acknowledgement = %d by %+v; the first stays", code, pl.HelpAck)
	}
	if pub, _ := e.pub.last("plan:" + p.ID); pub.HelpAck == nil {
		t.Error("acknowledgement not published")
	}
	if in := inbox("supervisor"); in.Unacknowledged != 0 || in.Items[0].HelpAck == nil {
		t.Errorf("after the acknowledgement: %+v", in)
	}

	comment := func(who, body string) (int, []byte) {
		return e.do(toks[who], http.MethodPost, "/v1/plans/"+p.ID+"/comments", body)
	}
	if code, got := comment("supervisor", `{"text":"  Let's sit together on Tuesday  "}`); code != 201 {
		t.Fatalf("supervisor comment = %d: %s", code, got)
	}
	code, got := comment("agent self", `{"text":"Thanks, Tuesday works"}`)
	if code != 201 {
		t.Fatalf("agent comment = %d: %s", code, got)
	}
	pl = decode[views.Plan](t, got)
	if len(pl.Comments) != 2 || pl.Comments[0].Text != "Let's sit together on Tuesday" || pl.Comments[0].Role != "supervisor" ||
		pl.Comments[1].By != p.AgentID || pl.Comments[1].Role != "agent" {
		t.Fatalf("comments = %+v", pl.Comments)
	}
	if pub, _ := e.pub.last("plan:" + p.ID); len(pub.Comments) != 2 {
		t.Error("comment not published")
	}
	for _, c := range []struct {
		who, body, field string
		want             int
	}{
		{"other agent", `{"text":"hi"}`, "id", 404},
		{"agent self", `{"text":""}`, "text", 400},
		{"agent self", `{"text":1}`, "text", 400},
		{"agent self", `{"txt":"a"}`, "txt", 400},
		{"ingest", `{"text":"a"}`, "", 403},
	} {
		code, got := comment(c.who, c.body)
		if code != c.want || (c.field != "" && decode[errorsBody](t, got).Field != c.field) {
			t.Errorf("%s comments %s = %d, want %d naming %q: %s", c.who, c.body, code, c.want, c.field, got)
		}
	}
	if in := inbox("admin"); in.Items[0].Comments != 2 || in.Items[0].LastComment == nil || in.Items[0].LastComment.Text != "Thanks, Tuesday works" {
		t.Errorf("inbox after comments: %+v", in.Items[0])
	}

	// At risk: nothing since the commit (no Now) and 5 days left.
	atRisk := func(who string) []views.Plan {
		t.Helper()
		code, got := e.do(toks[who], http.MethodGet, "/v1/at-risk-plans", "")
		if code != 200 {
			t.Fatalf("%s at risk = %d: %s", who, code, got)
		}
		return decode[struct{ Plans []views.Plan }](t, got).Plans
	}
	if got := atRisk("supervisor"); len(got) != 0 {
		t.Errorf("at risk with %s left: %d plans", mustDate(t, p.TargetDate).Sub(e.clock.now()), len(got))
	}
	e.clock.set(mustDate(t, p.TargetDate).Add(-5 * 24 * time.Hour))
	if got := atRisk("supervisor"); len(got) != 1 || got[0].ID != p.ID || got[0].OnTrack {
		t.Errorf("at risk with 5 days left = %+v", got)
	}
	if got := atRisk("other supervisor"); len(got) != 0 {
		t.Errorf("another team's leader sees %d plans at risk", len(got))
	}

	// Events for notifications: the ask for help at creation; at risk
	// once (two sweeps); missed at the due time (nothing since the commit).
	if err := e.svc.Sweep(t.Context()); err != nil {
		t.Fatal(err)
	}
	if err := e.svc.Sweep(t.Context()); err != nil {
		t.Fatal(err)
	}
	e.clock.set(mustDate(t, p.TargetDate).Add(time.Hour))
	if err := e.svc.Sweep(t.Context()); err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(e.events.kinds(p.ID), ","); got != "help_asked,plan_at_risk,plan_missed" {
		t.Errorf("events told = %s", got)
	}
}
