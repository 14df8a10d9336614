package dashboard_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/agentpulse/agentpulse/auth"
	"github.com/agentpulse/agentpulse/server/app/apptest"
)

type wbAnswer struct {
	Teams []struct {
		Team   string `json:"team"`
		Volume int64  `json:"volume"`
		Agents []struct {
			AgentID string `json:"agent_id"`
			Volume  int64  `json:"volume"`
		} `json:"agents"`
	} `json:"teams"`
}

// shownBoard reads the wallboard: team → volume figure, "team/agent" →
// agent volume.
const shownBoardJS = `(() => { const out = {}; for (const s of document.querySelectorAll("section.wb-team")) {
  out[s.dataset.team] = s.querySelector('[data-fig="volume"] dd').textContent.replace(/,/g, "");
  for (const r of s.querySelectorAll("tbody tr")) out[s.dataset.team + "/" + r.dataset.agent] = r.querySelector('[data-metric="volume"]').textContent.replace(/,/g, "");
} return out; })()`

// TestWallboard: the wallboards picker opens a full-screen board (no
// navigation, an Exit button, a clock); the admin's board of chat shows
// every chat team with the figures of GET /v1/wallboards/chat; produced
// interactions move the agent's and the team's volume without a reload;
// the accessibility check passes on the dark theme; screenshots at
// 1920×1080 and 1280×800; a supervisor's board holds only their team;
// Exit leaves wallboard mode.
func TestWallboard(t *testing.T) {
	p := apptest.Start(t, apptest.Options{})
	admin := p.Token(t, auth.Claims{Subject: "admin", Role: auth.RoleAdmin})
	ctx := browser(t)
	signIn(t, ctx, p, admin, "#/wallboards")
	run(t, ctx, "pick chat",
		chromedp.WaitVisible("#wb-model", chromedp.ByID),
		chromedp.SetValue("#wb-model", "chat", chromedp.ByID),
		chromedp.Click(`form.wb-pick button[type="submit"]`, chromedp.ByQuery),
		chromedp.WaitVisible("section.wb-team", chromedp.ByQuery))
	checkA11y(t, ctx, "wallboards", 1)
	var chrome struct {
		Wallboard, NavVisible, Exit bool
		Clock, Hash                 string
	}
	run(t, ctx, "full screen", chromedp.Evaluate(`({wallboard: document.body.classList.contains("wallboard"),
	  navVisible: document.querySelector("header.top").offsetParent !== null,
	  exit: !!document.querySelector("button.wb-exit") && document.querySelector("button.wb-exit").offsetParent !== null,
	  clock: document.querySelector(".wb-clock").textContent, hash: location.hash})`, &chrome))
	if !chrome.Wallboard || chrome.NavVisible || !chrome.Exit || len(chrome.Clock) != 8 || chrome.Hash != "#/wallboard/chat" {
		t.Errorf("wallboard chrome %+v", chrome)
	}

	var want wbAnswer
	if code, _ := apiGet(t, p, admin, "/v1/wallboards/chat", &want); code != 200 || len(want.Teams) < 2 {
		t.Fatalf("API wallboard: %d, %d teams", code, len(want.Teams))
	}
	shown := map[string]string{}
	run(t, ctx, "read the board", chromedp.Evaluate(shownBoardJS, &shown))
	for _, tm := range want.Teams {
		if shown[tm.Team] != fmt.Sprint(tm.Volume) {
			t.Errorf("team %s volume shown %q, API %d", tm.Team, shown[tm.Team], tm.Volume)
		}
		for _, a := range tm.Agents {
			if k := tm.Team + "/" + a.AgentID; shown[k] != fmt.Sprint(a.Volume) {
				t.Errorf("%s volume shown %q, API %d", k, shown[k], a.Volume)
			}
		}
	}
	checkA11y(t, ctx, "wallboard", 8)
	shot(t, ctx, "wallboard-1920x1080", 1920, 1080)
	shot(t, ctx, "wallboard-1280x800", 1280, 800)

	// Live: three chat interactions of agent-0002 (team-01).
	inquiry := ""
	for _, it := range p.History {
		if it.AgentID == "agent-0002" && it.Model == "chat" {
			inquiry = it.Inquiry
			break
		}
	}
	before := shown["team-01/agent-0002"]
	teamBefore := shown["team-01"]
	p.Produce(t, p.NewInteraction("agent-0002", "team-01", "chat", inquiry, 300),
		p.NewInteraction("agent-0002", "team-01", "chat", inquiry, 200),
		p.NewInteraction("agent-0002", "team-01", "chat", inquiry, 250))
	var n0, t0 int
	fmt.Sscan(before, &n0)
	fmt.Sscan(teamBefore, &t0)
	run(t, ctx, "the board moves without a reload",
		chromedp.Evaluate(`window.__same = true`, nil),
		chromedp.Poll(fmt.Sprintf(`(() => { const s = document.querySelector('section[data-team="team-01"]');
		  return s.querySelector('tr[data-agent="agent-0002"] [data-metric="volume"]').textContent.replace(/,/g, "") === "%d"
		    && s.querySelector('[data-fig="volume"] dd').textContent.replace(/,/g, "") === "%d"; })()`, n0+3, t0+3),
			nil, chromedp.WithPollingTimeout(15*time.Second)))
	var same bool
	run(t, ctx, "no reload", chromedp.Evaluate(`window.__same === true`, &same))
	if !same {
		t.Error("the page was reloaded")
	}
	if ago := textOf(t, ctx, ".wb-ago"); !strings.HasPrefix(ago, "Updated ") {
		t.Errorf("updated line %q", ago)
	}

	run(t, ctx, "exit",
		chromedp.Click("button.wb-exit", chromedp.ByQuery),
		chromedp.WaitVisible("#wb-model", chromedp.ByID))
	var wb bool
	run(t, ctx, "left wallboard mode", chromedp.Evaluate(`document.body.classList.contains("wallboard")`, &wb))
	if wb {
		t.Error("Exit left the body in wallboard mode")
	}

	// A supervisor of team-01 sees only their team.
	sup := p.Token(t, auth.Claims{Subject: "lead-01", Role: auth.RoleSupervisor, Teams: []string{"team-01"}})
	signIn(t, ctx, p, sup, "#/wallboard/chat")
	run(t, ctx, "a new page load (the admin's websocket goes)", chromedp.Reload())
	var teams []string
	run(t, ctx, "supervisor's board", chromedp.WaitVisible("section.wb-team", chromedp.ByQuery),
		chromedp.Sleep(300*time.Millisecond), // the snapshot replaces the REST answer
		chromedp.Evaluate(`[...document.querySelectorAll("section.wb-team")].map((s) => s.dataset.team)`, &teams))
	if len(teams) != 1 || teams[0] != "team-01" {
		t.Errorf("supervisor of team-01 sees teams %v", teams)
	}
	if h := textOf(t, ctx, "main h1"); h != "Chat · Team 01" { // team-01 in words (no display name)
		t.Errorf("supervisor's board is titled %q", h)
	}
	shot(t, ctx, "wallboard-team-1920x1080", 1920, 1080)
}
