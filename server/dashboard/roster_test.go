package dashboard_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/agentpulse/agentpulse/auth"
	"github.com/agentpulse/agentpulse/server/app/apptest"
)

// TestRoster: an admin opens "People and roles", adds a team leader
// (moved from team-01 to team-02) and names an agent; the names replace
// the ids on the people list, the team view and the wallboard; the
// leader, whose token still says team-01, gets team-02's navigation (GET
// /v1/me); switching to "the roster alone" without being listed is
// refused with the reason under the choice. Checked for accessibility,
// at phone width, and shot at desktop, phone and TV sizes.
func TestRoster(t *testing.T) {
	p := apptest.Start(t, apptest.Options{Agents: 8, TeamSize: 4, Days: 3})
	admin := p.Token(t, auth.Claims{Subject: "admin", Role: auth.RoleAdmin})
	var wb wbAnswer
	if code, _ := apiGet(t, p, admin, "/v1/wallboards/chat", &wb); code != 200 || len(wb.Teams) == 0 {
		t.Fatalf("wallboard %d", code)
	}
	team := wb.Teams[0].Team
	agent := wb.Teams[0].Agents[0].AgentID
	ctx := browser(t)
	signIn(t, ctx, p, admin, "#/roster")
	waitJS(t, ctx, "the empty roster", `!!document.getElementById("roster-empty") && document.getElementById("mode-override").checked && !!document.querySelector('#nav a[href="#/roster"][aria-current="page"]')`, `document.querySelector("main").innerText.slice(0, 300)`)
	checkA11y(t, ctx, "roster-empty", 0)

	add := func(sub, name, role, teams string) {
		t.Helper()
		run(t, ctx, "add "+sub,
			chromedp.SetValue("#person-subject", sub, chromedp.ByID),
			chromedp.SetValue("#person-name", name, chromedp.ByID),
			chromedp.SetValue("#person-role", role, chromedp.ByID),
			chromedp.Evaluate(`document.getElementById("person-role").dispatchEvent(new Event("change"))`, nil),
			chromedp.Evaluate(`document.getElementById("person-teams").value = `+jsString(teams), nil),
			chromedp.Click("#save-person", chromedp.ByID))
		waitJS(t, ctx, sub+" listed", `!!document.querySelector('#roster-table tr[data-subject=`+jsString(sub)+`]') && document.getElementById("person-subject").value === ""`, `document.querySelector("main").innerText.slice(0, 400)`)
	}
	add("lead-01", "Ana Lima", "supervisor", "team-02")
	add(agent, "Bo Ferreira", "agent", "")
	var row string
	run(t, ctx, "row", chromedp.Text(`#roster-table tr[data-subject="lead-01"]`, &row, chromedp.ByQuery))
	if !strings.Contains(row, "Ana Lima") || !strings.Contains(row, "team leader of team-02") || !strings.Contains(row, "by admin") {
		t.Errorf("lead-01's row %q", row)
	}
	// A bad team id is refused under the field, in words.
	run(t, ctx, "bad team",
		chromedp.SetValue("#person-subject", "lead-02", chromedp.ByID),
		chromedp.SetValue("#person-role", "supervisor", chromedp.ByID),
		chromedp.Evaluate(`document.getElementById("person-role").dispatchEvent(new Event("change"))`, nil),
		chromedp.SetValue("#person-teams", "team 9", chromedp.ByID),
		chromedp.Click("#save-person", chromedp.ByID))
	waitJS(t, ctx, "the team error", `document.getElementById("err-teams").textContent.includes("team id")`, `document.getElementById("err-teams").textContent`)
	run(t, ctx, "clear", chromedp.Evaluate(`document.getElementById("person-subject").value = document.getElementById("person-teams").value = ""`, nil))
	// The roster alone, without being listed: refused with the reason.
	run(t, ctx, "roster mode", chromedp.Click("#mode-roster", chromedp.ByID), chromedp.Click("#save-mode", chromedp.ByID))
	waitJS(t, ctx, "the lockout refusal", `document.getElementById("err-mode").textContent.includes("add yourself as admin")`, `document.getElementById("err-mode").textContent`)
	checkA11y(t, ctx, "roster", 0)
	fitsPhone(t, ctx, "roster")
	screenshots(t, ctx, "roster")

	// Names instead of ids.
	run(t, ctx, "people", chromedp.Navigate(p.URL+"/#/people"))
	waitJS(t, ctx, "the agent's name on the people list", `document.querySelector('#agents-table tr[data-agent=`+jsString(agent)+`] th')?.textContent.startsWith("Bo Ferreira")`, `document.querySelector('#agents-table tr[data-agent=`+jsString(agent)+`]')?.textContent`)
	run(t, ctx, "team", chromedp.Navigate(p.URL+"/#/team/"+team))
	waitJS(t, ctx, "the agent's name on the team view", `[...document.querySelectorAll("main a")].some((a) => a.textContent === "Bo Ferreira" && a.getAttribute("href") === "#/agent/`+agent+`")`, `document.querySelector("main").innerText.slice(0, 300)`)
	run(t, ctx, "wallboard", chromedp.Navigate(p.URL+"/#/wallboard/chat?rotate=0"))
	waitJS(t, ctx, "the agent's name on the wallboard", `[...document.querySelectorAll("main th")].some((th) => th.textContent.includes("Bo Ferreira"))`, `document.querySelector("main").innerText.slice(0, 300)`)

	// The leader's token says team-01; the roster says team-02.
	lead := p.Token(t, auth.Claims{Subject: "lead-01", Role: auth.RoleSupervisor, Teams: []string{"team-01"}})
	signIn(t, ctx, p, lead, "#/")
	waitJS(t, ctx, "the roster's team for the leader", `location.hash === "#/team/team-02" && !!document.querySelector('#nav a[href="#/team/team-02"]') && !document.querySelector('#nav a[href="#/team/team-01"]') && document.getElementById("who").textContent.includes("Ana Lima")`, `location.hash + " " + document.getElementById("nav").textContent + " " + document.getElementById("who").textContent`)
	waitJS(t, ctx, "the leader's page is live", `document.querySelector(".live-dot")?.classList.contains("live-live")`, `document.querySelector(".live-dot")?.className`)

	// Only the roster now, without the leader: their open page is told at
	// once (websocket closed with 4502) and the session ends.
	for _, c := range []struct{ method, path, body string }{
		{"PUT", "/v1/roster/people/admin", `{"role":"admin"}`},
		{"PUT", "/v1/roster/mode", `{"mode":"roster"}`},
		{"DELETE", "/v1/roster/people/lead-01", ``},
	} {
		if code := apiSend(t, p, admin, c.method, c.path, c.body); code/100 != 2 {
			t.Fatalf("%s %s: %d", c.method, c.path, code)
		}
	}
	waitJS(t, ctx, "the leader told their access ended", `document.getElementById("status").textContent.includes("changed your access") && localStorage.getItem("agentpulse.token") === null`, `document.getElementById("status").textContent`)
}

// apiSend sends method path with tok and a JSON body (may be empty) and
// returns the status.
func apiSend(t testing.TB, p *apptest.Product, tok, method, path, body string) int {
	t.Helper()
	req, err := http.NewRequest(method, p.URL+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+tok)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}
