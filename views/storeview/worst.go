package storeview

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/agentpulse/agentpulse/processor/store"
	"github.com/agentpulse/agentpulse/schemas"
	"github.com/agentpulse/agentpulse/views"
)

// WorstInteractions answers GET …/inquiries/{inquiry}/interactions with
// worst=true like reference.Dataset.WorstInteractions: the agent's
// interactions on the model and inquiry in the range that have a value
// for metric, poorest first (views.CompareWorstFirst), at most limit of
// them (none when limit ≤ 0; never nil). It returns an error wrapping
// views.ErrNoData when the tenant has no data for the model, and a
// *views.FieldError for an unknown metric. A metric the model lacks is not
// an error here: no interaction has a value for it, so the list is empty.
func (v *Views) WorstInteractions(ctx context.Context, tenant, agent, model, inquiry string, metric views.Metric, spec views.RangeSpec, limit int) ([]schemas.Interaction, error) {
	out, err := v.metricInteractions(ctx, tenant, agent, model, inquiry, metric, spec, limit, views.CompareWorstFirst(metric, v.params.Floor))
	if err != nil {
		return nil, fmt.Errorf("worst interactions: %w", err)
	}
	return out, nil
}

// NewestInteractions answers GET …/inquiries/{inquiry}/interactions with
// worst=false: the same interactions as WorstInteractions (the agent's on
// the model and inquiry in the range that have a value for metric), newest
// first (views.CompareNewestFirst), at most limit of them. Its errors are
// those of WorstInteractions.
func (v *Views) NewestInteractions(ctx context.Context, tenant, agent, model, inquiry string, metric views.Metric, spec views.RangeSpec, limit int) ([]schemas.Interaction, error) {
	out, err := v.metricInteractions(ctx, tenant, agent, model, inquiry, metric, spec, limit, views.CompareNewestFirst)
	if err != nil {
		return nil, fmt.Errorf("newest interactions: %w", err)
	}
	return out, nil
}

// metricInteractions reads every interaction of the agent on the model
// and inquiry from the range's start on — store.Recent asked for the
// agent's bucket volume on the inquiry from the hour of rng.From to the
// end of time,
// which Recent's newest-first order makes a superset of the range —,
// keeps those in the range with a value for metric, sorts them with order
// and cuts them to limit.
func (v *Views) metricInteractions(ctx context.Context, tenant, agent, model, inquiry string, metric views.Metric, spec views.RangeSpec, limit int, order func(a, b *schemas.Interaction) int) ([]schemas.Interaction, error) {
	if _, err := views.ParseMetric(string(metric)); err != nil {
		return nil, err
	}
	rng, err := v.resolve(ctx, tenant, model, spec)
	if err != nil {
		return nil, err
	}
	out := []schemas.Interaction{}
	if limit <= 0 {
		return out, nil
	}
	since, err := v.sumBuckets(ctx, store.BucketQuery{Tenant: tenant, Model: model, Agent: agent, Inquiry: inquiry, From: rng.From.Truncate(time.Hour), To: allTime.to})
	if err != nil {
		return nil, err
	}
	if since.Volume == 0 {
		return out, nil
	}
	recs, err := v.r.Recent(ctx, tenant, model, agent, inquiry, int(since.Volume))
	if err != nil {
		return nil, fmt.Errorf("recent interactions: %w", err)
	}
	keep := make([]*schemas.Interaction, 0, len(recs))
	for i := range recs {
		it := &recs[i]
		if !rng.Contains(it.EndedAt) {
			continue
		}
		if _, ok := views.InteractionValue(it, metric, v.params.Floor); ok {
			keep = append(keep, it)
		}
	}
	slices.SortFunc(keep, order)
	for _, it := range keep[:min(limit, len(keep))] {
		out = append(out, *it)
	}
	return out, nil
}
