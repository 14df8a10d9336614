package reference

import (
	"cmp"
	"math"
	"math/rand/v2"
	"os"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/agentpulse/agentpulse/outcomes"
	"github.com/agentpulse/agentpulse/schemas"
	"github.com/agentpulse/agentpulse/views"
)

// truthCenter is a simulated center with ground truth: each agent × inquiry
// has a latent satisfaction and resolution propensity; an unresolved
// contact brings the customer back (inbound, another chain) within five
// days; about 10 % answer a survey, dissatisfied customers less often. No
// predictions in the feed.
type truthCenter struct {
	recs []schemas.Interaction
	outs []schemas.Outcome
	// per agent × inquiry: Σ handle, Σ p_sat, Σ p_res, n
	truth map[[2]string]*[4]float64
}

func newTruthCenter(seed uint64, agents, days, perAgentDay int) *truthCenter {
	rng := rand.New(rand.NewPCG(seed, 2))
	inquiries := []string{"billing", "outage", "move"}
	baseAHT := []float64{300, 500, 700}
	baseSat := []float64{0.8, 0.2, -0.3}
	baseRes := []float64{1.2, 0.4, 0}
	type agentT struct {
		speed    float64
		sat, res [3]float64
	}
	ags := make([]agentT, agents)
	for i := range ags {
		ags[i].speed = math.Exp(0.25 * rng.NormFloat64())
		for q := range inquiries {
			ags[i].sat[q] = 0.7 * rng.NormFloat64()
			ags[i].res[q] = 0.7 * rng.NormFloat64()
		}
	}
	c := &truthCenter{truth: make(map[[2]string]*[4]float64)}
	t0 := time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)
	end := t0.Add(time.Duration(days) * 24 * time.Hour)
	n := 0
	var contact func(start time.Time, q int, customer string)
	contact = func(start time.Time, q int, customer string) {
		if !start.Before(end) {
			return
		}
		a := rng.IntN(agents)
		ag := &ags[a]
		handle := math.Round(baseAHT[q] * ag.speed * math.Exp(0.3*rng.NormFloat64()))
		ps := 1 / (1 + math.Exp(-(baseSat[q] + ag.sat[q])))
		pr := 1 / (1 + math.Exp(-(baseRes[q] + ag.res[q])))
		id := "i" + strconv.Itoa(n)
		n++
		it := schemas.Interaction{
			TenantID: "t1", InteractionID: id, Revision: 1, Model: "voice",
			AgentID: "a" + strconv.Itoa(a), TeamID: "team" + strconv.Itoa(a%10), Inquiry: inquiries[q],
			StartedAt: start, EndedAt: start.Add(time.Duration(handle) * time.Second), HandleTimeS: handle, Source: "simulator",
			CustomerKey: customer, ChainID: "ch-" + id, Initiation: schemas.InitiationInbound,
		}
		c.recs = append(c.recs, it)
		k := [2]string{it.AgentID, it.Inquiry}
		tr := c.truth[k]
		if tr == nil {
			tr = new([4]float64)
			c.truth[k] = tr
		}
		tr[0] += handle
		tr[1] += ps
		tr[2] += pr
		tr[3]++
		satisfied := rng.Float64() < ps
		answer := 0.07
		if satisfied {
			answer = 0.12
		}
		if rng.Float64() < answer {
			score := 2.0
			if satisfied {
				score = 5
			}
			c.outs = append(c.outs, schemas.Outcome{TenantID: "t1", OutcomeID: "s-" + id, Revision: 1, InteractionID: id,
				Kind: schemas.OutcomeSurvey, ObservedAt: it.EndedAt.Add(2 * time.Hour), Survey: &schemas.Survey{Score: score, ScaleMin: 1, ScaleMax: 5}})
		}
		if rng.Float64() >= pr {
			contact(it.EndedAt.Add(time.Duration(3600+rng.IntN(5*86400))*time.Second), q, customer)
		}
	}
	for d := range days {
		for range agents * perAgentDay {
			start := t0.Add(time.Duration(d)*24*time.Hour + time.Duration(rng.IntN(86400))*time.Second)
			contact(start, rng.IntN(len(inquiries)), "cust-"+strconv.Itoa(n))
		}
	}
	return c
}

// spearman is the rank correlation of x and y (average ranks for ties).
func spearman(x, y []float64) float64 {
	rx, ry := ranks(x), ranks(y)
	var mx, my float64
	for i := range rx {
		mx += rx[i]
		my += ry[i]
	}
	mx /= float64(len(rx))
	my /= float64(len(ry))
	var sxy, sxx, syy float64
	for i := range rx {
		sxy += (rx[i] - mx) * (ry[i] - my)
		sxx += (rx[i] - mx) * (rx[i] - mx)
		syy += (ry[i] - my) * (ry[i] - my)
	}
	return sxy / math.Sqrt(sxx*syy)
}

func ranks(v []float64) []float64 {
	idx := make([]int, len(v))
	for i := range idx {
		idx[i] = i
	}
	slices.SortFunc(idx, func(a, b int) int { return cmp.Compare(v[a], v[b]) })
	r := make([]float64, len(v))
	for i := 0; i < len(idx); {
		j := i
		for j < len(idx) && v[idx[j]] == v[idx[i]] {
			j++
		}
		for k := i; k < j; k++ {
			r[idx[k]] = float64(i+j-1)/2 + 1
		}
		i = j
	}
	return r
}

// accuracy is the per-inquiry Spearman correlations of the product's
// figures with the truth, averaged over inquiries.
type accuracy struct {
	aes, aht, sat, res float64
	cells              int
}

func measureAccuracy(t testing.TB, c *truthCenter, minVolume int64) accuracy {
	d := NewWithOutcomes(c.recs, c.outs, views.Params{MinVolume: minVolume}, outcomes.Config{})
	type pt struct{ aes, aht, sat, res, tAES, tSat, tRes float64 }
	by := map[string][]pt{}
	mi, rng, err := d.resolve("t1", "voice", views.RangeSpec{Preset: "3m"})
	if err != nil {
		t.Fatal(err)
	}
	// One scan gathers every agent's Sums per inquiry: what
	// AgentPerformance gives each agent as its inquiry value.
	ra := aggregate(mi, rng, "", "", "")
	for q, ia := range ra.inquiries {
		for _, m := range ia.members() {
			tr := c.truth[[2]string{m.ID, q}]
			means, ok := m.Sums.Means()
			if tr == nil || !ok || m.Sums.Volume < minVolume || !means.HasPSAT || !means.HasPRES {
				continue
			}
			ts, tres := tr[1]/tr[3], tr[2]/tr[3]
			by[q] = append(by[q], pt{means.AES(d.params.Floor), means.AHT, means.PSAT, means.PRES,
				(tr[0] / tr[3]) / (ts * tres), ts, tres})
		}
	}
	var acc accuracy
	for _, pts := range by {
		col := func(f func(pt) float64) []float64 {
			out := make([]float64, len(pts))
			for i, p := range pts {
				out[i] = f(p)
			}
			return out
		}
		tAES := col(func(p pt) float64 { return p.tAES })
		acc.aes += spearman(col(func(p pt) float64 { return p.aes }), tAES)
		acc.aht += spearman(col(func(p pt) float64 { return p.aht }), tAES)
		acc.sat += spearman(col(func(p pt) float64 { return p.sat }), col(func(p pt) float64 { return p.tSat }))
		acc.res += spearman(col(func(p pt) float64 { return p.res }), col(func(p pt) float64 { return p.tRes }))
		acc.cells += len(pts)
	}
	n := float64(len(by))
	acc.aes, acc.aht, acc.sat, acc.res = acc.aes/n, acc.aht/n, acc.sat/n, acc.res/n
	return acc
}

// TestLearnedAESTracksTruth: on a simulated center without predictions in
// the feed, the product's AES ranks agents on each inquiry much like the
// true AES, better than AHT alone.
func TestLearnedAESTracksTruth(t *testing.T) {
	c := newTruthCenter(1, 60, 45, 8)
	acc := measureAccuracy(t, c, 5)
	t.Logf("%d records, %d outcomes, %d cells: Spearman AES %.3f, AHT alone %.3f, satisfaction %.3f, resolution %.3f",
		len(c.recs), len(c.outs), acc.cells, acc.aes, acc.aht, acc.sat, acc.res)
	if acc.aes < 0.7 || acc.aes < acc.aht+0.1 {
		t.Errorf("Spearman(AES, true AES) %.3f (AHT alone %.3f): want ≥ 0.7 and ≥ AHT + 0.1", acc.aes, acc.aht)
	}
}

// BenchmarkLearnedOutcomes measures how well learned outcomes rank agents
// (DESIGN.md §4): per inquiry, Spearman(AES, true AES), the same for AHT
// alone, satisfaction and resolution, on a simulated center without
// predictions in the feed; and the whole reference pipeline's time per
// record. AGENTPULSE_BENCH_OUTCOME_AGENTS sets the agents (default 1000),
// 90 days of 4 contacts per agent and day plus the repeat contacts.
func BenchmarkLearnedOutcomes(b *testing.B) {
	agents := 1000
	if v, err := strconv.Atoi(os.Getenv("AGENTPULSE_BENCH_OUTCOME_AGENTS")); err == nil && v > 0 {
		agents = v
	}
	c := newTruthCenter(7, agents, 90, 4)
	var acc accuracy
	b.ResetTimer()
	for b.Loop() {
		acc = measureAccuracy(b, c, 5)
	}
	b.ReportMetric(acc.aes, "spearman_aes")
	b.ReportMetric(acc.aht, "spearman_aht")
	b.ReportMetric(acc.aes-acc.aht, "spearman_gain")
	b.ReportMetric(acc.sat, "spearman_psat")
	b.ReportMetric(acc.res, "spearman_pres")
	b.ReportMetric(float64(len(c.recs)), "records")
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(len(c.recs)), "ns/record")
}
