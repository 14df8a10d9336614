package dashboard_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/agentpulse/agentpulse/auth"
	"github.com/agentpulse/agentpulse/server/app/apptest"
	"github.com/agentpulse/agentpulse/views"
)

type shownAgent struct {
	Agent string `json:"agent"`
	Label string `json:"label"`
	AES   string `json:"aes"`
	Needs bool   `json:"needs"`
}

const shownAgentsJS = `[...document.querySelectorAll("table.team-agents tbody tr")].map((r) => ({
  agent: r.dataset.agent, label: r.querySelector("[data-label]").dataset.label,
  aes: r.querySelector('[data-metric="aes"]').textContent, needs: r.classList.contains("row-needs")}))`

// TestTeamView: a supervisor opens their team; the agents, their labels
// and AES equal GET /v1/teams/{team}/agents and the reference; Needs
// work is listed at the top and highlighted; email has no satisfaction or
// resolution columns; Tab walks every link and button of the page in
// document order with a visible focus; the accessibility check passes;
// the supervisor cannot open another team (the API's 403, no figures).
func TestTeamView(t *testing.T) {
	p := apptest.Start(t, apptest.Options{})
	tok := p.Token(t, auth.Claims{Subject: "lead-01", Role: auth.RoleSupervisor, Teams: []string{"team-01"}})
	ctx := browser(t)
	signIn(t, ctx, p, tok, "#/team/team-01")
	var mainText string
	if err := chromedp.Run(withTimeout(t, ctx), chromedp.WaitVisible("table.team-agents tbody tr", chromedp.ByQuery),
		chromedp.WaitVisible("#plans-in-progress", chromedp.ByID)); err != nil {
		_ = chromedp.Run(ctx, chromedp.Text("main", &mainText, chromedp.ByQuery))
		screenshots(t, ctx, "team-failed")
		t.Fatalf("open the team: %v; the page shows %q", err, mainText)
	}
	var shown []shownAgent
	var model string
	run(t, ctx, "read the agents", chromedp.Evaluate(shownAgentsJS, &shown), chromedp.Value("#team-model", &model, chromedp.ByID))
	if model != "chat" { // team-01 of the simulated centre works chat and email, chat the most
		t.Errorf("the team view opened on %q, want chat (the team's busiest model)", model)
	}

	var answer struct {
		Agents []views.TeamAgent `json:"agents"`
	}
	if code, _ := apiGet(t, p, tok, "/v1/teams/team-01/agents?model="+model, &answer); code != 200 {
		t.Fatalf("API: %d", code)
	}
	ref, err := p.Reference().TeamAgents(p.Tenant, "team-01", model, views.RangeSpec{})
	if err != nil {
		t.Fatal(err)
	}
	if len(shown) != len(answer.Agents) || len(shown) != len(ref) || len(shown) == 0 {
		t.Fatalf("page shows %d agents, API %d, reference %d", len(shown), len(answer.Agents), len(ref))
	}
	byID := map[string]views.TeamAgent{}
	for _, a := range ref {
		byID[a.AgentID] = a
	}
	needs := 0
	seenOther := false
	for i, s := range shown {
		want, ok := byID[s.Agent]
		if !ok {
			t.Fatalf("page shows %s, not in the reference", s.Agent)
		}
		label := ""
		if want.Label != nil {
			label = string(*want.Label)
		}
		if s.Label != label {
			t.Errorf("%s label %q, reference %q", s.Agent, s.Label, label)
		}
		if wantAES := fmt.Sprintf("%d s", int(*want.AES+0.5)); strings.ReplaceAll(s.AES, ",", "") != wantAES {
			t.Errorf("%s AES %q, reference %s", s.Agent, s.AES, wantAES)
		}
		if s.Needs != (label == "needs_work") {
			t.Errorf("%s highlighted=%v with label %q", s.Agent, s.Needs, label)
		}
		if label == "needs_work" {
			needs++
			if seenOther {
				t.Errorf("row %d (%s, needs work) is below an agent not in needs work", i, s.Agent)
			}
		} else {
			seenOther = true
		}
		if apiAgent := answer.Agents[slices.IndexFunc(answer.Agents, func(a views.TeamAgent) bool { return a.AgentID == s.Agent })]; (apiAgent.Label == nil) != (want.Label == nil) {
			t.Errorf("%s: API and reference labels differ", s.Agent)
		}
	}
	if h := textOf(t, ctx, "#needs-h"); h != fmt.Sprintf("Needs work (%d)", needs) {
		t.Errorf("needs work heading %q, want %d agents", h, needs)
	}
	checkA11y(t, ctx, "team view", len(shown))
	checkTabOrder(t, ctx)
	run(t, ctx, "back to the top", chromedp.Evaluate(`document.activeElement.blur(); window.scrollTo(0, 0)`, nil))
	screenshots(t, ctx, "team")

	// Live: two chat interactions of agent-0002 move its volume in place.
	var vol int
	run(t, ctx, "volume before", chromedp.Evaluate(`parseInt(document.querySelector('tr[data-agent="agent-0002"] [data-metric="volume"]').textContent.replace(/,/g, ""))`, &vol),
		chromedp.Evaluate(`window.__same = true`, nil))
	inquiry := ""
	for _, it := range p.History {
		if it.AgentID == "agent-0002" && it.Model == model {
			inquiry = it.Inquiry
		}
	}
	p.Produce(t, p.NewInteraction("agent-0002", "team-01", model, inquiry, 240), p.NewInteraction("agent-0002", "team-01", model, inquiry, 260))
	run(t, ctx, "the team view refreshes live",
		chromedp.Poll(fmt.Sprintf(`document.querySelector('tr[data-agent="agent-0002"] [data-metric="volume"]').textContent.replace(/,/g, "") === "%d" && window.__same === true`, vol+2),
			nil, chromedp.WithPollingTimeout(15*time.Second)))

	// Email: no satisfaction or resolution columns.
	var heads []string
	run(t, ctx, "open email",
		chromedp.Navigate(p.URL+"/#/team/team-01?model=email&range=1m"),
		chromedp.WaitVisible(`table.team-agents caption`, chromedp.ByQuery),
		chromedp.Evaluate(`[...document.querySelectorAll("table.team-agents thead th")].map((h) => h.textContent)`, &heads))
	if slices.Contains(heads, "Satisfaction") || slices.Contains(heads, "Resolution") || !slices.Contains(heads, "AHT") {
		t.Errorf("email columns %v", heads)
	}

	// Another team: the API's refusal and no figures.
	run(t, ctx, "open another team",
		chromedp.Evaluate(`document.getElementById("main").replaceChildren()`, nil),
		chromedp.Navigate(p.URL+"/#/team/team-02"),
		chromedp.WaitVisible(`main .error`, chromedp.ByQuery))
	if msg := textOf(t, ctx, "main .error"); !strings.Contains(msg, "you see only the teams you lead") {
		t.Errorf("another team shows %q", msg)
	}
	var rows int
	run(t, ctx, "no figures", chromedp.Evaluate(`document.querySelectorAll("main table, main .badge").length`, &rows))
	if rows != 0 {
		t.Errorf("another team's page shows %d tables/badges", rows)
	}
}

// checkTabOrder presses Tab from the top of main through every link,
// button and select of main and checks that focus lands on each in
// document order and is visibly outlined.
func checkTabOrder(t *testing.T, ctx context.Context) {
	t.Helper()
	var n int
	run(t, ctx, "count focusables", chromedp.Evaluate(
		`(() => { window.__f = [...document.querySelectorAll("main a[href], main button, main select, main input")]; document.getElementById("main").focus(); return window.__f.length; })()`, &n))
	if n < 8 {
		t.Fatalf("only %d focusable elements in the team view", n)
	}
	for i := 0; i < n; i++ {
		var res struct {
			Index   int    `json:"index"`
			Outline string `json:"outline"`
			Tag     string `json:"tag"`
		}
		run(t, ctx, "tab", chromedp.KeyEvent("\t"), chromedp.Evaluate(
			`(() => { const a = document.activeElement; const s = getComputedStyle(a); return {index: window.__f.indexOf(a), outline: s.outlineStyle + " " + s.outlineWidth, tag: a.tagName + " " + a.textContent.slice(0, 30)}; })()`, &res))
		if res.Index != i {
			t.Fatalf("Tab %d focused %q (index %d), want element %d in document order", i+1, res.Tag, res.Index, i)
		}
		if strings.HasPrefix(res.Outline, "none") || strings.HasSuffix(res.Outline, " 0px") {
			t.Errorf("focus on %q is not visible (outline %s)", res.Tag, res.Outline)
		}
	}
}

// TestRefusals: an agent opening a team, a wallboard or another agent's
// page sees the API's refusal and no figures.
func TestRefusals(t *testing.T) {
	p := apptest.Start(t, apptest.Options{})
	ctx := browser(t)
	signIn(t, ctx, p, agentToken(t, p, "agent-0001"), "#/agent/agent-0001")
	run(t, ctx, "own page", chromedp.WaitVisible("table.data tbody tr", chromedp.ByQuery))
	for _, c := range []struct{ hash, want string }{
		{"#/team/team-01", "it is for team leaders and admins"},
		{"#/wallboard/voice", "it is for team leaders and admins"},
		{"#/wallboards", "it is for team leaders and admins"},
		{"#/agent/agent-0002", "as an agent you see only your own figures and plans"},
	} {
		run(t, ctx, "open "+c.hash,
			chromedp.Evaluate(`document.getElementById("main").replaceChildren()`, nil),
			chromedp.Navigate(p.URL+"/"+c.hash),
			chromedp.WaitVisible(`main .error`, chromedp.ByQuery))
		if msg := textOf(t, ctx, "main .error"); !strings.Contains(msg, c.want) {
			t.Errorf("%s shows %q, want %q", c.hash, msg, c.want)
		}
		var n int
		run(t, ctx, "no figures", chromedp.Evaluate(`document.querySelectorAll("main table, main .badge, main dl").length`, &n))
		if n != 0 {
			t.Errorf("%s shows %d tables/badges/figures", c.hash, n)
		}
		var wb bool
		run(t, ctx, "no wallboard mode", chromedp.Evaluate(`document.body.classList.contains("wallboard")`, &wb))
		if wb && c.hash != "#/wallboard/voice" {
			t.Errorf("%s left wallboard mode on", c.hash)
		}
	}
	screenshots(t, ctx, "refused-other-agent")

	// A token that turns bad mid-session (here: signed with another
	// secret) answers 401: the page says so and offers to sign in again,
	// which leads to the sign-in page and back.
	bad := strings.Join(append(strings.Split(agentToken(t, p, "agent-0001"), ".")[:2], "c2lnbmF0dXJl"), ".")
	run(t, ctx, "a bad token", chromedp.Evaluate(`localStorage.setItem("agentpulse.token", `+jsString(bad)+`)`, nil),
		chromedp.Navigate(p.URL+"/#/agent/agent-0001"),
		chromedp.WaitVisible("#sign-in-again", chromedp.ByID))
	if msg := textOf(t, ctx, "main .error"); !strings.Contains(msg, "Your sign-in has expired or is no longer valid") {
		t.Errorf("401 shows %q", msg)
	}
	screenshots(t, ctx, "signed-out-401")
	run(t, ctx, "sign in again", chromedp.Click("#sign-in-again", chromedp.ByID), chromedp.WaitVisible("#token", chromedp.ByID))
	var hash string
	run(t, ctx, "hash", chromedp.Evaluate(`location.hash`, &hash))
	if !strings.HasPrefix(hash, "#/signin?next=") || !strings.Contains(hash, "agent-0001") {
		t.Errorf("sign in again leads to %q", hash)
	}
}
