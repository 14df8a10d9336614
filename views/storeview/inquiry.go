package storeview

import (
	"context"
	"errors"
	"fmt"

	"github.com/agentpulse/agentpulse/processor/store"
	"github.com/agentpulse/agentpulse/schemas"
	"github.com/agentpulse/agentpulse/views"
)

// InquiryDetail answers GET /v1/agents/{agent}/inquiries/{inquiry} like
// reference.Dataset.InquiryDetail: the agent's InquiryPerf on the inquiry
// over the range, the recommended focus metric, the population size and
// the agent's recentLimit most recent interactions on the inquiry in the
// range, newest first. Recent interactions come from store.Recent asked
// for recentLimit plus the agent's volume on the inquiry after the range
// (read from buckets), so that the ones inside the range are complete. It
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
	after, err := v.sumBuckets(ctx, store.BucketQuery{Tenant: tenant, Model: model, Agent: agent, Inquiry: inquiry, From: rng.To, To: allTime.to})
	if err != nil {
		return nil, err
	}
	recs, err := v.r.Recent(ctx, tenant, model, agent, inquiry, limit+int(after.Volume))
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
// latest data and the agent's own newest ended_at (the newest
// interaction, read with store.Recent, of the inquiries of the agent's
// newest bucket hour). An unknown agent gets an empty (non-nil) list.
func (v *Views) Models(ctx context.Context, tenant, agent string) ([]views.ModelSummary, error) {
	models, err := v.modelsOf(ctx, tenant)
	if err != nil {
		return nil, fmt.Errorf("models: %w", err)
	}
	out := []views.ModelSummary{}
	for _, model := range models {
		sum, found, err := v.modelSummary(ctx, tenant, agent, model)
		if err != nil {
			return nil, fmt.Errorf("models: %w", err)
		}
		if found {
			out = append(out, sum)
		}
	}
	return out, nil
}

func (v *Views) modelSummary(ctx context.Context, tenant, agent, model string) (views.ModelSummary, bool, error) {
	latest, err := v.r.LatestData(ctx, tenant, model)
	if errors.Is(err, store.ErrNoData) {
		return views.ModelSummary{}, false, nil
	}
	if err != nil {
		return views.ModelSummary{}, false, fmt.Errorf("latest data of model %q: %w", model, err)
	}
	rng := views.RangeSpec{}.Resolve(latest)
	var n newest
	var volume int64
	q := store.BucketQuery{Tenant: tenant, Model: model, Agent: agent, From: allTime.from, To: allTime.to}
	err = v.r.Buckets(ctx, q, func(b store.Bucket) error {
		n.add(model, b.Hour, b.Inquiry, b.Team)
		if rng.Contains(b.Hour) {
			volume += b.Volume
		}
		return nil
	})
	if err != nil {
		return views.ModelSummary{}, false, fmt.Errorf("read buckets of model %q: %w", model, err)
	}
	if len(n.cells) == 0 {
		return views.ModelSummary{}, false, nil
	}
	var agentLatest schemas.Interaction
	seen := map[string]bool{}
	for _, c := range n.cells {
		if seen[c.inquiry] {
			continue
		}
		seen[c.inquiry] = true
		recs, err := v.r.Recent(ctx, tenant, model, agent, c.inquiry, 1)
		if err != nil {
			return views.ModelSummary{}, false, fmt.Errorf("newest interaction on %q/%q: %w", model, c.inquiry, err)
		}
		if len(recs) > 0 && recs[0].EndedAt.After(agentLatest.EndedAt) {
			agentLatest = recs[0]
		}
	}
	if _, ok := v.r.(*Overlay); ok && agentLatest.EndedAt.IsZero() {
		// The overlay holds the agent's buckets before the store holds
		// the interactions: the newest bucket hour until it does.
		agentLatest.EndedAt = n.hour
	}
	if agentLatest.EndedAt.IsZero() {
		return views.ModelSummary{}, false, fmt.Errorf("agent %q model %q: %w", agent, model, errInconsistent)
	}
	return views.ModelSummary{Model: model, Volume: volume, Latest: latest.UTC(), AgentLatest: agentLatest.EndedAt.UTC()}, true, nil
}
