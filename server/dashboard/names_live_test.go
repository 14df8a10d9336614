package dashboard_test

import (
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/agentpulse/agentpulse/auth"
	"github.com/agentpulse/agentpulse/server/app/apptest"
)

// TestNamesLive: names changed while pages are open show on them without
// a reload (the server pushes {"op":"names"} over the websocket): a
// wallboard on a TV, a team leader's team page and navigation, the
// admins' Teams and agents list (a person's roster name too), and the
// search box keeps what is being typed until it loses focus.
func TestNamesLive(t *testing.T) {
	p := apptest.Start(t, apptest.Options{Agents: 8, TeamSize: 4, Days: 2})
	admin := p.Token(t, auth.Claims{Subject: "admin", Role: auth.RoleAdmin})
	var teams, agents dirAnswer
	if code, _ := apiGet(t, p, admin, "/v1/teams", &teams); code != 200 || len(teams.Teams) < 2 {
		t.Fatalf("teams %d %+v", code, teams)
	}
	if code, _ := apiGet(t, p, admin, "/v1/agents?team="+teams.Teams[0].Team, &agents); code != 200 || len(agents.Agents) == 0 {
		t.Fatalf("agents %d %+v", code, agents)
	}
	team, agent := teams.Teams[0].Team, agents.Agents[0].AgentID

	// A TV's wallboard and a team leader's team page, each in its own
	// browser, both opened before the names exist.
	tv := browser(t)
	signIn(t, tv, p, admin, "#/wallboard/chat?rotate=0&kiosk=1")
	run(t, tv, "a TV", chromedp.EmulateViewport(1920, 1080), chromedp.Reload())
	waitJS(t, tv, "the wallboard", `!!document.querySelector('section.wb-team[data-team=`+jsString(team)+`] h2')`, `document.querySelector("main").innerText.slice(0, 200)`)
	lead := browser(t)
	signIn(t, lead, p, p.Token(t, auth.Claims{Subject: "lead-01", Role: auth.RoleSupervisor, Teams: []string{team}}), "#/team/"+team)
	waitJS(t, lead, "the team page", `document.querySelector("main h1")?.textContent.startsWith("Team")`, `document.querySelector("main h1")?.textContent`)
	ctx := browser(t)
	signIn(t, ctx, p, admin, "#/people")
	waitJS(t, ctx, "the people list", `!!document.querySelector('#teams-table tr[data-team=`+jsString(team)+`]')`, `document.querySelector("main").innerText.slice(0, 200)`)

	start := time.Now()
	putJSON(t, p, admin, "/v1/names", map[string]map[string]string{"teams": {team: "Billing East"}, "models": {"chat": "Web chat"}}, 200)
	waitJS(t, tv, "the new names on the TV", `document.querySelector('section.wb-team[data-team=`+jsString(team)+`] h2')?.textContent.includes("Billing East") && document.querySelector("main h1")?.textContent.startsWith("Web chat") && document.body.classList.contains("kiosk") && document.querySelectorAll("#main > .page").length === 1`, `document.querySelector("main").innerText.slice(0, 200)`)
	t.Logf("a name change reached an open wallboard %s after the PUT began", time.Since(start))
	shot(t, tv, "wallboard-renamed-live-1920x1080", 1920, 1080)
	waitJS(t, lead, "the new name on the team page and nav", `document.querySelector("main h1")?.textContent === "Billing East" && document.querySelector('#nav a[href="#/team/`+team+`"]')?.textContent === "Billing East"`, `document.getElementById("nav").textContent + " | " + document.querySelector("main h1")?.textContent`)
	waitJS(t, ctx, "the new name on the people list", `document.querySelector('#teams-table tr[data-team=`+jsString(team)+`] th')?.textContent === "Billing East"`, `document.querySelector("#teams-table")?.innerText.slice(0, 200)`)

	// While the admin types in the search box the list is not redrawn
	// under them; once the box loses focus it is.
	run(t, ctx, "type", chromedp.Click("#people-search", chromedp.ByID), chromedp.SendKeys("#people-search", "agent", chromedp.ByID))
	putJSON(t, p, admin, "/v1/roster/people/"+agent, map[string]string{"name": "Bo Ferreira", "role": "agent"}, 201)
	time.Sleep(time.Second)
	var typing string
	run(t, ctx, "still typing", chromedp.Evaluate(`document.activeElement.id + "|" + document.getElementById("people-search").value`, &typing))
	if typing != "people-search|agent" {
		t.Errorf("the search box after a push: %q", typing)
	}
	run(t, ctx, "leave the box", chromedp.Evaluate(`document.activeElement.blur()`, nil))
	waitJS(t, ctx, "the agent's name on the people list", `document.querySelector('#agents-table tr[data-agent=`+jsString(agent)+`] th')?.textContent.startsWith("Bo Ferreira") && document.getElementById("people-search").value === "agent"`, `document.querySelector('#agents-table tr[data-agent=`+jsString(agent)+`]')?.textContent`)
	screenshots(t, ctx, "people-renamed-live")

	// A removed name: the id in words again, on the open team page.
	putJSON(t, p, admin, "/v1/names", map[string]map[string]string{"teams": {team: ""}}, 200)
	waitJS(t, lead, "the id in words again", `document.querySelector("main h1")?.textContent !== "Billing East" && document.querySelector("main h1")?.textContent.startsWith("Team")`, `document.querySelector("main h1")?.textContent`)
}
