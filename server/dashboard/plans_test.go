package dashboard_test

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/agentpulse/agentpulse/auth"
	"github.com/agentpulse/agentpulse/server/app/apptest"
	"github.com/agentpulse/agentpulse/views"
)

// setValue sets an input's value as a user would (input and change events).
func setValue(sel, v string) chromedp.Action {
	return chromedp.Evaluate(fmt.Sprintf(`(() => { const e = document.querySelector(%s); e.value = %s;
		e.dispatchEvent(new Event("input", {bubbles: true})); e.dispatchEvent(new Event("change", {bubbles: true})); return true })()`, jsString(sel), jsString(v)), nil)
}

// getPlan reads GET /v1/plans/{id} with tok.
func getPlan(t *testing.T, p *apptest.Product, tok, id string) views.Plan {
	t.Helper()
	req, _ := http.NewRequest("GET", p.URL+"/v1/plans/"+id, nil)
	req.Header.Set("Authorization", "Bearer "+tok)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("GET /v1/plans/%s: %s", id, resp.Status)
	}
	var pl views.Plan
	if err := json.NewDecoder(resp.Body).Decode(&pl); err != nil {
		t.Fatal(err)
	}
	return pl
}

func stepTitle(t *testing.T, ctx context.Context, want string) {
	t.Helper()
	run(t, ctx, "wait for step "+want, chromedp.Poll(fmt.Sprintf(`(document.getElementById("step-title")?.textContent || "").includes(%s) && (%t || document.activeElement.id === "step-title")`, jsString(want), strings.HasPrefix(want, "Step 1 ")), nil, chromedp.WithPollingTimeout(10*time.Second)))
}

// TestCoachingPlan builds a coaching plan through every wizard step as an
// agent — a 70 % improvement and a past date each keep Next on their step
// with the rule in plain words, then corrected — checks Start and target
// against the API and the reference, sees Start as the baseline until the
// first interaction since the commit, the plan in My coaching plans, Now
// change live ("20 of 20 since you started"), a copy of the plan stopped
// at step 1, ticks an action that stays ticked after a reload, and
// cancels the plan.
func TestCoachingPlan(t *testing.T) {
	p := apptest.Start(t, apptest.Options{})
	const agent = "agent-0001"
	ref := p.Reference()
	ms := ref.Models(p.Tenant, agent)
	if len(ms) == 0 {
		t.Fatal("agent-0001 has no models")
	}
	model := ms[0].Model // the agent's model with the most interactions
	team, _ := ref.TeamOf(p.Tenant, agent)
	perf, err := ref.AgentPerformance(p.Tenant, agent, model, views.RangeSpec{Preset: views.Preset3M}, views.SortSpec{})
	if err != nil || len(perf.Inquiries) == 0 {
		t.Fatalf("reference performance: %v (%d inquiries)", err, len(perf.Inquiries))
	}
	inquiry := perf.Inquiries[0].Inquiry // the agent's busiest inquiry
	start, ok := ref.StartValue(p.Tenant, agent, model, inquiry, views.MetricAHT, time.Now())
	if !ok {
		t.Fatalf("no reference start for %s", inquiry)
	}
	tok := agentToken(t, p, agent)
	ctx := browser(t)
	signIn(t, ctx, p, tok, "#/plans")
	run(t, ctx, "My coaching plans, empty", chromedp.WaitVisible("#new-plan", chromedp.ByID))
	screenshots(t, ctx, "plans-empty")
	run(t, ctx, "open the wizard from the deep link an inquiry page gives",
		chromedp.Navigate(p.URL+"/#/plans/new?model="+model+"&inquiry="+inquiry+"&metric=aht"))

	// 1: model, inquiry and metric, preselected from the link.
	stepTitle(t, ctx, "Step 1 of 7")
	var sel [3]string
	run(t, ctx, "step 1 values", chromedp.Value("#model", &sel[0], chromedp.ByID), chromedp.Value("#inquiry", &sel[1], chromedp.ByID), chromedp.Value("#metric", &sel[2], chromedp.ByID))
	if sel != [3]string{model, inquiry, "aht"} {
		t.Fatalf("step 1 preselected %v, want %s %s aht", sel, model, inquiry)
	}
	if got := textOf(t, ctx, "#start-value"); got != fmtDuration(start) {
		t.Errorf("start shown %q, reference %q (%.2f s)", got, fmtDuration(start), start)
	}
	checkA11y(t, ctx, "step 1", 0)
	screenshots(t, ctx, "plan-wizard-1-metric")
	run(t, ctx, "next", chromedp.Click("#wiz-next", chromedp.ByID))

	// 2: the target, live as the percent changes; 70 % is off the rules.
	stepTitle(t, ctx, "Step 2 of 7")
	if got, want := textOf(t, ctx, "#target-value"), fmtDuration(start*0.9); got != want {
		t.Errorf("target at 10 %% shown %q, want %q", got, want)
	}
	run(t, ctx, "type 20 %", setValue("#improvement_pct", "20"))
	if got, want := textOf(t, ctx, "#target-value"), fmtDuration(start*0.8); got != want {
		t.Errorf("target at 20 %% shown %q, want %q", got, want)
	}
	run(t, ctx, "type 70 %", setValue("#improvement_pct", "70"))
	if got := textOf(t, ctx, "#err-improvement_pct"); !strings.Contains(got, "between 5") {
		t.Errorf("client message for 70 %% = %q", got)
	}
	checkA11y(t, ctx, "step 2", 0)
	screenshots(t, ctx, "plan-wizard-2-target")
	run(t, ctx, "next (blocked)", chromedp.Click("#wiz-next", chromedp.ByID))
	waitJS(t, ctx, "70 % kept on step 2", `document.getElementById("step-title").textContent.includes("Step 2 of 7") && document.activeElement.id === "improvement_pct"`, `document.getElementById("step-title").textContent`)
	if got := textOf(t, ctx, "#err-improvement_pct"); !strings.Contains(got, "between 5 % and 50 %") || !strings.Contains(got, "rarely reached") {
		t.Errorf("70 %% let through step 2, or said %q", got)
	}
	screenshots(t, ctx, "plan-wizard-2-blocked")
	run(t, ctx, "correct to 20 %", setValue("#improvement_pct", "20"), chromedp.Click("#wiz-next", chromedp.ByID))

	// 3: the date; yesterday is refused, a date 10 days away is advised against.
	stepTitle(t, ctx, "Step 3 of 7")
	yesterday := time.Now().UTC().AddDate(0, 0, -1).Format("2006-01-02")
	run(t, ctx, "a past date", setValue("#target_date", yesterday))
	if got := textOf(t, ctx, "#err-target_date"); !strings.Contains(got, "after today") {
		t.Errorf("client message for a past date = %q", got)
	}
	checkA11y(t, ctx, "step 3", 0)
	screenshots(t, ctx, "plan-wizard-3-date")
	run(t, ctx, "next (blocked)", chromedp.Click("#wiz-next", chromedp.ByID))
	waitJS(t, ctx, "yesterday kept on step 3", `document.getElementById("step-title").textContent.includes("Step 3 of 7") && document.activeElement.id === "target_date"`, `document.getElementById("step-title").textContent`)
	soon := time.Now().UTC().AddDate(0, 0, 10).Format("2006-01-02")
	run(t, ctx, "a date 10 days away", setValue("#target_date", soon))
	if got := textOf(t, ctx, "#date-warning"); !strings.Contains(got, "between 2 weeks and 3 months") {
		t.Errorf("advice for a date 10 days away = %q", got)
	}
	if got := textOf(t, ctx, "#err-target_date"); got != "" {
		t.Errorf("a date 10 days away still shows %q", got)
	}
	run(t, ctx, "next", chromedp.Click("#wiz-next", chromedp.ByID))

	// 4: the poorest interactions, as the API's reference lists them.
	stepTitle(t, ctx, "Step 4 of 7")
	worst, err := ref.WorstInteractions(p.Tenant, agent, model, inquiry, views.MetricAHT, views.RangeSpec{Preset: views.Preset3M}, 10)
	if err != nil {
		t.Fatal(err)
	}
	var n int
	var firstID string
	run(t, ctx, "review list",
		chromedp.WaitVisible("ol.review details summary", chromedp.ByQuery),
		chromedp.Evaluate(`document.querySelectorAll("ol.review details").length`, &n),
		chromedp.Click("ol.review details summary", chromedp.ByQuery),
		chromedp.WaitVisible("ol.review details[open] dl", chromedp.ByQuery),
		chromedp.Text("ol.review details[open] dd", &firstID, chromedp.ByQuery))
	if n != len(worst) || firstID != worst[0].InteractionID {
		t.Errorf("review shows %d interactions, first %q; reference %d, first %q", n, firstID, len(worst), worst[0].InteractionID)
	}
	checkA11y(t, ctx, "step 4", 0)
	screenshots(t, ctx, "plan-wizard-4-review")
	run(t, ctx, "next", chromedp.Click("#wiz-next", chromedp.ByID))

	// 5: actions (keyboard typing; add one more).
	stepTitle(t, ctx, "Step 5 of 7")
	run(t, ctx, "actions",
		chromedp.SendKeys("#action-0", "Use the billing checklist before transferring", chromedp.ByID),
		chromedp.Click("#add-action", chromedp.ByID),
		chromedp.WaitVisible("#action-1", chromedp.ByID),
		chromedp.SendKeys("#action-1", "Listen to two calls of the top agent", chromedp.ByID))
	checkA11y(t, ctx, "step 5", 0)
	screenshots(t, ctx, "plan-wizard-5-actions")
	run(t, ctx, "next", chromedp.Click("#wiz-next", chromedp.ByID))

	// 6: asks for help: one from the catalogue, one of their own.
	stepTitle(t, ctx, "Step 6 of 7")
	run(t, ctx, "help",
		chromedp.Click("#cat-0", chromedp.ByID),
		chromedp.Click("#add-free", chromedp.ByID),
		chromedp.WaitVisible("#free-0", chromedp.ByID),
		chromedp.SendKeys("#free-0", "A side-by-side session with my team leader", chromedp.ByID))
	checkA11y(t, ctx, "step 6", 0)
	screenshots(t, ctx, "plan-wizard-6-help")
	run(t, ctx, "next", chromedp.Click("#wiz-next", chromedp.ByID))

	// 7: summary and commit.
	stepTitle(t, ctx, "Step 7 of 7")
	checkA11y(t, ctx, "step 7", 0)
	screenshots(t, ctx, "plan-wizard-7-summary")
	run(t, ctx, "commit", chromedp.Click("#wiz-commit", chromedp.ByID))
	waitJS(t, ctx, "the plan's page", `/^#\/plans\/[^/]+$/.test(location.hash) && location.hash !== "#/plans/new" && !!document.querySelector("[data-fig=start]")`, "location.hash")
	var hash string
	run(t, ctx, "hash", chromedp.Evaluate(`location.hash`, &hash))
	id := strings.TrimPrefix(hash, "#/plans/")

	// The plan's page against the API and the reference.
	pl := getPlan(t, p, tok, id)
	refStart, _ := ref.StartValue(p.Tenant, agent, model, inquiry, views.MetricAHT, pl.CreatedAt)
	if math.Abs(pl.StartValue-refStart) > 1e-6*math.Max(1, refStart) || math.Abs(pl.TargetValue-refStart*0.8) > 1e-6*math.Max(1, refStart) {
		t.Errorf("API start %.4f target %.4f; reference start %.4f target %.4f", pl.StartValue, pl.TargetValue, refStart, refStart*0.8)
	}
	if pl.ImprovementPct != 20 || pl.TargetDate != soon || len(pl.Actions) != 2 || len(pl.Assistance) != 2 || len(pl.Warnings) == 0 {
		t.Errorf("plan as stored: %+v", pl)
	}
	if got := textOf(t, ctx, "[data-fig=start] dd"); !strings.HasPrefix(got, fmtDuration(pl.StartValue)) {
		t.Errorf("Start shown %q, API %s", got, fmtDuration(pl.StartValue))
	}
	if got := textOf(t, ctx, "[data-fig=target] dd"); !strings.HasPrefix(got, fmtDuration(pl.TargetValue)) {
		t.Errorf("target shown %q, API %s", got, fmtDuration(pl.TargetValue))
	}
	// Nothing since the commit yet: Now is empty in the API (recent_value
	// keeps the last 20) and the page shows Start as the baseline.
	if pl.NowValue != nil || pl.NowVolume != 0 || pl.RecentValue == nil || pl.RecentVolume == 0 {
		t.Errorf("fresh plan: now %v (%d), recent %v (%d)", pl.NowValue, pl.NowVolume, pl.RecentValue, pl.RecentVolume)
	}
	if got := textOf(t, ctx, "#now-value"); got != fmtDuration(pl.StartValue) {
		t.Errorf("Now shown %q before any interaction since the commit; want Start %s", got, fmtDuration(pl.StartValue))
	}
	if got := textOf(t, ctx, "#now-volume"); !strings.Contains(got, "until your first interaction") {
		t.Errorf("Now explained as %q", got)
	}
	// The plan's metric on its inquiry, week by week (uPlot), opened on
	// the plan's metric.
	waitJS(t, ctx, "the plan's trend", `!!document.querySelector("#trend .uplot canvas") && document.getElementById("trend-metric").value === "aht"`, `document.querySelector("#trend")?.innerText`)
	checkA11y(t, ctx, "plan page", 0)
	screenshots(t, ctx, "plan-details")

	// Live: 20 fast interactions make Now 25 s without a reload.
	run(t, ctx, "mark the page", chromedp.Evaluate(`window.__noReload = true`, nil))
	for i := 0; i < views.NowWindowSize; i++ {
		p.Produce(t, p.NewInteraction(agent, team, model, inquiry, 25))
	}
	liveCtx, cancelLive := context.WithTimeout(ctx, 20*time.Second)
	err = chromedp.Run(liveCtx, chromedp.Poll(`window.__noReload === true && document.getElementById("now-value")?.textContent === "25s" && document.getElementById("now-volume").textContent.includes("20 of 20") && document.querySelector("[data-fig=ontrack] dd").textContent.includes("On track")`, nil))
	cancelLive()
	if err != nil {
		var shown, state string
		run(t, ctx, "diagnose", chromedp.Evaluate(`document.getElementById("now-value")?.textContent`, &shown), chromedp.Evaluate(`document.querySelector(".live-dot")?.className`, &state))
		api := getPlan(t, p, tok, id)
		t.Fatalf("Now did not change live: page shows %q (%s); API now %v over %d", shown, state, *api.NowValue, api.NowVolume)
	}
	if got := textOf(t, ctx, "#now-volume"); !strings.Contains(got, "20 of 20 interactions since you started") {
		t.Errorf("Now explained as %q", got)
	}
	screenshots(t, ctx, "plan-details-live")

	// A copy of the plan is stopped at step 1, with a link to this one.
	run(t, ctx, "the same plan again",
		chromedp.Navigate(p.URL+"/#/plans/new?model="+model+"&inquiry="+inquiry+"&metric=aht"))
	stepTitle(t, ctx, "Step 1 of 7")
	run(t, ctx, "next (a copy)", chromedp.Click("#wiz-next", chromedp.ByID))
	waitJS(t, ctx, "the copy refused at step 1", `(document.getElementById("err-metric")?.textContent || "").includes("already a plan in progress") && document.getElementById("existing-plan")?.getAttribute("href") === "#/plans/`+id+`"`, `document.getElementById("err-metric")?.textContent`)
	screenshots(t, ctx, "plan-wizard-duplicate")
	run(t, ctx, "back to the plan", chromedp.Click("#existing-plan", chromedp.ByID), chromedp.WaitVisible("#plan-action-0", chromedp.ByID))

	// An action ticked stays ticked after a reload.
	run(t, ctx, "tick action 1",
		chromedp.Click("#plan-action-0", chromedp.ByID))
	waitJS(t, ctx, "saved", `document.getElementById("status").textContent.includes("ticked")`, "location.hash")
	run(t, ctx, "reload", chromedp.Reload(), chromedp.WaitVisible("#plan-action-0", chromedp.ByID))
	var done bool
	run(t, ctx, "after reload", chromedp.Evaluate(`document.getElementById("plan-action-0").checked && !document.getElementById("plan-action-1").checked`, &done))
	if !done || !getPlan(t, p, tok, id).Actions[0].Done {
		t.Errorf("action 1 not kept as done after a reload")
	}

	// My coaching plans lists it in progress, reached from the nav.
	run(t, ctx, "nav to My coaching plans",
		chromedp.Click(`#nav a[href="#/plans"]`, chromedp.ByQuery),
		chromedp.WaitVisible(`#plans-in-progress ~ .table-wrap tr[data-plan="`+id+`"]`, chromedp.ByQuery))
	if got := textOf(t, ctx, `tr[data-plan="`+id+`"] [data-col=now]`); !strings.HasPrefix(got, "25s (20 of 20 since the start)") {
		t.Errorf("My plans: Now %q", got)
	}
	checkA11y(t, ctx, "My plans", 0)
	screenshots(t, ctx, "plans-list")

	// Cancel, with a confirmation.
	run(t, ctx, "cancel",
		chromedp.Click(`tr[data-plan="`+id+`"] a`, chromedp.ByQuery),
		chromedp.WaitVisible("#cancel-plan", chromedp.ByID),
		chromedp.Click("#cancel-plan", chromedp.ByID),
		chromedp.WaitVisible("#cancel-yes", chromedp.ByID))
	screenshots(t, ctx, "plan-cancel-confirm")
	run(t, ctx, "confirm", chromedp.Click("#cancel-yes", chromedp.ByID))
	waitJS(t, ctx, "cancelled", `document.querySelector("[data-fig=status] dd").textContent === "Cancelled" && !document.getElementById("cancel-plan")`, "location.hash")
	if s := getPlan(t, p, tok, id).Status; s != views.PlanCancelled {
		t.Errorf("API status after cancel %q", s)
	}
	run(t, ctx, "finished list",
		chromedp.Navigate(p.URL+"/#/plans"),
		chromedp.WaitVisible(`#plans-finished ~ .table-wrap tr[data-plan="`+id+`"]`, chromedp.ByQuery))

	// A supervisor of the agent's team opens the agent's plans.
	sup := p.Token(t, auth.Claims{Subject: "lead", Role: auth.RoleSupervisor, Teams: []string{team}})
	signIn(t, ctx, p, sup, "#/agent/"+agent+"/plans")
	run(t, ctx, "supervisor sees the plans", chromedp.WaitVisible(`tr[data-plan="`+id+`"]`, chromedp.ByQuery))
	screenshots(t, ctx, "plans-supervisor")
}
