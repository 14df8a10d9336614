package storeview

import (
	"context"

	"github.com/agentpulse/agentpulse/views"
)

// cached reports whether spec is answered from the cache.
func (v *Views) cached(spec views.RangeSpec) bool {
	return v.cache != nil && !spec.Custom && presetIndex(spec) >= 0
}

// withPreset resolves spec, brings the model's cache entry to the range
// and calls fn with the preset's aggregate and the model's metrics under
// the entry's read lock (fn must not read the store).
func (v *Views) withPreset(ctx context.Context, tenant, model string, spec views.RangeSpec, fn func(p *presetAgg, metrics []views.Metric)) error {
	idx := presetIndex(spec)
	rng, err := v.resolve(ctx, tenant, model, spec)
	if err != nil {
		return err
	}
	mc := v.cache.get(tenant, model)
	var allTimeMetrics []views.Metric
	fetched := false
	for {
		if err := mc.prepare(ctx, rng.To); err != nil {
			return err
		}
		mc.mu.RLock()
		if !mc.ready {
			mc.mu.RUnlock()
			continue // a job started after prepare returned: wait for it
		}
		p := mc.presets[idx]
		var metrics []views.Metric
		switch {
		case p.model.Volume > 0 && p.model.HasPSAT() && p.model.HasPRES():
			metrics = views.ModelMetrics(p.model)
		case mc.metricsValid:
			metrics = mc.metrics
		case fetched:
			metrics = allTimeMetrics
		default:
			gen := mc.metricsGen
			mc.mu.RUnlock()
			ms, err := v.modelMetrics(ctx, tenant, model, views.Sums{})
			if err != nil {
				return err
			}
			mc.mu.Lock()
			if gen == mc.metricsGen {
				mc.metrics, mc.metricsValid = ms, true
			}
			mc.mu.Unlock()
			allTimeMetrics, fetched = ms, true
			continue
		}
		fn(p, metrics)
		mc.mu.RUnlock()
		return nil
	}
}

// inquiryPerfCached is the agent's InquiryPerf on one inquiry of p.
func (v *Views) inquiryPerfCached(p *presetAgg, inquiry, agent, team string, metrics []views.Metric) views.InquiryPerf {
	ia := p.inq[inquiry]
	if ia == nil {
		ia = &inqAgg{}
	}
	var topSums views.Sums
	topID, hasTop := ia.pop.top()
	if hasTop {
		topSums = ia.agents[topID]
	}
	var teamSums views.Sums
	if team != "" {
		teamSums = ia.teams[team]
	}
	return perfFromIndex(inquiry, ia.agents[agent], &ia.pop, topID, topSums, hasTop, ia.all, teamSums, p.agentTotal[agent].Volume, metrics, v.params)
}

func (v *Views) performanceCached(ctx context.Context, tenant, agent, model string, spec views.RangeSpec, sort views.SortSpec) (views.Performance, error) {
	team, _, err := v.TeamOf(ctx, tenant, agent)
	if err != nil {
		return views.Performance{}, err
	}
	var out views.Performance
	err = v.withPreset(ctx, tenant, model, spec, func(pa *presetAgg, metrics []views.Metric) {
		p := v.params
		total := pa.agentTotal[agent]
		out = views.Performance{
			Model:        model,
			Range:        pa.rng,
			Overall:      total.Figures(p.Floor),
			TopInquiries: []views.InquiryPerf{},
			WorkOn:       []views.InquiryPerf{},
			Inquiries:    []views.InquiryPerf{},
		}
		seen := map[string]bool{}
		byName := make(map[string]views.InquiryPerf)
		var impacts []views.InquiryImpact
		for k := range pa.cur[agent] {
			if seen[k.inquiry] {
				continue
			}
			seen[k.inquiry] = true
			perf := v.inquiryPerfCached(pa, k.inquiry, agent, team, metrics)
			out.Inquiries = append(out.Inquiries, perf)
			byName[k.inquiry] = perf
			if perf.Impact != nil {
				impacts = append(impacts, views.InquiryImpact{Inquiry: k.inquiry, Volume: perf.Volume, Impact: *perf.Impact})
			}
		}
		views.SortInquiries(out.Inquiries, sort)
		top, workOn := views.RankImpacts(impacts, p)
		for _, name := range top {
			out.TopInquiries = append(out.TopInquiries, byName[name])
		}
		for _, name := range workOn {
			out.WorkOn = append(out.WorkOn, byName[name])
		}
	})
	return out, err
}

func (v *Views) inquiryDetailCached(ctx context.Context, tenant, agent, model, inquiry string, spec views.RangeSpec, recentLimit int) (views.InquiryDetail, error) {
	team, _, err := v.TeamOf(ctx, tenant, agent)
	if err != nil {
		return views.InquiryDetail{}, err
	}
	var out views.InquiryDetail
	err = v.withPreset(ctx, tenant, model, spec, func(pa *presetAgg, metrics []views.Metric) {
		ia := pa.inq[inquiry]
		if ia == nil {
			ia = &inqAgg{}
		}
		out = views.InquiryDetail{
			InquiryPerf:       v.inquiryPerfCached(pa, inquiry, agent, team, metrics),
			Model:             model,
			From:              pa.rng.From,
			To:                pa.rng.To,
			RecommendedMetric: recommendFromIndex(ia.agents[agent], &ia.pop, metrics, v.params),
			Population:        ia.pop.size(),
		}
	})
	if err != nil {
		return views.InquiryDetail{}, err
	}
	out.Recent, err = v.recentIn(ctx, tenant, model, agent, inquiry, views.Range{From: out.From, To: out.To}, recentLimit)
	if err != nil {
		return views.InquiryDetail{}, err
	}
	return out, nil
}

func cmpString(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}
