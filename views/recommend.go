package views

// recommendOrder is the order of candidates and of tie-breaks.
var recommendOrder = [...]Metric{MetricAHT, MetricPSAT, MetricPRES}

// RecommendMetric returns the focus metric for an agent on one inquiry over
// a range (DESIGN.md §1 "Recommended focus metric"). agent is the agent's
// Sums there; members are every agent's Sums there (the agent included or
// not; those below p.MinVolume are ignored, the rest are the population);
// modelMetrics are the metrics the model has (ModelMetrics). The rule:
//
//  1. Candidates are aht always, psat and pres when the model has them, in
//     that order; a candidate is skipped when no population member has a
//     value for it.
//  2. For each candidate, replace the agent's mean by the population median
//     of that metric (each member's own mean; Median), hold the other means,
//     and recompute AES (Means.AES). Recommend the candidate whose AES is
//     lowest, if it is strictly below the agent's AES; equal reductions go
//     to the earlier candidate.
//  3. If no replacement lowers AES: recommend the candidate with the worst
//     percentile, the largest ShareStrictlyBetter of the agent's value in
//     the population (candidates the agent has no value for are skipped);
//     ties go to the earlier candidate.
//  4. An empty population, an agent without interactions, or no candidate
//     left: "aht".
func RecommendMetric(agent Sums, members []Member, modelMetrics []Metric, p Params) Metric {
	p = p.WithDefaults()
	means, ok := agent.Means()
	if !ok {
		return MetricAHT
	}
	cur := means.AES(p.Floor)
	type cand struct {
		m   Metric
		pop []float64
	}
	var cands []cand
	for _, m := range recommendOrder {
		if m != MetricAHT && !HasMetric(modelMetrics, m) {
			continue
		}
		pop := values(PopulationValues(members, m, p))
		if len(pop) > 0 {
			cands = append(cands, cand{m, pop})
		}
	}
	if len(cands) == 0 {
		return MetricAHT
	}
	best, bestAES := Metric(""), cur
	for _, c := range cands {
		med, _ := Median(c.pop)
		if aes := means.with(c.m, med).AES(p.Floor); aes < bestAES {
			best, bestAES = c.m, aes
		}
	}
	if best != "" {
		return best
	}
	worst, worstShare := MetricAHT, -1.0
	for _, c := range cands {
		v, ok := means.Value(c.m, p.Floor)
		if !ok {
			continue
		}
		if share := ShareStrictlyBetter(v, c.pop, c.m); share > worstShare {
			worst, worstShare = c.m, share
		}
	}
	return worst
}
