package reference

import (
	"fmt"

	"github.com/agentpulse/agentpulse/views"
)

// AgentPerformance answers GET /v1/agents/{agent}/performance: the agent's
// overall figures in the model over the range, one InquiryPerf per inquiry
// the agent handled in the range (sorted by sort; the zero SortSpec is
// volume descending, ties by inquiry ascending), and the top-performing and
// work-on inquiries (views.RankImpacts). An agent without interactions in
// the range gets volume 0 and empty lists. It returns an error wrapping
// views.ErrNoData when the tenant has no data for the model.
func (d *Dataset) AgentPerformance(tenant, agent, model string, spec views.RangeSpec, sort views.SortSpec) (views.Performance, error) {
	mi, rng, err := d.resolve(tenant, model, spec)
	if err != nil {
		return views.Performance{}, fmt.Errorf("agent performance: %w", err)
	}
	team, _ := d.TeamOf(tenant, agent)
	ra := aggregate(mi, rng, agent, team, "")
	metrics := views.ModelMetrics(mi.all)
	out := views.Performance{
		Model:        model,
		Range:        rng,
		Overall:      ra.agentTotal.Figures(d.params.Floor),
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
		perf := inquiryPerf(inquiry, agent, ia, ra.agentTotal.Volume, metrics, d.params)
		out.Inquiries = append(out.Inquiries, perf)
		byName[inquiry] = perf
		if perf.Impact != nil {
			impacts = append(impacts, views.InquiryImpact{Inquiry: inquiry, Volume: perf.Volume, Impact: *perf.Impact})
		}
	}
	views.SortInquiries(out.Inquiries, sort)
	top, workOn := views.RankImpacts(impacts, d.params)
	for _, name := range top {
		out.TopInquiries = append(out.TopInquiries, byName[name])
	}
	for _, name := range workOn {
		out.WorkOn = append(out.WorkOn, byName[name])
	}
	return out, nil
}
