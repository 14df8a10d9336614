package storeview

import (
	"cmp"
	"slices"
	"sort"

	"github.com/agentpulse/agentpulse/views"
)

// metricIdx orders the four metrics in the population indexes.
var allMetrics = [4]views.Metric{views.MetricAES, views.MetricAHT, views.MetricPSAT, views.MetricPRES}

// scored is one population member's value, ordered by (value, id).
type scored struct {
	v  float64
	id string
}

func cmpScored(a, b scored) int { return cmp.Or(cmp.Compare(a.v, b.v), cmp.Compare(a.id, b.id)) }

// popIndex is a population (members with Volume ≥ MinVolume) kept sorted
// per metric, ascending by (value, agent id): what labels (ranks by
// binary search), medians and the top agent need. Values are computed
// from the member's Sums by views' one expression, so removing a member
// finds the very bits inserted.
type popIndex struct {
	byMetric [4][]scored
}

// add inserts (positive) or removes (negative) a member's values.
func (p *popIndex) update(id string, s views.Sums, insert bool, params views.Params) {
	if s.Volume < params.MinVolume {
		return
	}
	means, ok := s.Means()
	if !ok {
		return
	}
	for i, m := range allMetrics {
		v, ok := means.Value(m, params.Floor)
		if !ok {
			continue
		}
		e := scored{v, id}
		list := p.byMetric[i]
		at, found := slices.BinarySearchFunc(list, e, cmpScored)
		switch {
		case insert && !found:
			p.byMetric[i] = slices.Insert(list, at, e)
		case !insert && found:
			p.byMetric[i] = slices.Delete(list, at, at+1)
		}
	}
}

// sortAll sorts every list (after bulk appends with add).
func (p *popIndex) sortAll() {
	for i := range p.byMetric {
		slices.SortFunc(p.byMetric[i], cmpScored)
	}
}

// appendMember appends a member's values without sorting (bulk build).
func (p *popIndex) appendMember(id string, s views.Sums, params views.Params) {
	if s.Volume < params.MinVolume {
		return
	}
	means, ok := s.Means()
	if !ok {
		return
	}
	for i, m := range allMetrics {
		if v, ok := means.Value(m, params.Floor); ok {
			p.byMetric[i] = append(p.byMetric[i], scored{v, id})
		}
	}
}

func metricIndex(m views.Metric) int {
	for i, x := range allMetrics {
		if x == m {
			return i
		}
	}
	return -1
}

// size is the population size: every member has an AES.
func (p *popIndex) size() int { return len(p.byMetric[0]) }

// rank is views.Rank of value against the population's values of m: the
// number of values strictly better.
func (p *popIndex) rank(value float64, m views.Metric) int {
	list := p.byMetric[metricIndex(m)]
	if m.LowerIsBetter() {
		return sort.Search(len(list), func(j int) bool { return list[j].v >= value })
	}
	return len(list) - sort.Search(len(list), func(j int) bool { return list[j].v > value })
}

// count is the number of population members with a value for m.
func (p *popIndex) count(m views.Metric) int { return len(p.byMetric[metricIndex(m)]) }

// median is views.Median of the population's values of m.
func (p *popIndex) median(m views.Metric) (float64, bool) {
	list := p.byMetric[metricIndex(m)]
	n := len(list)
	if n == 0 {
		return 0, false
	}
	if n%2 == 1 {
		return list[n/2].v, true
	}
	return (list[n/2-1].v + list[n/2].v) / 2, true
}

// top is views.TopAgent's choice: the lowest AES, ties by smallest id
// (the AES list's first element).
func (p *popIndex) top() (string, bool) {
	if len(p.byMetric[0]) == 0 {
		return "", false
	}
	return p.byMetric[0][0].id, true
}

// label returns the agent's quartile label for m, views.MemberLabels'
// rule; ok is false below MinVolume or without a value.
func (p *popIndex) label(s views.Sums, m views.Metric, params views.Params) (views.Label, bool) {
	if s.Volume < params.MinVolume {
		return "", false
	}
	v, ok := s.Value(m, params.Floor)
	if !ok {
		return "", false
	}
	return views.QuartileLabel(p.rank(v, m), p.count(m)), true
}

// perfFromIndex is views.BuildInquiryPerf with the population given as an
// index: own is the agent's Sums on the inquiry, topSums the top agent's.
func perfFromIndex(inquiry string, own views.Sums, pop *popIndex, topSums views.Sums, hasTop bool, all, team views.Sums, agentModelVolume int64, metrics []views.Metric, params views.Params) views.InquiryPerf {
	perf := views.InquiryPerf{Inquiry: inquiry, Volume: own.Volume}
	if own.Volume >= params.MinVolume {
		if v, ok := views.Impact(own, agentModelVolume, all, params.Floor); ok {
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
		if v, ok := own.Value(m, params.Floor); ok {
			f.Value = &v
			if l, ok := pop.label(own, m, params); ok {
				f.Label = &l
			}
		}
		if v, ok := team.Value(m, params.Floor); ok {
			f.Team = &v
		}
		if hasTop {
			if v, ok := topSums.Value(m, params.Floor); ok {
				f.Top = &v
			}
		}
	}
	return perf
}

// recommendOrder is views.RecommendMetric's candidate order.
var recommendOrder = [...]views.Metric{views.MetricAHT, views.MetricPSAT, views.MetricPRES}

// recommendFromIndex is views.RecommendMetric with the population given
// as an index.
func recommendFromIndex(agent views.Sums, pop *popIndex, modelMetrics []views.Metric, params views.Params) views.Metric {
	means, ok := agent.Means()
	if !ok {
		return views.MetricAHT
	}
	var cands []views.Metric
	for _, m := range recommendOrder {
		if m != views.MetricAHT && !views.HasMetric(modelMetrics, m) {
			continue
		}
		if pop.count(m) > 0 {
			cands = append(cands, m)
		}
	}
	if len(cands) == 0 {
		return views.MetricAHT
	}
	cur := means.AES(params.Floor)
	best, bestAES := views.Metric(""), cur
	for _, m := range cands {
		med, _ := pop.median(m)
		if aes := withMean(means, m, med).AES(params.Floor); aes < bestAES {
			best, bestAES = m, aes
		}
	}
	if best != "" {
		return best
	}
	worst, worstShare := views.MetricAHT, -1.0
	for _, m := range cands {
		v, ok := means.Value(m, params.Floor)
		if !ok {
			continue
		}
		if share := float64(pop.rank(v, m)) / float64(pop.count(m)); share > worstShare {
			worst, worstShare = m, share
		}
	}
	return worst
}

// withMean returns m with metric's mean replaced by v (views' Means.with).
func withMean(m views.Means, metric views.Metric, v float64) views.Means {
	switch metric {
	case views.MetricAHT:
		m.AHT = v
	case views.MetricPSAT:
		m.PSAT, m.HasPSAT = v, true
	case views.MetricPRES:
		m.PRES, m.HasPRES = v, true
	}
	return m
}
