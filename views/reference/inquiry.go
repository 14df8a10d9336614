package reference

import (
	"fmt"
	"slices"

	"github.com/agentpulse/agentpulse/schemas"
	"github.com/agentpulse/agentpulse/views"
)

// InquiryDetail answers GET /v1/agents/{agent}/inquiries/{inquiry}: the
// agent's InquiryPerf on the inquiry over the range (given, with volume 0
// and null values, even when the agent has no interactions there), the
// recommended focus metric (views.RecommendMetric), the population size
// (agents with at least MinVolume interactions on the inquiry in the range)
// and the agent's recentLimit most recent interactions on the inquiry in
// the range, newest first (none when recentLimit ≤ 0). It returns an error
// wrapping views.ErrNoData when the tenant has no data for the model.
func (d *Dataset) InquiryDetail(tenant, agent, model, inquiry string, spec views.RangeSpec, recentLimit int) (views.InquiryDetail, error) {
	mi, rng, err := d.resolve(tenant, model, spec)
	if err != nil {
		return views.InquiryDetail{}, fmt.Errorf("inquiry detail: %w", err)
	}
	team, _ := d.TeamOf(tenant, agent)
	ra := aggregate(mi, rng, agent, team, inquiry)
	ia := ra.inquiries[inquiry]
	if ia == nil {
		ia = &inquiryAgg{agents: map[string]*views.Sums{}}
	}
	metrics := views.ModelMetrics(mi.all)
	members := ia.members()
	recent := selectRecs(mi, agent, inquiry, func(it *schemas.Interaction) bool { return rng.Contains(it.EndedAt) })
	slices.SortFunc(recent, views.CompareNewestFirst)
	return views.InquiryDetail{
		InquiryPerf:       inquiryPerf(inquiry, agent, ia, ra.agentTotal.Volume, metrics, d.params),
		Model:             model,
		From:              rng.From,
		To:                rng.To,
		RecommendedMetric: views.RecommendMetric(ia.agent(agent), members, metrics, d.params),
		Population:        len(views.Population(members, d.params)),
		Recent:            cloneAll(recent[:max(0, min(recentLimit, len(recent)))]),
	}, nil
}

// WorstInteractions answers GET …/inquiries/{inquiry}/interactions?worst=true:
// the agent's interactions on the model and inquiry in the range that have
// a value for metric, poorest first (views.CompareWorstFirst: longest
// handle time for aht, highest single-interaction AES for aes, lowest
// prediction for psat and pres; equal values newest first), at most limit
// of them (none when limit ≤ 0). The zero RangeSpec is the default range.
// It returns an error wrapping views.ErrNoData when the tenant has no data
// for the model, and a *views.FieldError for an unknown metric.
func (d *Dataset) WorstInteractions(tenant, agent, model, inquiry string, metric views.Metric, spec views.RangeSpec, limit int) ([]schemas.Interaction, error) {
	if _, err := views.ParseMetric(string(metric)); err != nil {
		return nil, fmt.Errorf("worst interactions: %w", err)
	}
	mi, rng, err := d.resolve(tenant, model, spec)
	if err != nil {
		return nil, fmt.Errorf("worst interactions: %w", err)
	}
	recs := selectRecs(mi, agent, inquiry, func(it *schemas.Interaction) bool {
		if !rng.Contains(it.EndedAt) {
			return false
		}
		_, ok := views.InteractionValue(it, metric, d.params.Floor)
		return ok
	})
	slices.SortFunc(recs, views.CompareWorstFirst(metric, d.params.Floor))
	return cloneAll(recs[:max(0, min(limit, len(recs)))]), nil
}

// Models answers GET /v1/agents/{agent}/models: every model of the tenant
// the agent has interactions in (any time), sorted by model name, with the
// agent's volume over the default range (3m anchored at the model's latest
// data), the model's latest available data and the agent's own newest
// ended_at. An unknown agent gets an empty (non-nil) list.
func (d *Dataset) Models(tenant, agent string) []views.ModelSummary {
	out := []views.ModelSummary{}
	for _, mi := range d.modelsOf(tenant) {
		rng := views.RangeSpec{}.Resolve(mi.latest)
		var sum views.ModelSummary
		found := false
		for _, it := range mi.recs {
			if it.AgentID != agent {
				continue
			}
			found = true
			if it.EndedAt.After(sum.AgentLatest) {
				sum.AgentLatest = it.EndedAt
			}
			if rng.Contains(it.EndedAt) {
				sum.Volume++
			}
		}
		if found {
			sum.Model, sum.Latest, sum.AgentLatest = mi.model, mi.latest.UTC(), sum.AgentLatest.UTC()
			out = append(out, sum)
		}
	}
	return out
}
