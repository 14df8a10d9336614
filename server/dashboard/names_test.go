package dashboard_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/agentpulse/agentpulse/auth"
	"github.com/agentpulse/agentpulse/server/app/apptest"
)

// TestDisplayNames: an admin opens "Names of teams, inquiries and
// channels" from the people list, names a team, an inquiry and the chat
// channel; a name over 128 characters is refused under its field in
// words; the names replace the ids on the people list, the team view, the
// wallboard and the agent's page, for the admin and for a team leader;
// emptying a name brings back the id in words. Checked for accessibility,
// at phone width, and shot at desktop, phone and TV sizes.
func TestDisplayNames(t *testing.T) {
	p := apptest.Start(t, apptest.Options{Agents: 8, TeamSize: 4, Days: 3})
	admin := p.Token(t, auth.Claims{Subject: "admin", Role: auth.RoleAdmin})
	var wb wbAnswer
	if code, _ := apiGet(t, p, admin, "/v1/wallboards/chat", &wb); code != 200 || len(wb.Teams) == 0 {
		t.Fatalf("wallboard %d", code)
	}
	team := wb.Teams[0].Team
	agent := wb.Teams[0].Agents[0].AgentID
	var perf struct {
		Inquiries []struct{ Inquiry string }
	}
	if code, _ := apiGet(t, p, admin, "/v1/agents/"+agent+"/performance?model=chat", &perf); code != 200 || len(perf.Inquiries) == 0 {
		t.Fatalf("performance %d %+v", code, perf)
	}
	inquiry := perf.Inquiries[0].Inquiry

	ctx := browser(t)
	signIn(t, ctx, p, admin, "#/people")
	waitJS(t, ctx, "the link to the names", `!!document.getElementById("names-link")`, `document.querySelector("main").innerText.slice(0, 300)`)
	run(t, ctx, "open the names", chromedp.Click("#names-link", chromedp.ByID))
	input := func(kind, id string) string { return "name-" + kind + "-" + id }
	waitJS(t, ctx, "the names page", `!!document.getElementById(`+jsString(input("teams", team))+`) && !!document.getElementById(`+jsString(input("inquiries", inquiry))+`) && !!document.getElementById("name-models-chat")`,
		`document.querySelector("main").innerText.slice(0, 400)`)
	// Every inquiry of the tenant (GET /v1/inquiries) is listed, each once.
	var inqs struct {
		Inquiries []struct{ Inquiry string }
	}
	if code, _ := apiGet(t, p, admin, "/v1/inquiries", &inqs); code != 200 || len(inqs.Inquiries) < 2 {
		t.Fatalf("inquiries %d %+v", code, inqs)
	}
	var listed []string
	run(t, ctx, "the inquiries listed", chromedp.Evaluate(`[...document.querySelectorAll('input[id^="name-inquiries-"]')].map((i) => i.dataset.id)`, &listed))
	if len(listed) != len(inqs.Inquiries) {
		t.Errorf("the names page lists inquiries %v; GET /v1/inquiries has %d", listed, len(inqs.Inquiries))
	}
	for i, x := range inqs.Inquiries {
		if i < len(listed) && listed[i] != x.Inquiry {
			t.Errorf("inquiry %d on the names page: %s, want %s", i, listed[i], x.Inquiry)
		}
	}
	checkA11y(t, ctx, "names", 0)
	fitsPhone(t, ctx, "names")

	set := func(kind, id, name string) {
		t.Helper()
		run(t, ctx, "name "+id, chromedp.Evaluate(`document.getElementById(`+jsString(input(kind, id))+`).value = `+jsString(name), nil))
	}
	// Too long (the field's maxlength bounds typing; a pasted value set by
	// script is not bounded): refused by the server, said under the field.
	set("teams", team, strings.Repeat("x", 129))
	run(t, ctx, "save teams", chromedp.Click("#save-teams", chromedp.ByID))
	waitJS(t, ctx, "the error under the team", `document.getElementById(`+jsString("err-teams-"+team)+`).textContent.includes("at most 128 characters")`, `document.getElementById(`+jsString("err-teams-"+team)+`).textContent`)
	set("teams", team, "Billing East")
	run(t, ctx, "save teams", chromedp.Click("#save-teams", chromedp.ByID))
	waitJS(t, ctx, "teams saved", `document.getElementById(`+jsString("err-teams-"+team)+`).textContent === "" && document.getElementById("status").textContent.includes("Saved 1 name of teams")`, `document.getElementById("status").textContent`)
	set("inquiries", inquiry, "Help with the product")
	run(t, ctx, "save inquiries", chromedp.Click("#save-inquiries", chromedp.ByID))
	waitJS(t, ctx, "inquiries saved", `document.getElementById("status").textContent.includes("of inquiries")`, `document.getElementById("status").textContent`)
	set("models", "chat", "Web chat")
	run(t, ctx, "save channels", chromedp.Click("#save-models", chromedp.ByID))
	waitJS(t, ctx, "channels saved", `document.getElementById("status").textContent.includes("of channels")`, `document.getElementById("status").textContent`)
	screenshots(t, ctx, "names")

	var names struct{ Teams, Inquiries, Models map[string]string }
	if code, _ := apiGet(t, p, admin, "/v1/names", &names); code != 200 || names.Teams[team] != "Billing East" || names.Inquiries[inquiry] != "Help with the product" || names.Models["chat"] != "Web chat" {
		t.Fatalf("GET /v1/names: %d %+v", code, names)
	}

	// The names everywhere a team, an inquiry or the channel shows.
	run(t, ctx, "people", chromedp.Navigate(p.URL+"/#/people"))
	waitJS(t, ctx, "the team's name on the people list", `document.querySelector('#teams-table tr[data-team=`+jsString(team)+`] th')?.textContent === "Billing East" && document.querySelector('#agents-table tr[data-agent=`+jsString(agent)+`]').textContent.includes("Web chat")`,
		`document.querySelector("#teams-table")?.innerText.slice(0, 300)`)
	run(t, ctx, "team", chromedp.Navigate(p.URL+"/#/team/"+team))
	waitJS(t, ctx, "the team's name on the team view", `document.querySelector("main h1")?.textContent === "Billing East" && document.querySelector("main").textContent.includes("Web chat")`, `document.querySelector("main").innerText.slice(0, 300)`)
	run(t, ctx, "wallboard", chromedp.Navigate(p.URL+"/#/wallboard/chat?rotate=0"))
	waitJS(t, ctx, "the names on the wallboard", `document.querySelector("main h1")?.textContent.startsWith("Web chat") && [...document.querySelectorAll(".wb-team h2")].some((h) => h.textContent.includes("Billing East"))`, `document.querySelector("main").innerText.slice(0, 300)`)
	run(t, ctx, "agent", chromedp.Navigate(p.URL+"/#/agent/"+agent+"?model=chat"))
	waitJS(t, ctx, "the inquiry's name on the agent's page", `[...document.querySelectorAll("main a")].some((a) => a.textContent === "Help with the product")`, `document.querySelector("main").innerText.slice(0, 400)`)

	// A team leader sees them too (the nav names the team).
	lead := p.Token(t, auth.Claims{Subject: "lead-01", Role: auth.RoleSupervisor, Teams: []string{team}})
	signIn(t, ctx, p, lead, "#/team/"+team)
	waitJS(t, ctx, "the team's name for the leader", `document.querySelector("main h1")?.textContent === "Billing East" && document.querySelector('#nav a[href="#/team/`+team+`"]')?.textContent === "Billing East"`, `document.getElementById("nav").textContent + " | " + document.querySelector("main h1")?.textContent`)

	// Long names on a TV: cut with "…" inside each team's box, the whole
	// name in its title; nothing wider than the screen.
	long := strings.TrimSpace(strings.Repeat("Customer care for premium accounts ", 4)[:128])
	longer := strings.TrimSpace(long[:100]) // names are trimmed
	putJSON(t, p, admin, "/v1/names", map[string]map[string]string{"teams": {team: long}}, 200)
	putJSON(t, p, admin, "/v1/roster/people/"+agent, map[string]string{"name": longer, "role": "agent"}, 201)
	signIn(t, ctx, p, admin, "#/wallboard/chat?rotate=0&kiosk=1")
	run(t, ctx, "a TV (a fresh page load: names are cached a minute)", chromedp.Reload(), chromedp.EmulateViewport(1920, 1080))
	waitJS(t, ctx, "long names cut inside their boxes", `(() => {
		const sec = document.querySelector('section.wb-team[data-team=`+jsString(team)+`]');
		const h2 = sec?.querySelector("h2"), th = sec?.querySelector('tr[data-agent=`+jsString(agent)+`] th');
		const body = document.querySelector(".wb-body");
		return !!th && h2.title === `+jsString(long)+` && th.title === `+jsString(longer)+` &&
			sec.scrollWidth <= sec.clientWidth + 1 && body.scrollWidth <= body.clientWidth + 1 &&
			h2.getBoundingClientRect().height < 2 * parseFloat(getComputedStyle(h2).fontSize) * 1.3;
	})()`, `(() => { const sec = document.querySelector('section.wb-team[data-team=`+jsString(team)+`]'); if (!sec) return "no section";
		const h2 = sec.querySelector("h2"), th = sec.querySelector('tr[data-agent=`+jsString(agent)+`] th');
		return "box " + sec.scrollWidth + "/" + sec.clientWidth + ", board " + document.querySelector(".wb-body").scrollWidth + "/" + document.querySelector(".wb-body").clientWidth +
			", h2 " + h2.getBoundingClientRect().height + "px (" + getComputedStyle(h2).fontSize + ") title " + h2.title.length + ", th title " + (th ? th.title.length : "none"); })()`)
	shot(t, ctx, "wallboard-long-names-1920x1080", 1920, 1080)
	run(t, ctx, "desktop again", chromedp.EmulateViewport(1280, 800))

	// Emptied: the id in words again.
	signIn(t, ctx, p, admin, "#/names")
	waitJS(t, ctx, "the names page again", `document.getElementById(`+jsString(input("teams", team))+`)?.value === `+jsString(long), `document.querySelector("main").innerText.slice(0, 300)`)
	set("teams", team, "")
	run(t, ctx, "save teams", chromedp.Click("#save-teams", chromedp.ByID))
	waitJS(t, ctx, "team name removed", `document.getElementById("status").textContent.includes("Saved 1 name of teams")`, `document.getElementById("status").textContent`)
	run(t, ctx, "team", chromedp.Navigate(p.URL+"/#/team/"+team))
	want := "Team " + strings.TrimPrefix(team, "team-")
	waitJS(t, ctx, "the team id in words", `document.querySelector("main h1")?.textContent === `+jsString(want), `document.querySelector("main h1")?.textContent`)
}

// putJSON PUTs body to path as tok and wants status.
func putJSON(t *testing.T, p *apptest.Product, tok, path string, body any, want int) {
	t.Helper()
	b, _ := json.Marshal(body)
	req, _ := http.NewRequest("PUT", p.URL+path, bytes.NewReader(b))
	req.Header.Set("Authorization", "Bearer "+tok)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != want {
		t.Fatalf("PUT %s = %s, want %d", path, resp.Status, want)
	}
}
