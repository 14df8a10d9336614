package reference

import (
	"math"
	"math/rand/v2"
	"reflect"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/agentpulse/agentpulse/outcomes"
	"github.com/agentpulse/agentpulse/schemas"
	"github.com/agentpulse/agentpulse/views"
)

func survey(id, interaction string, score float64, at string) schemas.Outcome {
	return schemas.Outcome{TenantID: "t1", OutcomeID: id, Revision: 1, InteractionID: interaction, Kind: schemas.OutcomeSurvey,
		ObservedAt: ts(at), Survey: &schemas.Survey{Score: score, ScaleMin: 1, ScaleMax: 5}}
}

// TestLearnedSatisfactionHandComputed: day 0 brings two satisfied surveys
// (agent b); on day 1 the model is not served yet (fewer than 30 validated
// labels) so agent a's interactions get the base rate
// (2 + 10·g)/(2 + 10) with g = (2+1)/(2+2): 9.5/12; one of them gets a
// satisfied survey, so psat = (1 + 10)/(9.5/12 + 10) × 9.5/12 (9.5/12 on
// the 2^-20 grid).
func TestLearnedSatisfactionHandComputed(t *testing.T) {
	recs := []schemas.Interaction{
		ix("b1", "b", "t", "billing", "2026-11-02T09:00:00Z", 100, none, none),
		ix("b2", "b", "t", "billing", "2026-11-02T10:00:00Z", 100, none, none),
		ix("a1", "a", "t", "billing", "2026-11-03T09:00:00Z", 200, none, none),
		ix("a2", "a", "t", "billing", "2026-11-03T10:00:00Z", 400, none, none),
	}
	outs := []schemas.Outcome{
		survey("s1", "b1", 5, "2026-11-02T12:00:00Z"),
		survey("s2", "b2", 4, "2026-11-02T12:00:00Z"),
		survey("s3", "a1", 5, "2026-11-03T12:00:00Z"),
	}
	d := NewWithOutcomes(recs, outs, params2, outcomes.Config{})
	if ms := d.ModelMetrics("t1", "voice"); !slices.Equal(ms, []views.Metric{views.MetricAES, views.MetricAHT, views.MetricPSAT}) {
		t.Fatalf("model metrics %v", ms)
	}
	perf, err := d.AgentPerformance("t1", "a", "voice", views.RangeSpec{Preset: "1w"}, views.SortSpec{})
	if err != nil {
		t.Fatal(err)
	}
	base := views.OnPredictionGrid(9.5 / 12) // cells add predictions on the 2^-20 grid
	psat := float64(11/(base+10)) * base
	o := perf.Overall
	if o.PSAT == nil || math.Abs(*o.PSAT-psat) > 1e-15 || o.PSATBasis != outcomes.BasisLearned || o.PSATLabels != 1 {
		t.Fatalf("overall %+v (psat %v), want psat %v learned from 1 label", o, orNaN(o.PSAT), psat)
	}
	if o.PRES != nil || o.AES == nil || math.Abs(*o.AES-300/psat) > 1e-12 {
		t.Fatalf("overall pres %v aes %v, want no pres and AES %v", orNaN(o.PRES), orNaN(o.AES), 300/psat)
	}
	if f := perf.Inquiries[0].PSAT; f == nil || f.Basis != outcomes.BasisLearned || f.Labels != 1 {
		t.Fatalf("inquiry psat figure %+v", f)
	}
	// Agent b's interactions came before any label: no prediction.
	pb, _ := d.AgentPerformance("t1", "b", "voice", views.RangeSpec{Preset: "1w"}, views.SortSpec{})
	if pb.Overall.PSAT != nil || pb.Inquiries[0].PSAT.Basis != outcomes.BasisNone {
		t.Fatalf("agent b: %+v", pb.Overall)
	}
	// A feed prediction is used as given (summed on the 2^-20 grid).
	feed := slices.Clone(recs)
	feed[2] = with(feed[2], func(it *schemas.Interaction) { it.PredictedSatisfaction = f64(0.3) })
	feed[3] = with(feed[3], func(it *schemas.Interaction) { it.PredictedSatisfaction = f64(0.5) })
	pf, _ := NewWithOutcomes(feed, outs, params2, outcomes.Config{}).AgentPerformance("t1", "a", "voice", views.RangeSpec{Preset: "1w"}, views.SortSpec{})
	if p := pf.Overall.PSAT; p == nil || *p != (views.OnPredictionGrid(0.3)+0.5)/2 || pf.Overall.PSATBasis != outcomes.BasisFeed {
		t.Fatalf("feed psat %v %s", orNaN(p), pf.Overall.PSATBasis)
	}
}

func orNaN(p *float64) float64 {
	if p == nil {
		return math.NaN()
	}
	return *p
}

// center is a small center with customer keys, repeat contacts and surveys.
func center(seed uint64, days, perDay int) ([]schemas.Interaction, []schemas.Outcome) {
	rng := rand.New(rand.NewPCG(seed, 1))
	inquiries := []string{"billing", "outage", "move"}
	agents := []string{"a1", "a2", "a3", "a4", "a5", "a6"}
	t0 := ts("2026-09-01T00:00:00Z")
	var recs []schemas.Interaction
	var outs []schemas.Outcome
	n := 0
	for day := range days {
		for range perDay {
			start := t0.Add(time.Duration(day)*24*time.Hour + time.Duration(rng.IntN(86400))*time.Second)
			handle := float64(60 + rng.IntN(900))
			ag := rng.IntN(len(agents))
			it := schemas.Interaction{
				TenantID: "t1", InteractionID: "i" + strconv.Itoa(n), Revision: 1, Model: "voice",
				AgentID: agents[ag], TeamID: "team" + strconv.Itoa(ag%2), Inquiry: inquiries[rng.IntN(len(inquiries))],
				StartedAt: start, EndedAt: start.Add(time.Duration(handle) * time.Second), HandleTimeS: handle, Source: "api",
				CustomerKey: "c" + strconv.Itoa(rng.IntN(perDay*days/4)), ChainID: "ch" + strconv.Itoa(n), Initiation: schemas.InitiationInbound,
			}
			recs = append(recs, it)
			if rng.Float64() < 0.3 {
				outs = append(outs, survey("s"+strconv.Itoa(n), it.InteractionID, float64(1+rng.IntN(5)), it.EndedAt.Add(time.Hour).Format(time.RFC3339)))
			}
			n++
		}
	}
	return recs, outs
}

// TestLearnedFiguresOrderIndependent: the learned figures are a function of
// the set of records: shuffled, with redeliveries and an old revision of a
// record first, every answer is identical.
func TestLearnedFiguresOrderIndependent(t *testing.T) {
	recs, outs := center(3, 30, 40)
	old := with(recs[5], func(it *schemas.Interaction) { it.HandleTimeS = 1; it.CustomerKey = "someone-else" })
	recs[5].Revision = 2
	d := NewWithOutcomes(recs, outs, params2, outcomes.Config{})
	rng := rand.New(rand.NewPCG(9, 9))
	shuffled := append(slices.Clone(recs), old, recs[7], recs[9])
	rng.Shuffle(len(shuffled), func(i, j int) { shuffled[i], shuffled[j] = shuffled[j], shuffled[i] })
	po := append(slices.Clone(outs), outs[0], outs[3])
	rng.Shuffle(len(po), func(i, j int) { po[i], po[j] = po[j], po[i] })
	e := NewWithOutcomes(shuffled, po, params2, outcomes.Config{})
	learned := 0
	for _, agent := range []string{"a1", "a2", "a3", "a4", "a5", "a6"} {
		p1, err1 := d.AgentPerformance("t1", agent, "voice", views.RangeSpec{Preset: "3m"}, views.SortSpec{})
		p2, err2 := e.AgentPerformance("t1", agent, "voice", views.RangeSpec{Preset: "3m"}, views.SortSpec{})
		if err1 != nil || err2 != nil || !reflect.DeepEqual(p1, p2) {
			t.Fatalf("%s: answers differ (%v, %v)", agent, err1, err2)
		}
		if p1.Overall.PSATBasis == outcomes.BasisLearned && p1.Overall.PRESBasis == outcomes.BasisLearned {
			learned++
		}
	}
	if learned == 0 {
		t.Fatal("no learned figures")
	}
	// New learns nothing: the figures of stores that do not learn yet.
	plain, _ := New(recs, params2).AgentPerformance("t1", "a1", "voice", views.RangeSpec{Preset: "3m"}, views.SortSpec{})
	if plain.Overall.PSAT != nil || plain.Overall.PRES != nil || *plain.Overall.AES != *plain.Overall.AHT {
		t.Fatalf("New learned: %+v", plain.Overall)
	}
	om, err := d.OutcomeModels("t1", "voice")
	if err != nil || len(om.Targets) != 2 || om.Targets[0].Labels == 0 || om.Targets[1].Labels == 0 || om.Targets[1].Serving == views.ServingNone {
		t.Fatalf("outcome models %+v %v", om, err)
	}
	if _, err := d.OutcomeModels("t1", "nope"); err == nil {
		t.Fatal("unknown model answered")
	}
	b1, _ := d.OutcomeModel("t1", "voice").MarshalBinary()
	b2, _ := e.OutcomeModel("t1", "voice").MarshalBinary()
	if string(b1) != string(b2) {
		t.Fatal("learner states differ")
	}
}
