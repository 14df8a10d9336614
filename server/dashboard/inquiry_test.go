package dashboard_test

import (
	"fmt"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/agentpulse/agentpulse/server/app/apptest"
	"github.com/agentpulse/agentpulse/views"
)

var metricName = map[views.Metric]string{views.MetricAES: "AES", views.MetricAHT: "AHT", views.MetricPSAT: "Satisfaction", views.MetricPRES: "Resolution"}

func detailPath(agent, inquiry, model string) string {
	return "/v1/agents/" + url.PathEscape(agent) + "/inquiries/" + url.PathEscape(inquiry) + "?" + url.Values{"model": {model}, "range": {"3m"}}.Encode()
}

type metricCard struct{ Metric, Value, Label string }

const metricCardsJS = `[...document.querySelectorAll("article.metric-card")].map((c) => ({Metric: c.dataset.metric, Value: c.querySelector(".value").textContent, Label: c.querySelector(".badge").textContent}))`

func wantMetricCards(d views.InquiryDetail) []metricCard {
	var out []metricCard
	for _, m := range views.Metrics() {
		if f := d.Figure(m); f != nil {
			out = append(out, metricCard{string(m), fmtMetric(m, f.Value), labelText(f.Label)})
		}
	}
	return out
}

// TestInquiryDetails: from the home's table to an inquiry's details: the
// figures and labels are the API's, the recommended metric is the API's
// (and the reference's) and highlighted, "Show more" (aria-expanded)
// reveals the team average and the top performer, the recent
// interactions are the API's newest first with every canonical field,
// the plan link carries the recommended metric, a new interaction shows
// up live without a reload, and email has no satisfaction or resolution.
func TestInquiryDetails(t *testing.T) {
	p := apptest.Start(t, apptest.Options{})
	agent, team, models := pickAgent(t, p)
	tok := agentToken(t, p, agent)
	model := models[0]
	var perf views.Performance
	mustGet(t, p, tok, perfPath(agent, url.Values{"model": {model}}), &perf)
	inq := perf.Inquiries[0].Inquiry
	var d views.InquiryDetail
	mustGet(t, p, tok, detailPath(agent, inq, model), &d)
	ref, err := p.Reference().InquiryDetail(p.Tenant, agent, model, inq, views.RangeSpec{}, 0)
	if err != nil {
		t.Fatal(err)
	}
	if ref.RecommendedMetric != d.RecommendedMetric || ref.Volume != d.Volume {
		t.Fatalf("API recommends %s over %d, the reference %s over %d", d.RecommendedMetric, d.Volume, ref.RecommendedMetric, ref.Volume)
	}

	ctx := browser(t)
	signIn(t, ctx, p, tok, "#/agent/"+agent+"?model="+model)
	waitRows(t, ctx, "the home", perf)
	run(t, ctx, "open the inquiry", chromedp.Click(`tr[data-inquiry=`+jsLit(inq)+`] a`, chromedp.ByQuery))
	waitJS(t, ctx, "the details", `document.querySelector("#focus-title") !== null`, `document.querySelector("main").textContent`)

	var focus, focusMetric, recCard string
	run(t, ctx, "read the focus",
		chromedp.Text("#focus-title", &focus, chromedp.ByID),
		chromedp.Evaluate(`document.getElementById("focus-title").dataset.metric`, &focusMetric),
		chromedp.Evaluate(`[...document.querySelectorAll("article.metric-card.recommended")].map((c) => c.dataset.metric).join(",")`, &recCard))
	rec := d.RecommendedMetric
	if focus != "Focus on "+metricName[rec] || focusMetric != string(rec) || recCard != string(rec) {
		t.Fatalf("focus %q (%s), highlighted card %q; API recommends %s", focus, focusMetric, recCard, rec)
	}
	var cards []metricCard
	evalJSON(t, ctx, "metric cards", metricCardsJS, &cards)
	if want := wantMetricCards(d); !slices.Equal(cards, want) {
		t.Fatalf("metric cards\n got %+v\nwant %+v", cards, want)
	}

	// Show more.
	var hidden bool
	run(t, ctx, "show more",
		chromedp.Evaluate(`document.getElementById("more").hidden`, &hidden),
		chromedp.Click("#show-more", chromedp.ByID))
	if !hidden {
		t.Fatal("the team and top figures are shown before Show more")
	}
	waitJS(t, ctx, "Show more expanded", `document.getElementById("show-more").getAttribute("aria-expanded") === "true" && !document.getElementById("more").hidden`,
		`document.querySelectorAll("#show-more").length + " " + document.getElementById("show-more").outerHTML`)
	var bench []string
	evalJSON(t, ctx, "benchmarks", `[...document.querySelectorAll("table.benchmarks tbody tr")].filter((r) => r.offsetParent !== null).map((r) => [r.dataset.metric, r.querySelector(".you").textContent, r.querySelector(".team").textContent, r.querySelector(".top").textContent].join("|"))`, &bench)
	var wantBench []string
	for _, m := range views.Metrics() {
		if f := d.Figure(m); f != nil {
			wantBench = append(wantBench, strings.Join([]string{string(m), fmtMetric(m, f.Value), fmtMetric(m, f.Team), fmtMetric(m, f.Top)}, "|"))
		}
	}
	if !slices.Equal(bench, wantBench) {
		t.Fatalf("team and top\n got %v\nwant %v", bench, wantBench)
	}

	// Recent interactions, newest first, every canonical field.
	var ids []string
	evalJSON(t, ctx, "recent", `[...document.querySelectorAll("ol.recent li")].map((l) => l.dataset.id)`, &ids)
	var wantIDs []string
	for _, it := range d.Recent {
		wantIDs = append(wantIDs, it.InteractionID)
	}
	if !slices.Equal(ids, wantIDs) || len(ids) == 0 {
		t.Fatalf("recent %v, API %v", ids, wantIDs)
	}
	var fields map[string]string
	run(t, ctx, "expand the newest", chromedp.Click(`ol.recent li:first-child summary`, chromedp.ByQuery))
	evalJSON(t, ctx, "its fields", `Object.fromEntries([...document.querySelectorAll("ol.recent li:first-child dl.fields dt")].map((dt) => [dt.textContent, dt.nextElementSibling.textContent]))`, &fields)
	first := d.Recent[0]
	for k, v := range map[string]string{"interaction_id": first.InteractionID, "agent_id": first.AgentID, "team_id": first.TeamID, "inquiry": first.Inquiry,
		"model": first.Model, "source": first.Source, "tenant_id": first.TenantID, "revision": fmt.Sprint(first.Revision)} {
		if fields[k] != v {
			t.Errorf("field %s shown %q, want %q", k, fields[k], v)
		}
	}
	for _, k := range []string{"started_at", "ended_at", "handle_time_s"} {
		if fields[k] == "" {
			t.Errorf("field %s not shown: %v", k, fields)
		}
	}

	var href string
	run(t, ctx, "plan link", chromedp.AttributeValue("#build-plan", "href", &href, nil, chromedp.ByID))
	path, query, _ := strings.Cut(href, "?")
	pq, _ := url.ParseQuery(query)
	if path != "#/plans/new" || pq.Get("model") != model || pq.Get("inquiry") != inq || pq.Get("metric") != string(rec) {
		t.Fatalf("plan link %q, want #/plans/new with model %s, inquiry %s, metric %s", href, model, inq, rec)
	}
	checkA11y(t, ctx, "inquiry details", 1)
	fitsPhone(t, ctx, "inquiry details")
	run(t, ctx, "to the top", chromedp.Evaluate(`window.scrollTo(0, 0)`, nil))
	screenshots(t, ctx, "inquiry")
	run(t, ctx, "to the figures", chromedp.Evaluate(`document.getElementById("more").scrollIntoView()`, nil))
	screenshots(t, ctx, "inquiry-more")

	// Live: a new interaction shows up first, the volume moves, the open
	// details stay open, no reload.
	run(t, ctx, "mark the page", chromedp.Evaluate(`window.__sameDocument = true`, nil))
	it := p.NewInteraction(agent, team, model, inq, 95)
	p.Produce(t, it)
	waitJS(t, ctx, "the new interaction live",
		`document.querySelector("ol.recent li:first-child").dataset.id === `+jsLit(it.InteractionID)+` && document.querySelector(".range-line").textContent.includes(`+jsLit(fmtThousands(d.Volume+1)+" interactions")+`)`,
		`document.querySelector(".range-line").textContent + " first " + document.querySelector("ol.recent li:first-child").dataset.id`)
	var same, stillOpen bool
	run(t, ctx, "no reload",
		chromedp.Evaluate(`window.__sameDocument === true`, &same),
		chromedp.Evaluate(`document.querySelector('ol.recent li[data-id=`+jsLit(first.InteractionID)+`] details').open`, &stillOpen))
	if !same || !stillOpen {
		t.Fatalf("after the live update: same document %v, opened details still open %v", same, stillOpen)
	}

	// Email: no satisfaction or resolution.
	if slices.Contains(models, "email") {
		var ep views.Performance
		mustGet(t, p, tok, perfPath(agent, url.Values{"model": {"email"}}), &ep)
		einq := ep.Inquiries[0].Inquiry
		run(t, ctx, "an email inquiry", chromedp.Evaluate(`location.hash = "#/agent/`+agent+`/inquiry/`+url.PathEscape(einq)+`?model=email"`, nil))
		waitJS(t, ctx, "email details", `document.querySelector("h1")?.textContent.startsWith(`+jsLit(humanize(einq))+`) && document.querySelectorAll("article.metric-card").length === 2 && !document.querySelector('[data-metric="psat"], [data-metric="pres"]')`,
			`[...document.querySelectorAll("article.metric-card")].map((c) => c.dataset.metric).join(",")`)
		screenshots(t, ctx, "inquiry-email")
	}

	// Back to the home.
	run(t, ctx, "back", chromedp.Click(`main p a[href^="#/agent/"]`, chromedp.ByQuery))
	waitJS(t, ctx, "the home again", `document.querySelector("table.inquiries") !== null`, `location.hash`)
}

// humanize is the dashboard's display form of an id: "technical_support"
// reads "Technical support".
func humanize(id string) string {
	s := strings.TrimSpace(strings.NewReplacer("_", " ", "-", " ").Replace(id))
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}
