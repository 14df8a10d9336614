package dashboard_test

import (
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/agentpulse/agentpulse/auth"
	"github.com/agentpulse/agentpulse/server/app/apptest"
)

// TestPeople: an admin lands on "Teams and agents" (every team and agent
// with interactions), searches for an agent, and goes from the agent's
// row to a new coaching plan for them; a team leader's lists hold only
// their team.
func TestPeople(t *testing.T) {
	p := apptest.Start(t, apptest.Options{})
	admin := p.Token(t, auth.Claims{Subject: "admin", Role: auth.RoleAdmin})
	var wb wbAnswer
	if code, _ := apiGet(t, p, admin, "/v1/wallboards/chat", &wb); code != 200 {
		t.Fatalf("wallboard %d", code)
	}
	ctx := browser(t)
	signIn(t, ctx, p, admin, "#/")
	waitJS(t, ctx, "the admin's home", `location.hash === "#/people" && document.querySelectorAll("#teams-table tbody tr").length >= `+itoa(len(wb.Teams))+` && !!document.querySelector('#nav a[href="#/people"][aria-current="page"]')`, `location.hash + " " + document.querySelector("main").innerText.slice(0, 200)`)
	checkA11y(t, ctx, "people", 0)
	screenshots(t, ctx, "people")
	agent := wb.Teams[0].Agents[0].AgentID
	run(t, ctx, "search", chromedp.SendKeys("#people-search", agent, chromedp.ByID))
	waitJS(t, ctx, "one agent", `document.querySelectorAll("#agents-table tbody tr").length === 1 && document.querySelector("#agents-table tbody tr").dataset.agent === `+jsString(agent)+` && document.querySelectorAll("#teams-table tbody tr").length === 1`, `document.getElementById("people-count").textContent`)
	screenshots(t, ctx, "people-search")
	run(t, ctx, "new plan", chromedp.Click(`#agents-table a[href^="#/plans/new"]`, chromedp.ByQuery))
	stepTitle(t, ctx, "Step 1 of 7")
	if got := textOf(t, ctx, "main h1"); got != "New coaching plan for "+agent {
		t.Errorf("wizard heading %q", got)
	}

	team := wb.Teams[0].Team
	sup := p.Token(t, auth.Claims{Subject: "lead", Role: auth.RoleSupervisor, Teams: []string{team}})
	signIn(t, ctx, p, sup, "#/people")
	run(t, ctx, "reload", chromedp.Reload())
	waitJS(t, ctx, "the leader's team only", `document.querySelectorAll("#teams-table tbody tr").length === 1 && document.querySelector("#teams-table tbody tr").dataset.team === `+jsString(team), `document.getElementById("people-count")?.textContent`)
}
