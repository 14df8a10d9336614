package dashboard_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/agentpulse/agentpulse/auth"
	"github.com/agentpulse/agentpulse/server/app/apptest"
)

// TestRosterImport: an admin pastes a CSV file on the People and roles
// page; a file with mistakes is refused whole, each mistake named by its
// line, column and rule, nothing imported; corrected, its people are
// listed and the page says what the import did.
func TestRosterImport(t *testing.T) {
	p := apptest.Start(t, apptest.Options{Agents: 8, TeamSize: 4, Days: 1})
	admin := p.Token(t, auth.Claims{Subject: "admin", Role: auth.RoleAdmin})
	ctx := browser(t)
	signIn(t, ctx, p, admin, "#/roster")
	waitJS(t, ctx, "the roster page", `!!document.getElementById("roster-empty") && !!document.getElementById("import-text")`, `document.querySelector("main").innerText.slice(0, 300)`)
	paste := func(csv string) {
		t.Helper()
		js, _ := json.Marshal(csv) // a JavaScript string literal, newlines escaped
		run(t, ctx, "import",
			chromedp.Evaluate(`document.getElementById("import-text").value = `+string(js), nil),
			chromedp.Click("#import-people", chromedp.ByID))
	}
	paste("subject,name,role,teams\nlead-01,Ana Lima,supervisor,team-02\nagent 7,Bo,agent,\nlead-01,Ana,agent,\nx1,,boss,\n")
	waitJS(t, ctx, "the import's mistakes", `document.querySelectorAll("#import-errors li").length === 3`, `document.getElementById("import-result").innerText`)
	var errs string
	run(t, ctx, "mistakes", chromedp.Text("#import-errors", &errs, chromedp.ByID))
	for _, want := range []string{"Row 2, subject: Subject must be", "Row 3, subject: Subject lead-01 is also on row 1", "Row 4, role: Role must be agent, supervisor or admin."} {
		if !strings.Contains(errs, want) {
			t.Errorf("the mistakes shown lack %q:\n%s", want, errs)
		}
	}
	checkA11y(t, ctx, "roster-import-errors", 0)
	run(t, ctx, "scroll", chromedp.Evaluate(`document.getElementById("import-h").scrollIntoView()`, nil))
	screenshots(t, ctx, "roster-import-errors")
	waitJS(t, ctx, "nothing imported", `!!document.getElementById("roster-empty")`, `document.querySelector("main").innerText.slice(0, 300)`)

	paste("subject,name,role,teams\nlead-01,Ana Lima,supervisor,team-02; team-03\nagent-0007,Bo Ferreira,agent,\n")
	waitJS(t, ctx, "the imported people", `!!document.querySelector('#roster-table tr[data-subject="lead-01"]') && !!document.querySelector('#roster-table tr[data-subject="agent-0007"]') && !!document.getElementById("import-done")`,
		`document.querySelector("main").innerText.slice(0, 500)`)
	var done, row string
	run(t, ctx, "result", chromedp.Text("#import-done", &done, chromedp.ByID),
		chromedp.Text(`#roster-table tr[data-subject="lead-01"]`, &row, chromedp.ByQuery))
	if done != "2 added, 0 changed, 0 already as listed." || !strings.Contains(row, "team leader of team-02, team-03") {
		t.Errorf("after the import: %q, lead-01's row %q", done, row)
	}
	checkA11y(t, ctx, "roster-imported", 0)
	run(t, ctx, "scroll", chromedp.Evaluate(`document.getElementById("import-h").scrollIntoView()`, nil))
	screenshots(t, ctx, "roster-import")
}
