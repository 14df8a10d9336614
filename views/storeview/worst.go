package storeview

import (
	"context"
	"fmt"
	"slices"

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
	out, err := v.metricInteractions(ctx, tenant, agent, model, inquiry, metric, spec, limit, true)
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
	out, err := v.metricInteractions(ctx, tenant, agent, model, inquiry, metric, spec, limit, false)
	if err != nil {
		return nil, fmt.Errorf("newest interactions: %w", err)
	}
	return out, nil
}

// metricInteractions returns the agent's interactions on the model and
// inquiry in the range that have a value for metric, in order (poorest
// or newest first), at most limit of them, reading only the range:
//
//   - worst first: store.WorstReader (both stores) with the sort and the
//     limit pushed into the store; other Readers: every interaction of
//     the range (RecentBefore the range's end, as many as the range's
//     buckets count) sorted here;
//   - newest first: RecentBefore the range's end, limit at a time (more
//     only when interactions without a value for metric are in the way),
//     stopping at the range's start.
func (v *Views) metricInteractions(ctx context.Context, tenant, agent, model, inquiry string, metric views.Metric, spec views.RangeSpec, limit int, worst bool) ([]schemas.Interaction, error) {
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
	if wr, ok := v.worstReader(); ok && worst {
		recs, err := wr.Worst(ctx, store.WorstQuery{Tenant: tenant, Model: model, Agent: agent, Inquiry: inquiry,
			From: rng.From, To: rng.To, Metric: metric, Floor: v.params.Floor, Limit: limit})
		if err != nil {
			return nil, fmt.Errorf("worst interactions: %w", err)
		}
		return append(out, recs...), nil
	}
	ask := limit
	if worst {
		inRange, err := v.sumBuckets(ctx, store.BucketQuery{Tenant: tenant, Model: model, Agent: agent, Inquiry: inquiry, From: rng.From, To: rng.To})
		if err != nil {
			return nil, err
		}
		ask = int(inRange.Volume)
	}
	for ask > 0 {
		recs, err := v.r.RecentBefore(ctx, tenant, model, agent, inquiry, rng.To, ask)
		if err != nil {
			return nil, fmt.Errorf("recent interactions: %w", err)
		}
		keep := make([]*schemas.Interaction, 0, len(recs))
		done := len(recs) < ask
		for i := range recs {
			it := &recs[i]
			if !rng.Contains(it.EndedAt) {
				done = true // older than the range: nothing further is in it
				continue
			}
			if _, ok := views.InteractionValue(it, metric, v.params.Floor); ok {
				keep = append(keep, it)
			}
		}
		if worst {
			slices.SortFunc(keep, views.CompareWorstFirst(metric, v.params.Floor))
		}
		if worst || done || len(keep) >= limit {
			for _, it := range keep[:min(limit, len(keep))] {
				out = append(out, *it)
			}
			return out, nil
		}
		ask *= 4 // interactions without a value for metric were in the way
	}
	return out, nil
}

// worstReader returns the Reader's (or an Overlay's store's) WorstReader.
func (v *Views) worstReader() (store.WorstReader, bool) {
	if o, ok := v.r.(*Overlay); ok {
		return o.worstReader()
	}
	wr, ok := v.r.(store.WorstReader)
	return wr, ok
}
