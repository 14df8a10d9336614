package dashboard_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/agentpulse/agentpulse/auth"
	"github.com/agentpulse/agentpulse/server/app/apptest"
	"github.com/agentpulse/agentpulse/server/notify"
	"github.com/agentpulse/agentpulse/server/notify/notifytest"
	"github.com/agentpulse/agentpulse/views"
)

// postJSON sends body to path with tok and decodes the answer into out.
func postJSON(t *testing.T, p *apptest.Product, tok, path string, body any, want int, out any) {
	t.Helper()
	b, _ := json.Marshal(body)
	req, _ := http.NewRequest("POST", p.URL+path, bytes.NewReader(b))
	req.Header.Set("Authorization", "Bearer "+tok)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != want {
		t.Fatalf("POST %s = %s, want %d", path, resp.Status, want)
	}
	if out != nil {
		if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
			t.Fatal(err)
		}
	}
}

// TestCoachingLoop runs the loop between an agent and their team leader
// in two browsers. The leader asks for e-mails and webhook posts; the
// agent's plan asks for help: the leader's open Notifications page shows
// it live, an e-mail reaches a real SMTP server and a webhook an HTTP
// receiver. The plan and is due in 5
// days with nothing since the commit; the leader's inbox badge counts it,
// the inbox lists it under "Asks for help" and "Plans at risk"; the
// leader takes it up and comments, and the agent's open plan page shows
// both live; the agent answers and the leader sees it. The leader then
// goes from the agent's page to a new plan for them through the wizard.
func TestCoachingLoop(t *testing.T) {
	box := notifytest.StartSMTP(t)
	var hookMu sync.Mutex
	var hooks []notify.Webhook
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var h notify.Webhook
		if json.NewDecoder(r.Body).Decode(&h) != nil {
			http.Error(w, "bad", 400)
			return
		}
		hookMu.Lock()
		hooks = append(hooks, h)
		hookMu.Unlock()
	}))
	defer hook.Close()
	p := apptest.Start(t, apptest.Options{SMTPAddr: box.Addr})
	const agent = "agent-0001"
	ref := p.Reference()
	model := ref.Models(p.Tenant, agent)[0].Model
	team, _ := ref.TeamOf(p.Tenant, agent)
	perf, err := ref.AgentPerformance(p.Tenant, agent, model, views.RangeSpec{Preset: views.Preset3M}, views.SortSpec{})
	if err != nil || len(perf.Inquiries) < 2 {
		t.Fatalf("reference performance: %v", err)
	}
	inquiry := perf.Inquiries[0].Inquiry
	agentTok := agentToken(t, p, agent)
	leadTok := p.Token(t, auth.Claims{Subject: "lead-1", Role: auth.RoleSupervisor, Teams: []string{team}})

	// The leader asks for e-mails and webhook posts on their Notifications page.
	leadCtx := browser(t)
	signIn(t, leadCtx, p, leadTok, "#/notifications")
	run(t, leadCtx, "preferences", chromedp.WaitVisible("#pref-email", chromedp.ByID),
		chromedp.SendKeys("#pref-email", "lead-1@example.com", chromedp.ByID),
		chromedp.SendKeys("#pref-webhook", hook.URL, chromedp.ByID),
		chromedp.Click("#save-prefs", chromedp.ByID))
	waitJS(t, leadCtx, "saved", `document.getElementById("status").textContent.includes("Preferences saved")`, `document.getElementById("status").textContent`)
	checkA11y(t, leadCtx, "notifications", 0)

	var plan views.Plan
	postJSON(t, p, agentTok, "/v1/agents/"+agent+"/plans", views.PlanInput{Model: model, Inquiry: inquiry, Metric: views.MetricAHT,
		ImprovementPct: 10, TargetDate: time.Now().UTC().AddDate(0, 0, 5).Format(views.DateLayout),
		Actions: []string{"Use the checklist"}, Assistance: []string{"A side-by-side session with my team leader"}}, http.StatusCreated, &plan)

	// Live on the open page, by e-mail and by webhook.
	waitJS(t, leadCtx, "the notification, live", `(document.getElementById("notification-list")?.textContent || "").includes("agent-0001 asks for help") && document.getElementById("unread-badge").textContent === "1"`, `document.getElementById("notification-list")?.textContent`)
	screenshots(t, leadCtx, "notifications")
	// Mark all as read: the list and the badge follow; the button goes.
	run(t, leadCtx, "mark all read", chromedp.Click("#read-all", chromedp.ByID))
	waitJS(t, leadCtx, "all read", `document.getElementById("read-all").hidden && document.getElementById("unread-badge").hidden && !document.querySelector("#notification-list li.unread") && !!document.querySelector("#notification-list li.read")`,
		`document.getElementById("notification-list")?.innerHTML.slice(0, 300) + " badge " + document.getElementById("unread-badge").outerHTML`)
	deadline := time.Now().Add(10 * time.Second)
	for {
		hookMu.Lock()
		n := len(hooks)
		hookMu.Unlock()
		if n >= 1 && len(box.All()) >= 1 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no e-mail (%d) or webhook (%d)", len(box.All()), n)
		}
		time.Sleep(50 * time.Millisecond)
	}
	if m := box.All()[0]; m.To != "lead-1@example.com" || !strings.Contains(m.Data, "agent-0001 asks for help") || !strings.Contains(m.Data, "#/plans/"+plan.ID) {
		t.Errorf("e-mail %+v", m)
	}
	if h := hooks[0]; h.Kind != notify.KindHelpAsked || !strings.Contains(h.Text, "side-by-side") {
		t.Errorf("webhook %+v", h)
	}

	agentCtx := browser(t) // a second Chromium: another person's browser
	signIn(t, agentCtx, p, agentTok, "#/plans/"+plan.ID)
	waitJS(t, agentCtx, "the agent's plan", `(document.getElementById("help-ack")?.textContent || "").includes("no one has taken them up yet")`, `document.getElementById("help-ack")?.textContent`)

	signIn(t, leadCtx, p, leadTok, "#/team/"+team)
	waitJS(t, leadCtx, "the inbox badge", `document.getElementById("inbox-badge")?.textContent === "1" && !document.getElementById("inbox-badge").hidden`, `document.getElementById("inbox-badge")?.outerHTML`)
	run(t, leadCtx, "open the inbox", chromedp.Click(`#nav a[href="#/inbox"]`, chromedp.ByQuery))
	waitJS(t, leadCtx, "the ask and the plan at risk", `!!document.querySelector('[data-ask="`+plan.ID+`"] [data-ack]') && !!document.querySelector('#at-risk tr[data-plan="`+plan.ID+`"]')`, `document.querySelector("main").innerText`)
	if got := textOf(t, leadCtx, `[data-ask="`+plan.ID+`"] ul`); !strings.Contains(got, "side-by-side") {
		t.Errorf("the ask reads %q", got)
	}
	checkA11y(t, leadCtx, "inbox", 0)
	screenshots(t, leadCtx, "inbox")
	run(t, leadCtx, "take it up", chromedp.Click(`[data-ask="`+plan.ID+`"] [data-ack]`, chromedp.ByQuery))
	waitJS(t, leadCtx, "taken up, badge cleared", `(document.querySelector('[data-ask="`+plan.ID+`"]')?.textContent || "").includes("Taken up by lead-1") && document.getElementById("inbox-badge").hidden`, `document.querySelector("main").innerText`)

	// The agent's open page shows it live.
	waitJS(t, agentCtx, "the agent sees it taken up", `(document.getElementById("help-ack")?.textContent || "").includes("lead-1 took up your asks")`, `document.getElementById("help-ack")?.textContent`)

	// The leader comments on the plan; the agent sees it live and answers.
	run(t, leadCtx, "open the plan",
		chromedp.Click(`[data-ask="`+plan.ID+`"] a[href="#/plans/`+plan.ID+`"]`, chromedp.ByQuery),
		chromedp.WaitVisible("#comment-text", chromedp.ByID),
		chromedp.SendKeys("#comment-text", "Let's sit together on Tuesday at 10", chromedp.ByID),
		chromedp.Click("#send-comment", chromedp.ByID))
	waitJS(t, leadCtx, "the comment sent", `(document.getElementById("comment-list")?.textContent || "").includes("Tuesday at 10")`, `document.getElementById("comment-list")?.textContent`)
	waitJS(t, agentCtx, "the agent sees the comment", `(document.getElementById("comment-list")?.textContent || "").includes("lead-1") && document.getElementById("comment-list").textContent.includes("Tuesday at 10")`, `document.getElementById("comment-list")?.textContent`)
	run(t, agentCtx, "the agent answers",
		chromedp.SendKeys("#comment-text", "Thanks, see you then", chromedp.ByID),
		chromedp.Click("#send-comment", chromedp.ByID))
	waitJS(t, leadCtx, "the leader sees the answer", `(document.getElementById("comment-list")?.textContent || "").includes("see you then")`, `document.getElementById("comment-list")?.textContent`)
	checkA11y(t, agentCtx, "plan with a conversation", 0)
	screenshots(t, agentCtx, "plan-conversation-agent")
	screenshots(t, leadCtx, "plan-conversation-leader")

	// From the agent's page to a new plan for them.
	other := perf.Inquiries[1].Inquiry
	run(t, leadCtx, "the agent's page", chromedp.Navigate(p.URL+"/#/agent/"+agent+"?model="+model),
		chromedp.WaitVisible("#agent-new-plan", chromedp.ByID))
	screenshots(t, leadCtx, "agent-page-leader")
	run(t, leadCtx, "new plan for the agent", chromedp.Click("#agent-new-plan", chromedp.ByID))
	stepTitle(t, leadCtx, "Step 1 of 7")
	if got := textOf(t, leadCtx, "h1"); got != "New coaching plan for "+agent {
		t.Errorf("wizard heading %q", got)
	}
	run(t, leadCtx, "pick another inquiry", setValue("#inquiry", other))
	waitJS(t, leadCtx, "the inquiry's start", `document.getElementById("inquiry").value === `+jsString(other)+` && document.getElementById("start-value").textContent !== "—"`, `document.getElementById("start-value")?.textContent`)
	for _, want := range []string{"Step 2", "Step 3", "Step 4", "Step 5"} {
		run(t, leadCtx, "next", chromedp.Click("#wiz-next", chromedp.ByID))
		stepTitle(t, leadCtx, want)
	}
	run(t, leadCtx, "an action", chromedp.SendKeys("#action-0", "Shadow a call a day", chromedp.ByID), chromedp.Click("#wiz-next", chromedp.ByID))
	stepTitle(t, leadCtx, "Step 6")
	run(t, leadCtx, "an ask", chromedp.Click("#cat-0", chromedp.ByID), chromedp.Click("#wiz-next", chromedp.ByID))
	stepTitle(t, leadCtx, "Step 7")
	run(t, leadCtx, "commit", chromedp.Click("#wiz-commit", chromedp.ByID))
	waitJS(t, leadCtx, "the new plan's page", `/^#\/plans\/[^/]+$/.test(location.hash) && location.hash !== "#/plans/new" && !!document.querySelector("[data-fig=start]")`, "location.hash")
	var hash string
	run(t, leadCtx, "hash", chromedp.Evaluate(`location.hash`, &hash))
	if pl := getPlan(t, p, agentTok, strings.TrimPrefix(hash, "#/plans/")); pl.AgentID != agent || pl.Inquiry != other {
		t.Errorf("the leader's plan: agent %s inquiry %s", pl.AgentID, pl.Inquiry)
	}
}
