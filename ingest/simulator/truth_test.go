package simulator

import (
	"bytes"
	"context"
	"math"
	"testing"
	"time"

	"github.com/agentpulse/agentpulse/schemas"
)

// runTruth runs g and returns its records, outcomes and ground truth.
func runTruth(t testing.TB, g *Generator) ([]schemas.Interaction, []schemas.Outcome, *Truth) {
	t.Helper()
	var its []schemas.Interaction
	var outs []schemas.Outcome
	_, tr, err := g.RunTruth(context.Background(), func(b Batch) error {
		its = append(its, b.Records...)
		outs = append(outs, b.Outcomes...)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return its, outs, tr
}

// TestTruthIsDeterministic: records, outcomes and the ground truth are the
// same bytes for any number of workers.
func TestTruthIsDeterministic(t *testing.T) {
	cfg := testConfig(40, 10)
	cfg.DuplicateRate, cfg.RevisionRate, cfg.LateRate = 0.02, 0.02, 0.02
	render := func(workers int) (string, string, string) {
		its, outs, tr := runTruth(t, mustNew(t, cfg, workers))
		var a, b, c bytes.Buffer
		for i := range its {
			a.Write(its[i].AppendJSON(nil))
		}
		for i := range outs {
			b.Write(outs[i].AppendJSON(nil))
		}
		if err := tr.WriteNDJSON(&c); err != nil {
			t.Fatal(err)
		}
		return a.String(), b.String(), c.String()
	}
	a1, b1, c1 := render(1)
	a2, b2, c2 := render(5)
	if a1 != a2 || b1 != b2 || c1 != c2 {
		t.Fatal("records, outcomes or truth differ between 1 and 5 workers")
	}
	if len(b1) == 0 || len(c1) == 0 {
		t.Fatal("no outcomes or no truth")
	}
}

// TestInputsAndOutcomesAreValid: every record carries the new inputs,
// every outcome is valid, about its interaction, observed after it, once.
func TestInputsAndOutcomesAreValid(t *testing.T) {
	cfg := testConfig(60, 14)
	cfg.DuplicateRate, cfg.RevisionRate = 0.05, 0.05
	its, outs, _ := runTruth(t, mustNew(t, cfg, 0))
	byID := map[string]*schemas.Interaction{}
	for i := range its {
		it := &its[i]
		if err := it.Validate(); err != nil {
			t.Fatalf("%s: %v", it.InteractionID, err)
		}
		if it.CustomerKey == "" || it.ChainID == "" || it.Initiation != schemas.InitiationInbound || it.QueueWaitS == nil || it.Transfers == nil {
			t.Fatalf("%s lacks inputs: %s", it.InteractionID, it.AppendJSON(nil))
		}
		if (it.Model == "voice") != (it.HoldS != nil) {
			t.Fatalf("%s: hold_s only on voice: %s", it.InteractionID, it.AppendJSON(nil))
		}
		if it.Revision == 1 {
			byID[it.TenantID+"/"+it.InteractionID] = it
		}
	}
	seen := map[string]bool{}
	for i := range outs {
		o := &outs[i]
		if err := o.Validate(); err != nil {
			t.Fatalf("%s: %v", o.OutcomeID, err)
		}
		if seen[o.OutcomeID] {
			t.Fatalf("outcome %s twice", o.OutcomeID)
		}
		seen[o.OutcomeID] = true
		it := byID[o.TenantID+"/"+o.InteractionID]
		if it == nil || !o.ObservedAt.After(it.EndedAt) {
			t.Fatalf("outcome %s: interaction %v", o.AppendJSON(nil), it)
		}
	}
	rate := float64(len(outs)) / float64(len(byID))
	t.Logf("survey response rate %.4f", rate)
	if rate < 0.07 || rate > 0.13 {
		t.Errorf("survey response rate %.3f, want about 0.1", rate)
	}
}

// TestNoPredictions: the option leaves predictions out and changes nothing
// else.
func TestNoPredictions(t *testing.T) {
	cfg := testConfig(20, 5)
	with, _ := collect(t, mustNew(t, cfg, 0))
	cfg.NoPredictions = true
	without, _ := collect(t, mustNew(t, cfg, 0))
	if len(with) != len(without) {
		t.Fatalf("%d records with predictions, %d without", len(with), len(without))
	}
	for i := range without {
		a, b := with[i], without[i]
		if b.PredictedSatisfaction != nil || b.PredictedResolution != nil {
			t.Fatalf("prediction left in %s", b.AppendJSON(nil))
		}
		a.PredictedSatisfaction, a.PredictedResolution = nil, nil
		if string(a.AppendJSON(nil)) != string(b.AppendJSON(nil)) {
			t.Fatalf("records differ beyond predictions:\n%s\n%s", a.AppendJSON(nil), b.AppendJSON(nil))
		}
	}
}

// TestRepeatsFollowTrueResolution: per agent and inquiry, the share of
// contacts whose customer comes back within 7 days (in another contact)
// falls as the true resolution rises; surveys answered by dissatisfied
// customers are rarer than their share.
func TestRepeatsFollowTrueResolution(t *testing.T) {
	cfg := testConfig(120, 45)
	its, outs, tr := runTruth(t, mustNew(t, cfg, 0))
	type key struct{ agent, inquiry string }
	var last = map[string]int{} // customer → index of their previous contact
	repeats, volume := map[key]float64{}, map[key]float64{}
	for i := range its {
		it := &its[i]
		k := key{it.AgentID, it.Model + "/" + it.Inquiry}
		volume[k]++
		if j, ok := last[it.CustomerKey]; ok {
			prev := &its[j]
			if it.StartedAt.Sub(prev.EndedAt) <= 7*24*time.Hour {
				repeats[key{prev.AgentID, prev.Model + "/" + prev.Inquiry}]++
			}
		}
		last[it.CustomerKey] = i
	}
	var xs, ys []float64
	for _, r := range tr.Rows() {
		k := key{r.AgentID, r.Model + "/" + r.Inquiry}
		if volume[k] < 30 {
			continue
		}
		xs = append(xs, r.Pres)
		ys = append(ys, repeats[k]/volume[k])
	}
	c := correlation(xs, ys)
	t.Logf("correlation of true resolution and 7-day repeat share over %d agent × inquiry cells: %.3f", len(xs), c)
	if len(xs) < 50 || c > -0.5 {
		t.Errorf("correlation of true resolution and repeat share over %d cells = %.2f, want < -0.5", len(xs), c)
	}
	// Surveys: mean score of answers is above what all customers feel.
	var score float64
	for i := range outs {
		if outs[i].Survey.Score >= 4 {
			score++
		}
	}
	var psat, n float64
	for _, r := range tr.Rows() {
		psat += r.Psat * float64(r.Volume)
		n += float64(r.Volume)
	}
	answeredSat, trueSat := score/float64(len(outs)), psat/n
	t.Logf("satisfied share: %.3f among %d survey answers, %.3f true over %d contacts", answeredSat, len(outs), trueSat, len(its))
	if answeredSat <= trueSat {
		t.Errorf("satisfied share among answers %.3f, among all %.3f: want non-response bias", answeredSat, trueSat)
	}
}

func correlation(xs, ys []float64) float64 {
	n := float64(len(xs))
	var mx, my float64
	for i := range xs {
		mx += xs[i] / n
		my += ys[i] / n
	}
	var sxy, sxx, syy float64
	for i := range xs {
		sxy += (xs[i] - mx) * (ys[i] - my)
		sxx += (xs[i] - mx) * (xs[i] - mx)
		syy += (ys[i] - my) * (ys[i] - my)
	}
	return sxy / math.Sqrt(sxx*syy)
}
