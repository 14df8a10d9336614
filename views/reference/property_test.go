package reference

import (
	"fmt"
	"math/rand/v2"
	"reflect"
	"testing"
	"time"

	"github.com/agentpulse/agentpulse/schemas"
	"github.com/agentpulse/agentpulse/views"
)

// genInteractions returns n random valid interactions of two tenants and
// three models (email without predictions) over ~100 days, with some
// psat/pres missing on voice and chat.
func genInteractions(r *rand.Rand, n int) []schemas.Interaction {
	models := []string{"voice", "chat", "email"}
	inquiries := []string{"billing", "tech", "refund", "moving", "cancel"}
	start := time.Date(2026, 2, 1, 0, 0, 0, 0, time.UTC)
	out := make([]schemas.Interaction, n)
	for i := range out {
		model := models[r.IntN(3)]
		agent := r.IntN(12)
		end := start.Add(time.Duration(r.Int64N(int64(100 * 24 * time.Hour))))
		if r.IntN(10) == 0 {
			end = end.In(time.FixedZone("x", 3600*(r.IntN(10)-5)))
		}
		handle := float64(10 + r.IntN(900))
		if r.IntN(4) == 0 {
			handle += r.Float64()
		}
		it := schemas.Interaction{
			TenantID: fmt.Sprint("t", 1+r.IntN(2)), InteractionID: fmt.Sprintf("id%05d", i), Revision: 1,
			Model: model, AgentID: fmt.Sprint("a", agent), TeamID: fmt.Sprint("T", (agent+r.IntN(2))%3),
			Inquiry: inquiries[r.IntN(len(inquiries))], StartedAt: end.Add(-time.Duration(handle) * time.Second),
			EndedAt: end, HandleTimeS: handle, Source: "simulator",
		}
		if model != "email" {
			if r.IntN(20) != 0 {
				it.PredictedSatisfaction = f64(r.Float64())
			}
			if r.IntN(20) != 0 {
				it.PredictedResolution = f64(r.Float64() * r.Float64())
			}
		}
		out[i] = it
	}
	return out
}

// answerSet is every query's answer over a dataset, for comparisons.
type answerSet struct {
	Latest  map[string]time.Time
	Models  map[string][]views.ModelSummary
	Perf    map[string]views.Performance
	Detail  map[string]views.InquiryDetail
	Worst   map[string][]schemas.Interaction
	Teams   map[string][]views.TeamAgent
	Plans   map[string]views.PlanProgress
	History map[string][]views.DayValue
}

func answers(d *Dataset) answerSet {
	a := answerSet{map[string]time.Time{}, map[string][]views.ModelSummary{}, map[string]views.Performance{},
		map[string]views.InquiryDetail{}, map[string][]schemas.Interaction{}, map[string][]views.TeamAgent{},
		map[string]views.PlanProgress{}, map[string][]views.DayValue{}}
	specs := map[string]views.RangeSpec{"3m": {}, "1w": {Preset: views.Preset1W}, "24h": {Preset: views.Preset24H},
		"custom": {Custom: true, From: time.Date(2026, 3, 1, 10, 30, 0, 0, time.UTC), To: time.Date(2026, 4, 1, 0, 0, 0, 0, time.UTC)}}
	agents, teams := map[string]bool{}, map[string]bool{}
	for _, it := range d.recs {
		agents[it.AgentID], teams[it.TeamID] = true, true
	}
	for _, tenant := range []string{"t1", "t2"} {
		for agent := range agents {
			a.Models[tenant+agent] = d.Models(tenant, agent)
		}
		for _, model := range []string{"voice", "chat", "email", "fax"} {
			l, err := d.LatestData(tenant, model)
			a.Latest[tenant+model] = l
			if err != nil {
				continue
			}
			for sname, spec := range specs {
				k := tenant + model + sname
				for agent := range agents {
					a.Perf[k+agent], _ = d.AgentPerformance(tenant, agent, model, spec, views.SortSpec{})
					for _, inq := range []string{"billing", "tech"} {
						a.Detail[k+agent+inq], _ = d.InquiryDetail(tenant, agent, model, inq, spec, 5)
						for _, m := range views.Metrics() {
							a.Worst[k+agent+inq+string(m)], _ = d.WorstInteractions(tenant, agent, model, inq, m, spec, 3)
						}
					}
				}
				for team := range teams {
					a.Teams[k+team], _ = d.TeamAgents(tenant, team, model, spec)
				}
			}
			for agent := range agents {
				plan := views.Plan{TenantID: tenant, AgentID: agent, Model: model, Inquiry: "billing", Metric: views.MetricAES,
					ImprovementPct: 10, TargetDate: "2026-04-20", Status: views.PlanInProgress,
					CreatedAt: time.Date(2026, 4, 1, 9, 30, 0, 0, time.UTC)}
				k := tenant + model + agent
				a.Plans[k] = d.PlanProgress(plan, time.Date(2026, 4, 10, 0, 0, 0, 0, time.UTC))
				a.Plans[k+"due"] = d.PlanProgress(plan, time.Date(2026, 5, 10, 0, 0, 0, 0, time.UTC))
				a.History[k] = d.History(plan, time.Date(2026, 5, 10, 0, 0, 0, 0, time.UTC))
			}
		}
	}
	return a
}

// firstLines keeps a failure message short.
func firstLines(d []string) []string { return d[:min(len(d), 10)] }

func TestInputOrderDoesNotMatter(t *testing.T) {
	r := rand.New(rand.NewPCG(11, 12))
	recs := genInteractions(r, 1500)
	p := views.Params{MinVolume: 3}
	want := answers(New(recs, p))
	for range 3 {
		r.Shuffle(len(recs), func(i, j int) { recs[i], recs[j] = recs[j], recs[i] })
		if got := answers(New(recs, p)); !reflect.DeepEqual(got, want) {
			t.Fatalf("shuffled input changed answers: %v", firstLines(views.ApproxDiff(got, want)))
		}
	}
}

func TestRedeliveryChangesNothing(t *testing.T) {
	r := rand.New(rand.NewPCG(13, 14))
	recs := genInteractions(r, 1500)
	want := answers(New(recs, views.Params{}))
	with := append([]schemas.Interaction(nil), recs...)
	for range 500 {
		with = append(with, recs[r.IntN(len(recs))])
	}
	r.Shuffle(len(with), func(i, j int) { with[i], with[j] = with[j], with[i] })
	if got := answers(New(with, views.Params{})); !reflect.DeepEqual(got, want) {
		t.Fatalf("redeliveries changed answers: %v", firstLines(views.ApproxDiff(got, want)))
	}
}

func TestHigherRevisionFullyReplaces(t *testing.T) {
	r := rand.New(rand.NewPCG(15, 16))
	old := genInteractions(r, 1500)
	fresh := genInteractions(r, 1500) // same ids, other content
	var latestOnly, history []schemas.Interaction
	for i := range old {
		switch r.IntN(3) {
		case 0: // never corrected
			latestOnly = append(latestOnly, old[i])
			history = append(history, old[i])
		default: // corrected: revision 2 (or 5) replaces revision 1
			fresh[i].TenantID = old[i].TenantID
			fresh[i].Revision = int64(2 + 3*r.IntN(2))
			latestOnly = append(latestOnly, fresh[i])
			history = append(history, old[i], fresh[i])
		}
	}
	r.Shuffle(len(history), func(i, j int) { history[i], history[j] = history[j], history[i] })
	got, want := answers(New(history, views.Params{})), answers(New(latestOnly, views.Params{}))
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("a higher revision did not fully replace: %v", firstLines(views.ApproxDiff(got, want)))
	}
}

func TestPropertyFiguresAgreeWithRawInteractions(t *testing.T) {
	r := rand.New(rand.NewPCG(17, 18))
	d := New(genInteractions(r, 3000), views.Params{})
	for _, model := range []string{"voice", "chat", "email"} {
		for agent := range 12 {
			id := fmt.Sprint("a", agent)
			p, err := d.AgentPerformance("t1", id, model, views.RangeSpec{}, views.SortSpec{})
			if err != nil {
				t.Fatal(err)
			}
			// Overall volume = raw count; inquiry volumes add up to it.
			n, sum := int64(0), int64(0)
			var raw views.Sums
			for _, it := range d.Records() {
				if it.TenantID == "t1" && it.AgentID == id && it.Model == model && p.Range.Contains(it.EndedAt) {
					n++
					raw.Add(&it)
				}
			}
			for _, inq := range p.Inquiries {
				sum += inq.Volume
				if model == "email" && (inq.PSAT != nil || *inq.AES.Value != *inq.AHT.Value) {
					t.Fatalf("email inquiry %+v: AES must equal AHT", inq)
				}
				if inq.Volume < 5 && (inq.Impact != nil || inq.AES.Label != nil) {
					t.Fatalf("inquiry below MinVolume judged: %+v", inq)
				}
			}
			if p.Overall.Volume != n || sum != n {
				t.Fatalf("%s %s: overall %d, inquiries %d, raw %d", model, id, p.Overall.Volume, sum, n)
			}
			if d := views.ApproxDiff(p.Overall, raw.Figures(0.05)); d != nil {
				t.Fatalf("overall differs from raw sums: %v", d)
			}
			if model == "email" && n > 0 && *p.Overall.AES != *p.Overall.AHT {
				t.Fatalf("email overall AES %v != AHT %v", *p.Overall.AES, *p.Overall.AHT)
			}
			for _, inq := range append(p.TopInquiries, p.WorkOn...) {
				if inq.Volume < 5 || inq.Impact == nil {
					t.Fatalf("ranked inquiry below MinVolume: %+v", inq)
				}
			}
		}
	}
}
