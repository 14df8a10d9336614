package reference

import (
	"fmt"

	"encoding/json"
	"errors"
	"github.com/agentpulse/agentpulse/schemas"
	"strings"
	"testing"

	"github.com/agentpulse/agentpulse/views"
)

func mustPerf(t *testing.T, d *Dataset, agent string, spec views.RangeSpec) views.Performance {
	t.Helper()
	p, err := d.AgentPerformance("t1", agent, "voice", spec, views.SortSpec{})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func assertSame(t *testing.T, got, want any) {
	t.Helper()
	if d := views.ApproxDiff(got, want); d != nil {
		t.Fatalf("differs from the hand-computed answer:\n%s", strings.Join(d, "\n"))
	}
}

func TestAgentPerformanceHandComputed(t *testing.T) {
	d := New(scenario(), params2)
	got := mustPerf(t, d, "a", views.RangeSpec{})
	good := label(views.LabelGood)
	// The predictions .8 and .9 are summed on the 2^-20 grid (g); the
	// others are on it already.
	g8, g9 := views.OnPredictionGrid(.8), views.OnPredictionGrid(.9)
	billingAES := 225 / ((2*g8 + 4) / 8 * 0.625) // 225/0.4375 with g(.8)
	billing := views.InquiryPerf{
		Inquiry: "billing", Volume: 2,
		// 2/3 × (500 − 514.2857142857143)
		Impact: f64(2.0 / 3.0 * (200/(g8*.5) - billingAES)),
		AES:    views.MetricFigure{Value: f64(200 / (g8 * .5)), Label: good, Team: f64(150 / ((2*g8 + 2) / 4 * .75)), Top: f64(100)},
		// AHT ranks: b 100 (0), a 200 and c 200 (1), d 400 (3): good.
		AHT:  views.MetricFigure{Value: f64(200), Label: good, Team: f64(150), Top: f64(100)},
		PSAT: &views.MetricFigure{Value: f64(g8), Label: good, Team: f64((2*g8 + 2) / 4), Top: f64(1), Basis: "feed"},
		PRES: &views.MetricFigure{Value: f64(.5), Label: good, Team: f64(.75), Top: f64(1), Basis: "feed"},
		// b has the best AES on billing (100).
		TopAgent: str("b"),
	}
	tech := views.InquiryPerf{
		// a has 1 < MinVolume: no label, no impact. Team T1 on tech is a3
		// alone; the population is c alone (top).
		Inquiry: "tech", Volume: 1,
		AES:      views.MetricFigure{Value: f64(50 / (g9 * g9)), Team: f64(50 / (g9 * g9)), Top: f64(200)},
		AHT:      views.MetricFigure{Value: f64(50), Team: f64(50), Top: f64(100)},
		PSAT:     &views.MetricFigure{Value: f64(g9), Team: f64(g9), Top: f64(.5), Basis: "feed"},
		PRES:     &views.MetricFigure{Value: f64(g9), Team: f64(g9), Top: f64(1), Basis: "feed"},
		TopAgent: str("c"),
	}
	want := views.Performance{
		Model: "voice",
		Range: views.Range{From: ts("2026-03-03T14:00:00Z"), To: ts("2026-05-31T14:00:00Z")},
		// AHT 450/3 = 150, psat 2.5/3, pres 1.9/3, AES 1350/4.75 = 284.21…
		Overall:      views.Figures{Volume: 3, AES: f64(150 / ((2*g8 + g9) / 3 * ((1 + g9) / 3))), AHT: f64(150), PSAT: f64((2*g8 + g9) / 3), PRES: f64((1 + g9) / 3), PSATBasis: "feed", PRESBasis: "feed"},
		TopInquiries: []views.InquiryPerf{billing},
		WorkOn:       []views.InquiryPerf{},
		Inquiries:    []views.InquiryPerf{billing, tech},
	}
	assertSame(t, got, want)

	// b is the best on billing: great everywhere, impact 2/2 × (100 − 514.29).
	b := mustPerf(t, d, "b", views.RangeSpec{})
	if inq := b.Inquiries[0]; *inq.AES.Label != views.LabelGreat || *inq.PRES.Label != views.LabelGreat ||
		!views.AlmostEqual(*inq.Impact, 100-billingAES) || len(b.TopInquiries) != 1 {
		t.Fatalf("b = %+v", b)
	}
	// d is the worst: needs_work, impact 1600 − 514.29 > 0, to work on.
	dd := mustPerf(t, d, "d", views.RangeSpec{})
	if inq := dd.Inquiries[0]; *inq.AES.Label != views.LabelNeedsWork || len(dd.WorkOn) != 1 || len(dd.TopInquiries) != 0 {
		t.Fatalf("d = %+v", dd)
	}
}

func TestAgentPerformanceJSONShape(t *testing.T) {
	d := New(scenario(), params2)
	b, err := json.Marshal(mustPerf(t, d, "nobody", views.RangeSpec{}))
	if err != nil {
		t.Fatal(err)
	}
	want := `{"model":"voice","from":"2026-03-03T14:00:00Z","to":"2026-05-31T14:00:00Z",` +
		`"overall":{"volume":0,"aes":null,"aht":null,"psat":null,"pres":null},` +
		`"top_inquiries":[],"work_on":[],"inquiries":[]}`
	if string(b) != want {
		t.Fatalf("JSON\n got %s\nwant %s", b, want)
	}
	b, _ = json.Marshal(mustPerf(t, d, "a", views.RangeSpec{}).Inquiries[1])
	if !strings.Contains(string(b), `"impact":null`) || !strings.Contains(string(b), `"label":null`) {
		t.Fatalf("tech JSON %s lacks null impact/label", b)
	}
}

func TestAESEqualsAHTWithoutPredictions(t *testing.T) {
	var recs []schemas.Interaction
	for i, h := range []float64{100, 200, 400, 50, 70} {
		it := ix(fmt.Sprint("e", i), "a", "T1", "refund", "2026-05-31T08:00:00Z", h, none, none)
		it.Model = "email"
		recs = append(recs, it)
	}
	d := New(recs, params2)
	p, err := d.AgentPerformance("t1", "a", "email", views.RangeSpec{}, views.SortSpec{})
	if err != nil {
		t.Fatal(err)
	}
	// AHT = 820/5 = 164 = AES; psat/pres absent.
	if *p.Overall.AES != 164 || *p.Overall.AHT != 164 || p.Overall.PSAT != nil || p.Overall.PRES != nil {
		t.Fatalf("overall = %+v", p.Overall)
	}
	inq := p.Inquiries[0]
	if inq.PSAT != nil || inq.PRES != nil || *inq.AES.Value != *inq.AHT.Value || *inq.AES.Top != *inq.AHT.Top {
		t.Fatalf("inquiry = %+v", inq)
	}
	if got := d.ModelMetrics("t1", "email"); len(got) != 2 {
		t.Fatalf("email metrics = %v", got)
	}
}

func TestTeamAverage(t *testing.T) {
	// b's newest interaction (chat, later) puts b in T2, but b's billing
	// interactions carry team_id T1 and still count for T1's average.
	recs := append(scenario(), with(ix("b9", "b", "T2", "billing", "2026-06-01T00:00:00Z", 10, 1, 1), func(it *schemas.Interaction) { it.Model = "chat" }))
	d := New(recs, params2)
	if team, _ := d.TeamOf("t1", "b"); team != "T2" {
		t.Fatalf("TeamOf(b) = %s, want T2", team)
	}
	a := mustPerf(t, d, "a", views.RangeSpec{}).Inquiries[0]
	// T1 on billing: a1, a2, b1, b2 → AHT 150, psat .9, pres .75, AES 222.2…
	// (psat with .8 on the 2^-20 grid).
	psat := (2*views.OnPredictionGrid(.8) + 2) / 4
	if *a.AES.Team != 150/(psat*.75) || *a.AHT.Team != 150 || *a.PSAT.Team != psat || *a.PRES.Team != .75 {
		t.Fatalf("a's team figures = %+v %+v", a.AES, a.AHT)
	}
	// c (T2) on billing: T2 interactions c1, c2, d1, d2 → AHT 1200/4 = 300,
	// psat .5, pres .5, AES 1200.
	c := mustPerf(t, d, "c", views.RangeSpec{}).Inquiries
	for _, inq := range c {
		if inq.Inquiry == "billing" && (*inq.AHT.Team != 300 || *inq.AES.Team != 1200) {
			t.Fatalf("c's billing team figures = %+v", inq)
		}
	}
}

func TestTopAgent(t *testing.T) {
	// e ties with b on billing AES 100 (handles 50, 150; psat, pres 1):
	// the smaller agent_id (b) is top. f has AES 10 but only 1 interaction.
	recs := append(scenario(),
		ix("e1", "e", "T2", "billing", "2026-05-31T11:00:00Z", 50, 1, 1),
		ix("e2", "e", "T2", "billing", "2026-05-31T11:05:00Z", 150, 1, 1),
		ix("f1", "f", "T2", "billing", "2026-05-31T11:10:00Z", 10, 1, 1),
	)
	d := New(recs, params2)
	inq := mustPerf(t, d, "e", views.RangeSpec{}).Inquiries[0]
	if *inq.AES.Top != 100 || *inq.AHT.Top != 100 {
		t.Fatalf("top = %v / %v", *inq.AES.Top, *inq.AHT.Top)
	}
	det, err := d.InquiryDetail("t1", "f", "voice", "billing", views.RangeSpec{}, 5)
	if err != nil {
		t.Fatal(err)
	}
	if *det.AES.Top != 100 || det.Population != 5 || det.AES.Label != nil {
		t.Fatalf("f's detail = %+v", det.InquiryPerf)
	}
}

func TestImpactRanking(t *testing.T) {
	// Agent x handles five inquiries, 2 interactions each (n = 10); agent y
	// handles each inquiry twice with handle 100 (email: AES = AHT).
	// AES_x,i = h_i; AES_all,i = (h_i + 100)/2; impact = 2/10 × (h_i − 100)/2.
	handles := map[string]float64{"p": 40, "q": 40, "r": 60, "s": 160, "u": 100}
	var recs []schemas.Interaction
	n := 0
	for inq, h := range handles {
		for _, who := range []string{"x", "y"} {
			for range 2 {
				hh := h
				if who == "y" {
					hh = 100
				}
				it := ix(fmt.Sprint("i", n), who, "T", inq, "2026-05-31T08:00:00Z", hh, none, none)
				it.Model = "email"
				recs = append(recs, it)
				n++
			}
		}
	}
	d := New(recs, params2)
	p, err := d.AgentPerformance("t1", "x", "email", views.RangeSpec{}, views.SortSpec{})
	if err != nil {
		t.Fatal(err)
	}
	// p, q: −6 (tie, by name); r: −4; s: +6; u: 0 (neither list).
	if got := names(p.TopInquiries); got != "p,q,r" {
		t.Errorf("top = %s", got)
	}
	if got := names(p.WorkOn); got != "s" {
		t.Errorf("work on = %s", got)
	}
	if *p.TopInquiries[0].Impact != -6 || *p.WorkOn[0].Impact != 6 {
		t.Errorf("impacts %v %v", *p.TopInquiries[0].Impact, *p.WorkOn[0].Impact)
	}
}

func names(ps []views.InquiryPerf) string {
	var s []string
	for _, p := range ps {
		s = append(s, p.Inquiry)
	}
	return strings.Join(s, ",")
}

func TestAgentPerformanceSort(t *testing.T) {
	d := New(scenario(), params2)
	s, _ := views.ParseSort("aes", "desc")
	p, err := d.AgentPerformance("t1", "a", "voice", views.RangeSpec{}, s)
	if err != nil {
		t.Fatal(err)
	}
	if names(p.Inquiries) != "billing,tech" { // 500 > 61.7
		t.Fatalf("sorted = %s", names(p.Inquiries))
	}
	s, _ = views.ParseSort("aes", "")
	p, _ = d.AgentPerformance("t1", "a", "voice", views.RangeSpec{}, s)
	if names(p.Inquiries) != "tech,billing" {
		t.Fatalf("sorted = %s", names(p.Inquiries))
	}
}

func TestNoDataForModel(t *testing.T) {
	d := New(scenario(), params2)
	if _, err := d.AgentPerformance("t1", "a", "fax", views.RangeSpec{}, views.SortSpec{}); !errors.Is(err, views.ErrNoData) {
		t.Fatalf("err = %v", err)
	}
	if _, err := d.AgentPerformance("t2", "a", "voice", views.RangeSpec{}, views.SortSpec{}); !errors.Is(err, views.ErrNoData) {
		t.Fatalf("other tenant: err = %v", err)
	}
	if _, err := d.LatestData("t1", "fax"); !errors.Is(err, views.ErrNoData) {
		t.Fatalf("err = %v", err)
	}
	if _, err := d.TeamAgents("t1", "T1", "fax", views.RangeSpec{}); !errors.Is(err, views.ErrNoData) {
		t.Fatalf("err = %v", err)
	}
}
