package storeview

import "github.com/agentpulse/agentpulse/views"

// inquiryPerf builds the agent's InquiryPerf on one inquiry from its
// groups, exactly as views/reference does. agentModelVolume is the
// agent's volume over the whole model in the range (the n of impact);
// metrics are the model's metrics.
func inquiryPerf(inquiry, agent string, ia *inquiryAgg, agentModelVolume int64, metrics []views.Metric, p views.Params) views.InquiryPerf {
	own := ia.agent(agent)
	members := ia.members()
	top, hasTop := views.TopAgent(members, p)
	perf := views.InquiryPerf{Inquiry: inquiry, Volume: own.Volume}
	if own.Volume >= p.MinVolume {
		if v, ok := views.Impact(own, agentModelVolume, ia.all, p.Floor); ok {
			perf.Impact = &v
		}
	}
	for _, m := range metrics {
		f := perf.Figure(m)
		if f == nil {
			f = new(views.MetricFigure)
			if m == views.MetricPSAT {
				perf.PSAT = f
			} else {
				perf.PRES = f
			}
		}
		*f = metricFigure(m, own, members, ia.team, top, hasTop, p)
	}
	return perf
}

// metricFigure is one metric's value, label, team and top figures.
func metricFigure(m views.Metric, own views.Sums, members []views.Member, team views.Sums, top views.Member, hasTop bool, p views.Params) views.MetricFigure {
	var f views.MetricFigure
	if v, ok := own.Value(m, p.Floor); ok {
		f.Value = &v
		if own.Volume >= p.MinVolume {
			pop := views.PopulationValues(members, m, p)
			vals := make([]float64, len(pop))
			for i, s := range pop {
				vals[i] = s.Value
			}
			l := views.QuartileLabel(views.Rank(v, vals, m), len(vals))
			f.Label = &l
		}
	}
	if v, ok := team.Value(m, p.Floor); ok {
		f.Team = &v
	}
	if hasTop {
		if v, ok := top.Sums.Value(m, p.Floor); ok {
			f.Top = &v
		}
	}
	return f
}
