package storeview

import (
	"context"

	"github.com/agentpulse/agentpulse/processor/store"
	"github.com/agentpulse/agentpulse/views"
)

// ModelInquiries returns the inquiries of the tenant's model that have
// interactions in its default range (3 months up to the model's latest
// data), each with its volume there. With WithCache: the keys of the
// cache's 3-month aggregate, O(inquiries of the model), kept exact by the
// updates like every cached figure (ErrWarming while the model's entry
// is built and a request has waited CacheConfig.BuildWait). Without: one
// read of the range's sums, as AgentPerformance without the cache.
// views.ErrNoData when the model has no data.
func (v *Views) ModelInquiries(ctx context.Context, tenant, model string) (map[string]int64, error) {
	spec := views.RangeSpec{Preset: views.Preset3M}
	out := map[string]int64{}
	if v.cache != nil {
		err := v.withPreset(ctx, tenant, model, spec, func(p *presetAgg, _ []views.Metric) {
			for name, ia := range p.inq {
				if ia.all.Volume > 0 {
					out[name] = ia.all.Volume
				}
			}
		})
		if err != nil {
			return nil, err
		}
		return out, nil
	}
	rng, err := v.resolve(ctx, tenant, model, spec)
	if err != nil {
		return nil, err
	}
	ra, err := v.aggregate(ctx, store.BucketQuery{Tenant: tenant, Model: model, From: rng.From, To: rng.To}, "", "")
	if err != nil {
		return nil, err
	}
	for name, ia := range ra.inquiries {
		if ia.all.Volume > 0 {
			out[name] = ia.all.Volume
		}
	}
	return out, nil
}
