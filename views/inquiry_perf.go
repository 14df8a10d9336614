package views

import "github.com/agentpulse/agentpulse/outcomes"

// BuildInquiryPerf assembles an agent's InquiryPerf on one inquiry from
// the groups it is judged against: own (the agent's interactions on the
// inquiry in the range), members (the population candidates, each with
// their own Sums), all (every agent's interactions on the inquiry), team
// (the agent's team's). agentModelVolume is the agent's volume over the
// whole model in the range (the n of impact); metrics are the model's.
// The reference and every store-backed view call it, so that an answer is
// assembled one way; what they must agree on is the Sums they pass.
func BuildInquiryPerf(inquiry string, own Sums, members []Member, all, team Sums, agentModelVolume int64, metrics []Metric, p Params) InquiryPerf {
	top, hasTop := TopAgent(members, p)
	perf := InquiryPerf{Inquiry: inquiry, Volume: own.Volume}
	if hasTop {
		id := top.ID
		perf.TopAgent = &id
	}
	if own.Volume >= p.MinVolume {
		if v, ok := Impact(own, agentModelVolume, all, p.Floor); ok {
			perf.Impact = &v
		}
	}
	for _, m := range metrics {
		f := perf.Figure(m)
		if f == nil {
			f = new(MetricFigure)
			if m == MetricPSAT {
				perf.PSAT = f
			} else {
				perf.PRES = f
			}
		}
		*f = metricFigure(m, own, members, team, top, hasTop, p)
	}
	return perf
}

// metricFigure is one metric's value, label, team and top figures.
func metricFigure(m Metric, own Sums, members []Member, team Sums, top Member, hasTop bool, p Params) MetricFigure {
	var f MetricFigure
	if v, ok := own.Value(m, p.Floor); ok {
		f.Value = &v
		if own.Volume >= p.MinVolume {
			pop := PopulationValues(members, m, p)
			vals := make([]float64, len(pop))
			for i, s := range pop {
				vals[i] = s.Value
			}
			l := QuartileLabel(Rank(v, vals, m), len(vals))
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
	f.SetBasis(m, own)
	return f
}

// SetBasis sets f's Basis and Labels for metric m from own, the agent's
// Sums: for psat and pres where the value comes from (feed, learned,
// none) and the labels behind a learned one; nothing for aes and aht.
func (f *MetricFigure) SetBasis(m Metric, own Sums) {
	if m != MetricPSAT && m != MetricPRES {
		return
	}
	f.Basis, f.Labels = outcomes.BasisNone, 0
	means, ok := own.Means()
	if !ok {
		return
	}
	if m == MetricPSAT {
		f.Basis, f.Labels = means.PSATBasis, means.PSATLabels
	} else {
		f.Basis, f.Labels = means.PRESBasis, means.PRESLabels
	}
}
