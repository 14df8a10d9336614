package storeview

import (
	"context"
	"fmt"

	"github.com/agentpulse/agentpulse/views"
)

// AgentPerformance answers GET /v1/agents/{agent}/performance like
// reference.Dataset.AgentPerformance: the agent's overall figures in the
// model over the range, one InquiryPerf per inquiry the agent handled in
// the range (sorted by sort), and the top-performing and work-on
// inquiries. It reads the model's buckets of the range once, plus what
// the agent's current team and the model's metrics need. It returns an
// error wrapping views.ErrNoData when the tenant has no data for the
// model.
func (v *Views) AgentPerformance(ctx context.Context, tenant, agent, model string, spec views.RangeSpec, sort views.SortSpec) (views.Performance, error) {
	if v.cached(spec) {
		out, err := v.performanceCached(ctx, tenant, agent, model, spec, sort)
		if err != nil {
			return views.Performance{}, fmt.Errorf("agent performance: %w", err)
		}
		return out, nil
	}
	rng, err := v.resolve(ctx, tenant, model, spec)
	if err != nil {
		return views.Performance{}, fmt.Errorf("agent performance: %w", err)
	}
	team, _, err := v.TeamOf(ctx, tenant, agent)
	if err != nil {
		return views.Performance{}, fmt.Errorf("agent performance: %w", err)
	}
	ra, err := v.aggregate(ctx, rangeQuery(tenant, model, rng), agent, team)
	if err != nil {
		return views.Performance{}, fmt.Errorf("agent performance: %w", err)
	}
	metrics, err := v.modelMetrics(ctx, tenant, model, ra.model)
	if err != nil {
		return views.Performance{}, fmt.Errorf("agent performance: %w", err)
	}
	p := v.params
	out := views.Performance{
		Model:        model,
		Range:        rng,
		Overall:      ra.agentTotal.Figures(p.Floor),
		TopInquiries: []views.InquiryPerf{},
		WorkOn:       []views.InquiryPerf{},
		Inquiries:    []views.InquiryPerf{},
	}
	byName := make(map[string]views.InquiryPerf)
	var impacts []views.InquiryImpact
	for inquiry, ia := range ra.inquiries {
		if ia.agents[agent] == nil {
			continue
		}
		perf := inquiryPerf(inquiry, agent, ia, ra.agentTotal.Volume, metrics, p)
		out.Inquiries = append(out.Inquiries, perf)
		byName[inquiry] = perf
		if perf.Impact != nil {
			impacts = append(impacts, views.InquiryImpact{Inquiry: inquiry, Volume: perf.Volume, Impact: *perf.Impact})
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
	return out, nil
}
