package dashboard_test

import (
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/agentpulse/agentpulse/auth"
	"github.com/agentpulse/agentpulse/server/app/apptest"
)

// dirAnswer is GET /v1/teams' or GET /v1/agents' answer.
type dirAnswer struct {
	Teams []struct {
		Team       string `json:"team"`
		AgentCount int    `json:"agent_count"`
	} `json:"teams"`
	Agents []struct {
		AgentID string `json:"agent_id"`
		Team    string `json:"team"`
	} `json:"agents"`
	Next string `json:"next"`
}

// TestPeople: an admin lands on "Teams and agents" (the directory: every
// team and agent), searches for an agent on the server, walks the pages
// of agents, lists one team's agents, and goes from an agent's row to a
// new coaching plan for them; a team leader's lists hold only their team.
func TestPeople(t *testing.T) {
	p := apptest.Start(t, apptest.Options{})
	admin := p.Token(t, auth.Claims{Subject: "admin", Role: auth.RoleAdmin})
	var teams, agents dirAnswer
	if code, _ := apiGet(t, p, admin, "/v1/teams", &teams); code != 200 || len(teams.Teams) < 2 {
		t.Fatalf("teams %d %+v", code, teams)
	}
	if code, _ := apiGet(t, p, admin, "/v1/agents?limit=1000", &agents); code != 200 || len(agents.Agents) < 5 {
		t.Fatalf("agents %d %+v", code, agents)
	}
	ctx := browser(t)
	signIn(t, ctx, p, admin, "#/")
	waitJS(t, ctx, "the admin's home", `location.hash === "#/people" && document.querySelectorAll("#teams-table tbody tr").length === `+itoa(len(teams.Teams))+` && document.querySelectorAll("#agents-table tbody tr").length === `+itoa(len(agents.Agents))+` && !!document.querySelector('#nav a[href="#/people"][aria-current="page"]')`, `location.hash + " " + document.querySelector("main").innerText.slice(0, 200)`)
	checkA11y(t, ctx, "people", 0)
	screenshots(t, ctx, "people")

	// Pages of 2: Next walks every agent in id order, Previous comes back.
	run(t, ctx, "pages of 2", chromedp.Navigate(p.URL+"/#/people?per=2"), chromedp.Reload())
	var seen []string
	for page := 1; ; page++ {
		waitJS(t, ctx, "page "+itoa(page), `document.querySelector("nav.pager[aria-label='Pages of agents'] span")?.textContent === "Page `+itoa(page)+`" && document.querySelectorAll("#agents-table tbody tr").length > 0`, `document.getElementById("people-count").textContent`)
		var ids []string
		run(t, ctx, "rows", chromedp.Evaluate(`[...document.querySelectorAll("#agents-table tbody tr")].map((r) => r.dataset.agent)`, &ids))
		seen = append(seen, ids...)
		var more bool
		run(t, ctx, "next?", chromedp.Evaluate(`!document.getElementById("agents-next").disabled`, &more))
		if !more || page > len(agents.Agents) {
			break
		}
		if page == 2 {
			screenshots(t, ctx, "people-pages")
		}
		run(t, ctx, "next", chromedp.Click("#agents-next", chromedp.ByID))
	}
	if len(seen) != len(agents.Agents) {
		t.Fatalf("pages showed %d agents %v, want %d", len(seen), seen, len(agents.Agents))
	}
	for i, a := range agents.Agents {
		if seen[i] != a.AgentID {
			t.Fatalf("agent %d on the pages: %s, want %s", i, seen[i], a.AgentID)
		}
	}
	run(t, ctx, "previous", chromedp.Click("#agents-prev", chromedp.ByID))
	waitJS(t, ctx, "the page before", `document.querySelector("#agents-table tbody tr").dataset.agent === `+jsString(seen[((len(seen)+1)/2-2)*2]), `document.querySelector("#agents-table tbody tr")?.dataset.agent`)

	// One team's agents.
	team := teams.Teams[1]
	run(t, ctx, "every agent again", chromedp.Navigate(p.URL+"/#/people"), chromedp.Reload())
	run(t, ctx, "list the team's agents", chromedp.Click(`#teams-table button[data-list-team="`+team.Team+`"]`, chromedp.ByQuery))
	waitJS(t, ctx, "the team's agents", `document.querySelectorAll("#agents-table tbody tr").length === `+itoa(team.AgentCount)+` && [...document.querySelectorAll("#agents-table tbody tr")].every((r) => r.querySelector("td a").title === `+jsString(team.Team)+`) && location.hash.includes("team=")`, `document.getElementById("agents-h").textContent`)
	screenshots(t, ctx, "people-team")
	run(t, ctx, "every agent", chromedp.Click("#all-agents", chromedp.ByID))
	waitJS(t, ctx, "every agent", `document.querySelectorAll("#agents-table tbody tr").length === `+itoa(len(agents.Agents)), `document.getElementById("people-count").textContent`)

	// Search (on the server): one agent by id.
	agent := agents.Agents[len(agents.Agents)-1].AgentID
	run(t, ctx, "search", chromedp.SendKeys("#people-search", agent, chromedp.ByID))
	waitJS(t, ctx, "one agent", `document.querySelectorAll("#agents-table tbody tr").length === 1 && document.querySelector("#agents-table tbody tr").dataset.agent === `+jsString(agent)+` && location.hash.includes("q=")`, `document.getElementById("people-count").textContent`)
	screenshots(t, ctx, "people-search")
	run(t, ctx, "new plan", chromedp.Click(`#agents-table a[href^="#/plans/new"]`, chromedp.ByQuery))
	stepTitle(t, ctx, "Step 1 of 7")
	if got := textOf(t, ctx, "main h1"); got != "New coaching plan for "+agent {
		t.Errorf("wizard heading %q", got)
	}

	sup := p.Token(t, auth.Claims{Subject: "lead", Role: auth.RoleSupervisor, Teams: []string{team.Team}})
	signIn(t, ctx, p, sup, "#/people")
	run(t, ctx, "reload", chromedp.Reload())
	waitJS(t, ctx, "the leader's team only", `document.querySelectorAll("#teams-table tbody tr").length === 1 && document.querySelector("#teams-table tbody tr").dataset.team === `+jsString(team.Team)+` && document.querySelectorAll("#agents-table tbody tr").length === `+itoa(team.AgentCount), `document.getElementById("people-count")?.textContent`)
}
