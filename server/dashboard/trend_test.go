package dashboard_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/agentpulse/agentpulse/auth"
	"github.com/agentpulse/agentpulse/server/app/apptest"
	"github.com/agentpulse/agentpulse/views"
)

// getJSON reads path with tok into out.
func getJSON(t *testing.T, p *apptest.Product, tok, path string, out any) {
	t.Helper()
	req, _ := http.NewRequest("GET", p.URL+path, nil)
	req.Header.Set("Authorization", "Bearer "+tok)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("GET %s: %s", path, resp.Status)
	}
	if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
		t.Fatal(err)
	}
}

// TestTrends: the agent home draws the weekly AES trend (uPlot) with the
// team line and the population band, its table of points equal to the
// API's (itself equal to the reference, server/api and views/storeview
// tests) over the periods with data (the feed covers 3 weeks of the 3
// months: the axis fits them, at least 4 weeks or 7 days); daily points
// on a click; the inquiry page draws the inquiry's
// trend; the team table has a sparkline per agent.
func TestTrends(t *testing.T) {
	p := apptest.Start(t, apptest.Options{})
	const agent = "agent-0001"
	ref := p.Reference()
	model := ref.Models(p.Tenant, agent)[0].Model
	team, _ := ref.TeamOf(p.Tenant, agent)
	tok := agentToken(t, p, agent)
	var tr views.Trend
	getJSON(t, p, tok, "/v1/agents/"+agent+"/trend?model="+model+"&step=week", &tr)
	want, err := ref.Trend(p.Tenant, agent, model, "", views.RangeSpec{Preset: views.Preset3M}, views.TrendWeek)
	if err != nil {
		t.Fatal(err)
	}
	if d := views.ExactDiff(tr, want); d != nil {
		t.Fatalf("API trend differs from the reference: %v", d)
	}

	lo, hi := fitted(tr.Points, 4)
	if hi-lo >= len(tr.Points) || hi-lo < 4 {
		t.Fatalf("the feed's weeks %d..%d of %d: the test needs data on part of the range", lo, hi, len(tr.Points))
	}
	ctx := browser(t)
	signIn(t, ctx, p, tok, "#/agent/"+agent+"?model="+model)
	waitJS(t, ctx, "the trend chart", `!!document.querySelector("#trend .uplot canvas") && document.querySelectorAll("#trend .trend-table tbody tr").length === `+itoa(hi-lo), `document.querySelector("#trend")?.innerText`)
	// The axis runs from the first week with data to the last.
	var first, axis string
	run(t, ctx, "first row and axis", chromedp.Evaluate(`document.querySelector("#trend .trend-table tbody tr th").textContent`, &first),
		chromedp.Evaluate(`[...document.querySelectorAll("#trend .u-axis")][0]?.textContent || ""`, &axis))
	if want := tr.Points[lo].From.UTC().Format("2 Jan 2006"); !strings.HasPrefix(first, want) {
		t.Errorf("the first row %q, want the week of %s", first, want)
	}
	t.Logf("weekly trend: %d of %d weeks drawn (%s); x axis %q", hi-lo, len(tr.Points), first, axis)
	// The last point with data in the table is the API's.
	var last views.TrendPoint
	for _, pt := range tr.Points {
		if pt.Agent.AES != nil {
			last = pt
		}
	}
	var cells []string
	run(t, ctx, "table cells", chromedp.Evaluate(`[...document.querySelectorAll("#trend .trend-table tbody tr")].map((r) => r.children[1].textContent)`, &cells))
	found := false
	for _, c := range cells {
		if c == fmtAES(*last.Agent.AES) {
			found = true
		}
	}
	if !found {
		t.Errorf("the table %v has no %s (the API's latest week)", cells, fmtAES(*last.Agent.AES))
	}
	if got := textOf(t, ctx, "#trend-help"); !strings.Contains(got, "Lower is better") || !strings.Contains(got, "middle half") {
		t.Errorf("trend help %q", got)
	}
	checkA11y(t, ctx, "agent home with a trend", 0)
	screenshots(t, ctx, "trend-agent-home")
	run(t, ctx, "daily points", chromedp.Click(`#trend [data-step="day"]`, chromedp.ByQuery))
	var daily views.Trend
	getJSON(t, p, tok, "/v1/agents/"+agent+"/trend?model="+model+"&step=day", &daily)
	dlo, dhi := fitted(daily.Points, 7)
	waitJS(t, ctx, "daily", `document.querySelectorAll("#trend .trend-table tbody tr").length === `+itoa(dhi-dlo), `document.querySelectorAll("#trend .trend-table tbody tr").length`)

	// The inquiry page.
	perf, err := ref.AgentPerformance(p.Tenant, agent, model, views.RangeSpec{Preset: views.Preset3M}, views.SortSpec{})
	if err != nil {
		t.Fatal(err)
	}
	inquiry := perf.Inquiries[0].Inquiry
	run(t, ctx, "inquiry page", chromedp.Navigate(p.URL+"/#/agent/"+agent+"/inquiry/"+inquiry+"?model="+model))
	waitJS(t, ctx, "the inquiry's trend", `!!document.querySelector("#trend .uplot canvas") && document.getElementById("trend-title").textContent.includes(`+jsString(humanize(inquiry))+`)`, `document.querySelector("#trend")?.innerText`)
	screenshots(t, ctx, "trend-inquiry")

	// The team table's sparklines.
	sup := p.Token(t, auth.Claims{Subject: "lead", Role: auth.RoleSupervisor, Teams: []string{team}})
	signIn(t, ctx, p, sup, "#/team/"+team+"?model="+model)
	waitJS(t, ctx, "sparklines", `document.querySelectorAll("table.team-agents tbody tr").length > 0 && document.querySelectorAll("table.team-agents tbody tr .spark canvas").length === document.querySelectorAll("table.team-agents tbody tr").length`, `document.querySelectorAll(".spark canvas").length`)
	checkA11y(t, ctx, "team with sparklines", 0)
	screenshots(t, ctx, "trend-team-sparklines")
}

// fitted is the dashboard's span of a trend's points (trend-chart.js
// fitSpan): from the first to the last point where the agent or the team
// has an AES, widened to minPts points, earlier ones first.
func fitted(pts []views.TrendPoint, minPts int) (lo, hi int) {
	first, last := -1, -1
	for i, p := range pts {
		if p.Agent.AES != nil || p.Team.AES != nil {
			if first < 0 {
				first = i
			}
			last = i
		}
	}
	if first < 0 {
		return 0, len(pts)
	}
	lo, hi = first, last+1
	lo = max(0, min(lo, hi-minPts))
	hi = min(len(pts), max(hi, lo+minPts))
	return lo, hi
}

func itoa(n int) string {
	b, _ := json.Marshal(n)
	return string(b)
}

// fmtAES is the dashboard's AES format: "1,234 s".
func fmtAES(v float64) string {
	n := int64(v + 0.5)
	s := ""
	for n >= 1000 {
		s = "," + pad3(n%1000) + s
		n /= 1000
	}
	return itoa(int(n)) + s + " s"
}

func pad3(n int64) string {
	s := itoa(int(n))
	for len(s) < 3 {
		s = "0" + s
	}
	return s
}
