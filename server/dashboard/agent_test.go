package dashboard_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/agentpulse/agentpulse/auth"
	"github.com/agentpulse/agentpulse/server/app/apptest"
	"github.com/agentpulse/agentpulse/views"
)

// pickAgent is an agent of the history with a model with predictions
// and, when one exists, email too; its models come first predicted, then
// email.
func pickAgent(t *testing.T, p *apptest.Product) (agent, team string, models []string) {
	t.Helper()
	ref := p.Reference()
	best := -1
	for i := 1; i <= 24; i++ {
		a := fmt.Sprintf("agent-%04d", i)
		var ms []string
		for _, m := range ref.Models(p.Tenant, a) {
			if m.Volume > 0 {
				ms = append(ms, m.Model)
			}
		}
		score := len(ms)
		if slices.Contains(ms, "email") && len(ms) > 1 {
			score += 10
		}
		if len(ms) > 0 && score > best {
			best, agent, models = score, a, ms
		}
	}
	if agent == "" {
		t.Fatal("no agent with data in the history")
	}
	slices.SortStableFunc(models, func(a, b string) int {
		if (a == "email") != (b == "email") {
			if a == "email" {
				return 1
			}
			return -1
		}
		return strings.Compare(a, b)
	})
	team, _ = ref.TeamOf(p.Tenant, agent)
	return agent, team, models
}

// rowsJS reads the inquiries table as "inquiry|volume|aes" lines.
const rowsJS = `[...document.querySelectorAll("table.inquiries tbody tr")].map((r) => r.dataset.inquiry + "|" + r.querySelector('[data-metric="volume"]').textContent + "|" + r.querySelector('[data-metric="aes"] .value').textContent).join("\n")`

func wantRows(perf views.Performance) string {
	var lines []string
	for _, i := range perf.Inquiries {
		lines = append(lines, fmt.Sprintf("%s|%s|%s", i.Inquiry, fmtThousands(i.Volume), fmtMetric(views.MetricAES, i.AES.Value)))
	}
	return strings.Join(lines, "\n")
}

// waitRows waits until the table shows perf's inquiries in perf's order.
func waitRows(t *testing.T, ctx context.Context, what string, perf views.Performance) {
	t.Helper()
	waitJS(t, ctx, what, rowsJS+" === "+jsLit(wantRows(perf)), rowsJS)
}

type card struct {
	List, Inquiry, Label, Class, You, Team, Top string
}

const cardsJS = `[...document.querySelectorAll("[data-list] article.inq-card")].map((a) => ({
  List: a.closest("[data-list]").dataset.list, Inquiry: a.dataset.inquiry,
  Label: a.querySelector(".badge").textContent, Class: a.querySelector(".badge").className,
  You: a.querySelector(".aes-you").textContent, Team: a.querySelector(".aes-team").textContent, Top: a.querySelector(".aes-top").textContent}))`

func wantCards(perf views.Performance) []card {
	var out []card
	for _, l := range []struct {
		id   string
		list []views.InquiryPerf
	}{{"top-title", perf.TopInquiries}, {"work-title", perf.WorkOn}} {
		for _, i := range l.list {
			class := "badge badge-none"
			if i.AES.Label != nil {
				class = "badge badge-" + string(*i.AES.Label)
			}
			top := fmtMetric(views.MetricAES, i.AES.Top)
			if i.TopAgent != nil {
				top += " (" + *i.TopAgent + ")"
			}
			out = append(out, card{l.id, i.Inquiry, labelText(i.AES.Label), class,
				fmtMetric(views.MetricAES, i.AES.Value), fmtMetric(views.MetricAES, i.AES.Team), top})
		}
	}
	return out
}

func perfPath(agent string, q url.Values) string {
	return "/v1/agents/" + url.PathEscape(agent) + "/performance?" + q.Encode()
}

// TestAgentHome: an agent's home shows the API's top inquiries and
// inquiries to work on (names, AES as formatted, labels with text and
// colour class), follows range, model and sort changes (kept in the hash:
// a reload shows the same), shows a custom range's server error next to
// the field, hides satisfaction and resolution on email, moves its
// numbers live when new interactions arrive (no reload, focus kept), and
// an agent cannot open another agent's page.
func TestAgentHome(t *testing.T) {
	p := apptest.Start(t, apptest.Options{})
	agent, team, models := pickAgent(t, p)
	t.Logf("agent %s of %s, models %v", agent, team, models)
	tok := agentToken(t, p, agent)
	model := models[0]
	ctx := browser(t)

	var perf views.Performance
	mustGet(t, p, tok, perfPath(agent, url.Values{"model": {model}}), &perf)
	// The API agrees with the reference on which inquiries are top and to
	// work on (its figures are checked against the reference elsewhere).
	ref, err := p.Reference().AgentPerformance(p.Tenant, agent, model, views.RangeSpec{}, views.SortSpec{})
	if err != nil {
		t.Fatal(err)
	}
	names := func(l []views.InquiryPerf) (s []string) {
		for _, i := range l {
			s = append(s, i.Inquiry)
		}
		return s
	}
	if !slices.Equal(names(perf.TopInquiries), names(ref.TopInquiries)) || !slices.Equal(names(perf.WorkOn), names(ref.WorkOn)) {
		t.Fatalf("API top %v / work on %v, reference %v / %v", names(perf.TopInquiries), names(perf.WorkOn), names(ref.TopInquiries), names(ref.WorkOn))
	}
	if len(perf.TopInquiries)+len(perf.WorkOn) == 0 {
		t.Fatalf("%s has no ranked inquiry on %s: pick another agent", agent, model)
	}

	signIn(t, ctx, p, tok, "#/agent/"+agent+"?model="+model)
	waitRows(t, ctx, "the inquiries table (3 months, by volume)", perf)
	var cards []card
	evalJSON(t, ctx, "read the cards", cardsJS, &cards)
	if want := wantCards(perf); !slices.Equal(cards, want) {
		t.Fatalf("cards:\n got %+v\nwant %+v", cards, want)
	}
	var overall map[string]string
	evalJSON(t, ctx, "overall", `Object.fromEntries([...document.querySelectorAll("[data-figure]")].map((f) => [f.dataset.figure, f.querySelector("dd").textContent]))`, &overall)
	if overall["volume"] != fmtThousands(perf.Overall.Volume) || overall["aes"] != fmtMetric(views.MetricAES, perf.Overall.AES) ||
		overall["aht"] != fmtMetric(views.MetricAHT, perf.Overall.AHT) || overall["psat"] != fmtMetric(views.MetricPSAT, perf.Overall.PSAT) {
		t.Fatalf("overall figures %v, API %+v", overall, perf.Overall)
	}
	checkA11y(t, ctx, "agent home", 1)
	fitsPhone(t, ctx, "agent home")
	screenshots(t, ctx, "agent-home")
	run(t, ctx, "to the table", chromedp.Evaluate(`document.getElementById("inquiries").scrollIntoView()`, nil))
	screenshots(t, ctx, "agent-home-table")
	run(t, ctx, "to the top", chromedp.Evaluate(`window.scrollTo(0, 0)`, nil))

	// Range: a week.
	var week views.Performance
	mustGet(t, p, tok, perfPath(agent, url.Values{"model": {model}, "range": {"1w"}}), &week)
	run(t, ctx, "pick a week", chromedp.Click(`button[data-range="1w"]`, chromedp.ByQuery))
	waitRows(t, ctx, "the table over a week", week)
	waitJS(t, ctx, "the week is pressed", `document.querySelector('button[data-range="1w"]').getAttribute("aria-pressed") === "true" && location.hash.includes("range=1w")`, `location.hash`)

	// Sort by AES (keyboard: focus the header button, press Enter), then
	// the other way.
	for _, order := range []string{"asc", "desc"} {
		var sorted views.Performance
		mustGet(t, p, tok, perfPath(agent, url.Values{"model": {model}, "range": {"1w"}, "sort": {"aes"}, "order": {order}}), &sorted)
		run(t, ctx, "sort by AES "+order,
			chromedp.Focus(`button[data-sort="aes"]`, chromedp.ByQuery),
			chromedp.KeyEvent("\r"))
		waitRows(t, ctx, "the table by AES "+order, sorted)
		aria := map[string]string{"asc": "ascending", "desc": "descending"}[order]
		waitJS(t, ctx, "aria-sort", `document.querySelector('th[data-col="aes"]').getAttribute("aria-sort") === "`+aria+`" && document.querySelector('th[data-col="volume"]').getAttribute("aria-sort") === "none" && document.activeElement.dataset.sort === "aes"`,
			`document.querySelector('th[data-col="aes"]').getAttribute("aria-sort") + " focus " + document.activeElement.outerHTML`)
	}

	// A reload shows the same view (state in the hash).
	run(t, ctx, "reload", chromedp.Reload())
	waitJS(t, ctx, "after a reload, the week sorted by AES", `document.querySelector('button[data-range="1w"]')?.getAttribute("aria-pressed") === "true" && document.querySelector('th[data-col="aes"]')?.getAttribute("aria-sort") === "descending"`, `location.hash`)

	// Custom range: a "from" after "to" is refused by the server, the
	// message is shown under the field.
	run(t, ctx, "a backwards custom range",
		chromedp.SetValue("#from", "2026-03-10", chromedp.ByID),
		chromedp.SetValue("#to", "2026-03-09", chromedp.ByID),
		chromedp.Click(`form.custom-range button[type="submit"]`, chromedp.ByQuery))
	waitJS(t, ctx, "the server's error under To", `document.getElementById("to-error").textContent.includes("must be after from") && document.getElementById("to").getAttribute("aria-invalid") === "true"`,
		`document.getElementById("to-error").textContent + " / " + document.getElementById("from-error").textContent`)
	screenshots(t, ctx, "agent-home-range-error")

	// A custom range of the last days: the table is the API's over it.
	from, to := perf.To.AddDate(0, 0, -5).Format("2006-01-02"), perf.To.AddDate(0, 0, -1).Format("2006-01-02")
	var custom views.Performance
	mustGet(t, p, tok, perfPath(agent, url.Values{"model": {model}, "from": {from + "T00:00:00Z"}, "to": {perf.To.Format("2006-01-02") + "T00:00:00Z"}, "sort": {"aes"}, "order": {"desc"}}), &custom)
	run(t, ctx, "a custom range",
		chromedp.SetValue("#from", from, chromedp.ByID),
		chromedp.SetValue("#to", to, chromedp.ByID),
		chromedp.Click(`form.custom-range button[type="submit"]`, chromedp.ByQuery))
	waitRows(t, ctx, "the table over "+from+".."+to, custom)

	// Another model: the table is the API's for it; email has no
	// satisfaction or resolution.
	for _, m := range models[1:] {
		var other views.Performance
		mustGet(t, p, tok, perfPath(agent, url.Values{"model": {m}, "from": {from + "T00:00:00Z"}, "to": {perf.To.Format("2006-01-02") + "T00:00:00Z"}, "sort": {"aes"}, "order": {"desc"}}), &other)
		run(t, ctx, "pick model "+m, chromedp.Evaluate(`(() => { const s = document.getElementById("model"); s.value = `+jsLit(m)+`; s.dispatchEvent(new Event("change")); })()`, nil))
		waitRows(t, ctx, "the table of "+m, other)
		var cols []string
		evalJSON(t, ctx, "columns", `[...document.querySelectorAll("table.inquiries thead th")].map((th) => th.dataset.col || "inquiry")`, &cols)
		hasPred := slices.Contains(cols, "psat") || slices.Contains(cols, "pres")
		if m == "email" && hasPred || m != "email" && !hasPred {
			t.Fatalf("model %s: columns %v", m, cols)
		}
		if m == "email" {
			var figs []string
			evalJSON(t, ctx, "figures", `[...document.querySelectorAll("[data-figure]")].map((f) => f.dataset.figure)`, &figs)
			if slices.Contains(figs, "psat") || slices.Contains(figs, "pres") {
				t.Fatalf("email shows the figures %v", figs)
			}
			screenshots(t, ctx, "agent-home-email")
		}
	}

	// Live: back to the first model, 3 months; two new interactions on the
	// busiest inquiry move its volume without a reload, the focused sort
	// button keeps the focus.
	run(t, ctx, "back to the default view", chromedp.Evaluate(`location.hash = "#/agent/`+agent+`?model=`+model+`&sort=aht"`, nil))
	busiest := perf.Inquiries[0]
	waitJS(t, ctx, "the busiest inquiry's volume", `document.querySelector('tr[data-inquiry=`+jsLit(busiest.Inquiry)+`] [data-metric="volume"]')?.textContent === `+jsLit(fmtThousands(busiest.Volume)), rowsJS)
	var stamp string
	run(t, ctx, "mark the page, focus a sort button",
		chromedp.Evaluate(`window.__sameDocument = true`, nil),
		chromedp.Focus(`button[data-sort="aht"]`, chromedp.ByQuery),
		chromedp.Text("#updated", &stamp, chromedp.ByID))
	p.Produce(t, p.NewInteraction(agent, team, model, busiest.Inquiry, 120), p.NewInteraction(agent, team, model, busiest.Inquiry, 180))
	want := fmtThousands(busiest.Volume + 2)
	waitJS(t, ctx, "the volume moves live", `document.querySelector('tr[data-inquiry=`+jsLit(busiest.Inquiry)+`] [data-metric="volume"]').textContent === `+jsLit(want),
		`document.querySelector('tr[data-inquiry=`+jsLit(busiest.Inquiry)+`] [data-metric="volume"]').textContent`)
	var same bool
	var focused string
	run(t, ctx, "no reload, focus kept",
		chromedp.Evaluate(`window.__sameDocument === true`, &same),
		chromedp.Evaluate(`document.activeElement.dataset.sort || document.activeElement.outerHTML`, &focused))
	if !same || focused != "aht" {
		t.Fatalf("after the live update: same document %v, focus on %q", same, focused)
	}
	var overallVol string
	run(t, ctx, "overall volume", chromedp.Text(`[data-figure="volume"] dd`, &overallVol, chromedp.ByQuery))
	var after views.Performance
	mustGet(t, p, tok, perfPath(agent, url.Values{"model": {model}}), &after)
	if overallVol != fmtThousands(after.Overall.Volume) || after.Overall.Volume != perf.Overall.Volume+2 {
		t.Fatalf("overall volume shown %s, API %d (before %d)", overallVol, after.Overall.Volume, perf.Overall.Volume)
	}

	// Another agent's page: the API's 403 message, no data.
	other := "agent-0002"
	if other == agent {
		other = "agent-0003"
	}
	st, _ := apiGet(t, p, tok, "/v1/agents/"+other+"/models", nil)
	msg := "as an agent you see only your own figures and plans" // the API's refusal (field agent) in the agent's words
	if st != http.StatusForbidden {
		t.Fatalf("the API lets %s read %s: %d", agent, other, st)
	}
	run(t, ctx, "open another agent", chromedp.Evaluate(`location.hash = "#/agent/`+other+`"`, nil))
	waitJS(t, ctx, "the 403 message in plain words", `(document.querySelector("main .error")?.textContent || "").includes("You do not have access to this page: "+`+jsLit(msg)+`) && !!document.querySelector("main .error a[href='#/']") && !document.querySelector("table.inquiries") && !document.querySelector(".inq-card")`,
		`document.querySelector("main").textContent`)
	screenshots(t, ctx, "agent-forbidden")
}

// TestAgentHomeSupervisor: a supervisor opening one of their agents sees
// who each top agent is.
func TestAgentHomeSupervisor(t *testing.T) {
	p := apptest.Start(t, apptest.Options{Agents: 16})
	agent, team, models := pickAgent(t, p)
	tok := p.Token(t, supervisorClaims(team))
	var perf views.Performance
	mustGet(t, p, tok, perfPath(agent, url.Values{"model": {models[0]}}), &perf)
	ctx := browser(t)
	signIn(t, ctx, p, tok, "#/agent/"+agent+"?model="+models[0])
	waitRows(t, ctx, "the supervisor's view of "+agent, perf)
	var cards []card
	evalJSON(t, ctx, "read the cards", cardsJS, &cards)
	want := wantCards(perf)
	if !slices.Equal(cards, want) {
		t.Fatalf("cards:\n got %+v\nwant %+v", cards, want)
	}
	named := false
	for _, c := range want {
		named = named || strings.Contains(c.Top, "(agent-")
	}
	if len(want) > 0 && !named {
		b, _ := json.Marshal(perf.TopInquiries)
		t.Fatalf("no top agent named for a supervisor: %s", b)
	}
	screenshots(t, ctx, "agent-home-supervisor")
}

func supervisorClaims(team string) auth.Claims {
	return auth.Claims{Subject: "lead-of-" + team, Role: auth.RoleSupervisor, Teams: []string{team}}
}
