package reference

import (
	"context"
	"os"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/agentpulse/agentpulse/ingest/simulator"
	"github.com/agentpulse/agentpulse/outcomes"
	"github.com/agentpulse/agentpulse/schemas"
	"github.com/agentpulse/agentpulse/views"
)

// simulatedCenter runs the simulator without predictions in the feed and
// returns its records, survey answers and ground truth.
func simulatedCenter(t testing.TB, agents, days int) ([]schemas.Interaction, []schemas.Outcome, []simulator.TruthRow) {
	cfg := simulator.DefaultConfig(time.Date(2026, 11, 30, 0, 0, 0, 0, time.UTC))
	cfg.Agents, cfg.Days, cfg.NoPredictions = agents, days, true
	g, err := simulator.New(cfg, 2)
	if err != nil {
		t.Fatal(err)
	}
	var recs []schemas.Interaction
	var outs []schemas.Outcome
	_, truth, err := g.RunTruth(context.Background(), func(b simulator.Batch) error {
		recs = append(recs, b.Records...)
		outs = append(outs, b.Outcomes...)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return recs, outs, truth.Rows()
}

// simAccuracy compares the learned figures of every (model, inquiry)
// with the simulator's truth: per group, Spearman over the agents with at
// least minVolume interactions, averaged over groups.
func simAccuracy(t testing.TB, recs []schemas.Interaction, outs []schemas.Outcome, truth []simulator.TruthRow, minVolume int64) (acc accuracy, groups int) {
	d := NewWithOutcomes(recs, outs, views.Params{MinVolume: minVolume}, outcomes.Config{})
	type key struct{ tenant, model, agent, inquiry string }
	tr := make(map[key]simulator.TruthRow, len(truth))
	for _, r := range truth {
		tr[key{r.TenantID, r.Model, r.AgentID, r.Inquiry}] = r
	}
	tms := make([]tenantModel, 0, len(d.models))
	for k := range d.models {
		tms = append(tms, k)
	}
	slices.SortFunc(tms, func(a, b tenantModel) int {
		if a.tenant != b.tenant {
			return compareStr(a.tenant, b.tenant)
		}
		return compareStr(a.model, b.model)
	})
	for _, tm := range tms {
		mi, rng, err := d.resolve(tm.tenant, tm.model, views.RangeSpec{Preset: "3m"})
		if err != nil {
			t.Fatal(err)
		}
		ra := aggregate(mi, rng, "", "", "")
		for q, ia := range ra.inquiries {
			var aes, aht, sat, res, tAES, tSat, tRes []float64
			for _, m := range ia.members() {
				r, ok := tr[key{tm.tenant, tm.model, m.ID, q}]
				means, has := m.Sums.Means()
				if !ok || !has || m.Sums.Volume < minVolume || !means.HasPSAT || !means.HasPRES {
					continue
				}
				aes, aht, sat, res = append(aes, means.AES(d.params.Floor)), append(aht, means.AHT), append(sat, means.PSAT), append(res, means.PRES)
				tAES, tSat, tRes = append(tAES, r.AES), append(tSat, r.Psat), append(tRes, r.Pres)
			}
			if len(aes) < 10 {
				continue
			}
			acc.aes += spearman(aes, tAES)
			acc.aht += spearman(aht, tAES)
			acc.sat += spearman(sat, tSat)
			acc.res += spearman(res, tRes)
			acc.cells += len(aes)
			groups++
		}
	}
	if groups > 0 {
		n := float64(groups)
		acc.aes, acc.aht, acc.sat, acc.res = acc.aes/n, acc.aht/n, acc.sat/n, acc.res/n
	}
	return acc, groups
}

func compareStr(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// BenchmarkSimulatedCenter is DESIGN.md §4's learned-outcomes figure on
// the product's own simulator (ingest/simulator) without predictions in
// the feed: per model × inquiry, Spearman of the learned AES, AHT alone,
// psat and pres against the simulator's ground truth.
// AGENTPULSE_BENCH_SIM_AGENTS sets the agents (default 300; 90 days:
// ~1 M records, 2.5 GB, since the reference keeps every record).
func BenchmarkSimulatedCenter(b *testing.B) {
	agents := 300
	if v, err := strconv.Atoi(os.Getenv("AGENTPULSE_BENCH_SIM_AGENTS")); err == nil && v > 0 {
		agents = v
	}
	recs, outs, truth := simulatedCenter(b, agents, 90)
	var acc accuracy
	var groups int
	b.ResetTimer()
	for b.Loop() {
		acc, groups = simAccuracy(b, recs, outs, truth, 5)
	}
	b.ReportMetric(acc.aes, "spearman_aes")
	b.ReportMetric(acc.aht, "spearman_aht")
	b.ReportMetric(acc.aes-acc.aht, "spearman_gain")
	b.ReportMetric(acc.sat, "spearman_psat")
	b.ReportMetric(acc.res, "spearman_pres")
	b.ReportMetric(float64(groups), "groups")
	b.ReportMetric(float64(len(recs)), "records")
	b.ReportMetric(float64(len(outs)), "surveys")
}
