package reference

import (
	"testing"

	"github.com/agentpulse/agentpulse/schemas"
	"github.com/agentpulse/agentpulse/views"
)

func TestRangePresetsAnchoredAtLatestData(t *testing.T) {
	// Latest voice data is c5 at 2026-05-31T13:30Z, so 24h is
	// [2026-05-30T14:00Z, 2026-05-31T14:00Z) whatever the wall clock says.
	// A chat interaction a year later does not move voice's anchor.
	recs := append(scenario(),
		ix("e1", "e", "T1", "billing", "2026-05-30T14:00:00Z", 100, .5, .5),      // first instant: in
		ix("e2", "e", "T1", "billing", "2026-05-30T13:59:59.999Z", 100, .5, .5),  // just before: out
		ix("e3", "e", "T1", "billing", "2026-05-31T14:00:00+01:00", 100, .5, .5), // = 13:00Z: in
		with(ix("e4", "e", "T1", "billing", "2027-06-01T00:00:00Z", 100, .5, .5), func(it *schemas.Interaction) { it.Model = "chat" }),
	)
	d := New(recs, params2)
	latest, err := d.LatestData("t1", "voice")
	if err != nil || !latest.Equal(ts("2026-05-31T13:30:00Z")) {
		t.Fatalf("LatestData = %v, %v", latest, err)
	}
	spec, _ := views.ParseRangeSpec("24h", "", "")
	p := mustPerf(t, d, "e", spec)
	if p.Overall.Volume != 2 || !p.From.Equal(ts("2026-05-30T14:00:00Z")) || !p.To.Equal(ts("2026-05-31T14:00:00Z")) {
		t.Fatalf("24h: volume %d, [%s, %s)", p.Overall.Volume, p.From, p.To)
	}
	// A custom range [13:59:59, 14:00:00) widens to [13:00, 14:00) and holds e2 only.
	spec, _ = views.ParseRangeSpec("", "2026-05-30T13:59:59Z", "2026-05-30T14:00:00Z")
	if p := mustPerf(t, d, "e", spec); p.Overall.Volume != 1 {
		t.Fatalf("custom: volume %d", p.Overall.Volume)
	}
}

func TestModels(t *testing.T) {
	recs := append(scenario(),
		with(ix("a8", "a", "T1", "billing", "2026-06-02T00:00:00Z", 10, 1, 1), func(it *schemas.Interaction) { it.Model = "chat" }),
		with(ix("z1", "z", "T1", "billing", "2026-06-03T00:00:00Z", 10, 1, 1), func(it *schemas.Interaction) { it.Model = "chat" }),
		ix("a0", "a", "T1", "billing", "2025-01-01T00:00:00Z", 10, 1, 1), // older than 3m
	)
	d := New(recs, params2)
	got := d.Models("t1", "a")
	want := []views.ModelSummary{
		{Model: "chat", Volume: 1, Latest: ts("2026-06-03T00:00:00Z"), AgentLatest: ts("2026-06-02T00:00:00Z")},
		{Model: "voice", Volume: 3, Latest: ts("2026-05-31T13:30:00Z"), AgentLatest: ts("2026-05-31T10:00:00Z")},
	}
	assertSame(t, got, want)
	if got := d.Models("t1", "nobody"); got == nil || len(got) != 0 {
		t.Fatalf("unknown agent: %v", got)
	}
}

func TestTeamAgents(t *testing.T) {
	d := New(scenario(), params2)
	// Model-level AES (MinVolume 2): b 100, a 1350/4.75 = 284.2, c 140/.4 = 350,
	// d 1600 → N=4, g=1: b great, a good, c good, d needs_work. The
	// predictions .8 and .9 are summed on the 2^-20 grid.
	g8, g9 := views.OnPredictionGrid(.8), views.OnPredictionGrid(.9)
	got, err := d.TeamAgents("t1", "T1", "voice", views.RangeSpec{})
	if err != nil {
		t.Fatal(err)
	}
	want := []views.TeamAgent{
		{AgentID: "a", Figures: views.Figures{Volume: 3, AES: f64(150 / ((2*g8 + g9) / 3 * ((1 + g9) / 3))), AHT: f64(150), PSAT: f64((2*g8 + g9) / 3), PRES: f64((1 + g9) / 3), PSATBasis: "feed", PRESBasis: "feed"}, Label: label(views.LabelGood)},
		{AgentID: "b", Figures: views.Figures{Volume: 2, AES: f64(100), AHT: f64(100), PSAT: f64(1), PRES: f64(1), PSATBasis: "feed", PRESBasis: "feed"}, Label: label(views.LabelGreat)},
	}
	assertSame(t, got, want)
	got, _ = d.TeamAgents("t1", "T2", "voice", views.RangeSpec{})
	want = []views.TeamAgent{
		// c: AHT 700/5 = 140, psat .5, pres 4/5 = .8.
		{AgentID: "c", Figures: views.Figures{Volume: 5, AES: f64(350), AHT: f64(140), PSAT: f64(.5), PRES: f64(.8), PSATBasis: "feed", PRESBasis: "feed"}, Label: label(views.LabelGood)},
		{AgentID: "d", Figures: views.Figures{Volume: 2, AES: f64(1600), AHT: f64(400), PSAT: f64(.5), PRES: f64(.5), PSATBasis: "feed", PRESBasis: "feed"}, Label: label(views.LabelNeedsWork)},
	}
	assertSame(t, got, want)
	// With the default MinVolume 5 only c is in the population: N=1 → good;
	// the others are unlabelled.
	got, _ = New(scenario(), views.Params{}).TeamAgents("t1", "T2", "voice", views.RangeSpec{})
	if *got[0].Label != views.LabelGood || got[1].Label != nil {
		t.Fatalf("default params: %+v", got)
	}
}

func TestTeamIsMostRecentInteraction(t *testing.T) {
	// a's two newest interactions end at the same instant; the larger
	// interaction_id (a9, team T3) is the more recent one.
	recs := append(scenario(),
		ix("a8", "a", "T2", "tech", "2026-05-31T11:00:00Z", 50, .9, .9),
		ix("a9", "a", "T3", "tech", "2026-05-31T11:00:00Z", 50, .9, .9),
	)
	d := New(recs, params2)
	if team, ok := d.TeamOf("t1", "a"); !ok || team != "T3" {
		t.Fatalf("TeamOf(a) = %s", team)
	}
	got, _ := d.TeamAgents("t1", "T1", "voice", views.RangeSpec{})
	if len(got) != 1 || got[0].AgentID != "b" {
		t.Fatalf("T1 = %+v", got)
	}
}

func TestInquiryDetail(t *testing.T) {
	d := New(scenario(), params2)
	got, err := d.InquiryDetail("t1", "a", "voice", "billing", views.RangeSpec{}, 1)
	if err != nil {
		t.Fatal(err)
	}
	// Population a, b, c, d. Medians: AHT {200,100,200,400} = 200 (a's own:
	// no change), psat {.8,1,.5,.5} = .65 (worse), pres {.5,1,.5,.5} = .5 (no
	// change). Worst percentile: aht, psat and pres each have 1/4 strictly
	// better (b) → tie → aht.
	if got.RecommendedMetric != views.MetricAHT || got.Population != 4 || got.Volume != 2 {
		t.Fatalf("detail = %+v", got)
	}
	if len(got.Recent) != 1 || got.Recent[0].InteractionID != "a2" {
		t.Fatalf("recent = %+v", got.Recent)
	}
	full, _ := d.InquiryDetail("t1", "a", "voice", "billing", views.RangeSpec{}, 10)
	if len(full.Recent) != 2 || full.Recent[1].InteractionID != "a1" {
		t.Fatalf("recent = %+v", full.Recent)
	}
	// Mutating an answer does not touch the dataset.
	*full.Recent[0].PredictedSatisfaction = 0
	again, _ := d.InquiryDetail("t1", "a", "voice", "billing", views.RangeSpec{}, 10)
	if *again.Recent[0].PredictedSatisfaction != .8 {
		t.Fatal("answers share memory with the dataset")
	}
	// An inquiry the agent never handled: volume 0, benchmarks still there.
	none, _ := d.InquiryDetail("t1", "b", "voice", "tech", views.RangeSpec{}, 10)
	if none.Volume != 0 || none.AES.Value != nil || *none.AES.Top != 200 || none.RecommendedMetric != views.MetricAHT || len(none.Recent) != 0 {
		t.Fatalf("b on tech = %+v", none)
	}
}

func TestRecommendedMetricMedianReplacement(t *testing.T) {
	// d on billing: AHT 400, psat .5, pres .5 → AES 1600. Medians over a, b,
	// c, d: AHT 200 → 200/.25 = 800; psat .65 → 400/(.65×.5) = 1230.8;
	// pres .5 → 1600. AHT lowers AES most.
	d := New(scenario(), params2)
	got, _ := d.InquiryDetail("t1", "d", "voice", "billing", views.RangeSpec{}, 0)
	if got.RecommendedMetric != views.MetricAHT {
		t.Fatalf("recommended %s", got.RecommendedMetric)
	}
	// c on billing: AHT 200, psat .5, pres .5 → 800. AHT median 200: no
	// change; psat .65 → 200/(.65×.5) = 615.4; pres .5: no change → psat.
	got, _ = d.InquiryDetail("t1", "c", "voice", "billing", views.RangeSpec{}, 0)
	if got.RecommendedMetric != views.MetricPSAT {
		t.Fatalf("recommended %s", got.RecommendedMetric)
	}
}

func TestWorstInteractions(t *testing.T) {
	recs := append(scenario(),
		ix("a4", "a", "T1", "billing", "2026-05-31T09:30:00Z", 300, .2, none), // ties a2 on handle, newer
		ix("a5", "a", "T1", "billing", "2026-05-31T09:40:00Z", 30, none, none),
	)
	d := New(recs, params2)
	ids := func(m views.Metric, limit int) string {
		its, err := d.WorstInteractions("t1", "a", "voice", "billing", m, views.RangeSpec{}, limit)
		if err != nil {
			t.Fatal(err)
		}
		s := ""
		for _, it := range its {
			s += it.InteractionID + " "
		}
		return s
	}
	cases := []struct {
		m     views.Metric
		limit int
		want  string
	}{
		{views.MetricAHT, 10, "a4 a2 a1 a5 "}, // 300 (newer first), 300, 100, 30
		{views.MetricAHT, 2, "a4 a2 "},
		{views.MetricAHT, 0, ""},
		{views.MetricPSAT, 10, "a4 a2 a1 "}, // .2, then .8 ties newest first; a5 has none
		{views.MetricPRES, 10, "a2 a1 "},
		// aes: a4 300/.2 = 1500, a2 300/.4 = 750, a1 100/.4 = 250, a5 30.
		{views.MetricAES, 10, "a4 a2 a1 a5 "},
	}
	for _, c := range cases {
		if got := ids(c.m, c.limit); got != c.want {
			t.Errorf("worst %s limit %d = %q, want %q", c.m, c.limit, got, c.want)
		}
	}
	if _, err := d.WorstInteractions("t1", "a", "voice", "billing", "speed", views.RangeSpec{}, 3); err == nil {
		t.Fatal("unknown metric accepted")
	}
}
