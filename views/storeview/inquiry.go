package storeview

import (
	"context"
	"errors"
	"fmt"

	"github.com/agentpulse/agentpulse/schemas"
	"github.com/agentpulse/agentpulse/views"
)

// InquiryDetail answers GET /v1/agents/{agent}/inquiries/{inquiry} like
// reference.Dataset.InquiryDetail: the agent's InquiryPerf on the inquiry
// over the range, the recommended focus metric, the population size and
// the agent's recentLimit most recent interactions on the inquiry in the
// range, newest first. Recent interactions come from store.RecentBefore
// the range's end: a bounded read, never the agent's history after the
// range. It
// returns an error wrapping views.ErrNoData when the tenant has no data
// for the model.
func (v *Views) InquiryDetail(ctx context.Context, tenant, agent, model, inquiry string, spec views.RangeSpec, recentLimit int) (views.InquiryDetail, error) {
	fail := func(err error) (views.InquiryDetail, error) {
		return views.InquiryDetail{}, fmt.Errorf("inquiry detail: %w", err)
	}
	if v.cached(spec) {
		out, err := v.inquiryDetailCached(ctx, tenant, agent, model, inquiry, spec, recentLimit)
		if err != nil {
			return fail(err)
		}
		return out, nil
	}
	rng, err := v.resolve(ctx, tenant, model, spec)
	if err != nil {
		return fail(err)
	}
	team, _, err := v.TeamOf(ctx, tenant, agent)
	if err != nil {
		return fail(err)
	}
	q := rangeQuery(tenant, model, rng)
	q.Inquiry = inquiry
	ra, err := v.aggregate(ctx, q, agent, team)
	if err != nil {
		return fail(err)
	}
	q = rangeQuery(tenant, model, rng)
	q.Agent = agent
	agentTotal, err := v.sumBuckets(ctx, q)
	if err != nil {
		return fail(err)
	}
	metrics, err := v.modelMetrics(ctx, tenant, model, ra.model)
	if err != nil {
		return fail(err)
	}
	ia := ra.inquiries[inquiry]
	if ia == nil {
		ia = newInquiryAgg()
	}
	recent, err := v.recentIn(ctx, tenant, model, agent, inquiry, rng, recentLimit)
	if err != nil {
		return fail(err)
	}
	members := ia.members()
	return views.InquiryDetail{
		InquiryPerf:       inquiryPerf(inquiry, agent, ia, agentTotal.Volume, metrics, v.params),
		Model:             model,
		From:              rng.From,
		To:                rng.To,
		RecommendedMetric: views.RecommendMetric(ia.agent(agent), members, metrics, v.params),
		Population:        len(views.Population(members, v.params)),
		Recent:            recent,
	}, nil
}

// recentIn returns the agent's limit newest interactions on the model and
// inquiry whose ended_at lies in rng, newest first (never nil).
func (v *Views) recentIn(ctx context.Context, tenant, model, agent, inquiry string, rng views.Range, limit int) ([]schemas.Interaction, error) {
	out := []schemas.Interaction{}
	if limit <= 0 {
		return out, nil
	}
	recs, err := v.r.RecentBefore(ctx, tenant, model, agent, inquiry, rng.To, limit)
	if err != nil {
		return nil, fmt.Errorf("recent interactions: %w", err)
	}
	for _, it := range recs {
		if len(out) == limit {
			break
		}
		if rng.Contains(it.EndedAt) {
			out = append(out, it)
		}
	}
	return out, nil
}

// Models answers GET /v1/agents/{agent}/models like
// reference.Dataset.Models: every model of the tenant the agent has
// interactions in (any time), sorted by name, with the agent's volume
// over the default range (3m at the model's latest data), the model's
// latest data and the agent's own newest ended_at. The models and the
// agent's newest ended_at per model are roster lookups (store.RosterPart),
// the latest data LatestData (remembered with CacheConfig.LatestTTL) and
// the volume the cache's default preset (a bounded bucket read without
// WithCache). An unknown agent gets an empty (non-nil) list.
func (v *Views) Models(ctx context.Context, tenant, agent string) ([]views.ModelSummary, error) {
	a, err := v.agentRoster(ctx, tenant, agent)
	if err != nil {
		return nil, fmt.Errorf("models: %w", err)
	}
	out := []views.ModelSummary{}
	for _, model := range a.models() {
		newest, _ := a.newest(model)
		latest, err := v.LatestData(ctx, tenant, model)
		if errors.Is(err, views.ErrNoData) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("models: %w", err)
		}
		volume, err := v.defaultVolume(ctx, tenant, agent, model)
		if err != nil {
			return nil, fmt.Errorf("models: %w", err)
		}
		out = append(out, views.ModelSummary{Model: model, Volume: volume, Latest: latest, AgentLatest: newest.EndedAt.UTC()})
	}
	return out, nil
}

// defaultVolume is the agent's volume in the model over the default range.
func (v *Views) defaultVolume(ctx context.Context, tenant, agent, model string) (int64, error) {
	spec := views.RangeSpec{}
	if v.cached(spec) {
		var n int64
		err := v.withPreset(ctx, tenant, model, spec, func(pa *presetAgg, _ []views.Metric) {
			n = pa.agentTotal[agent].Volume
		})
		return n, err
	}
	rng, err := v.resolve(ctx, tenant, model, spec)
	if err != nil {
		return 0, err
	}
	q := rangeQuery(tenant, model, rng)
	q.Agent = agent
	s, err := v.sumBuckets(ctx, q)
	return s.Volume, err
}
