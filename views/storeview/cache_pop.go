package storeview

import (
	"cmp"
	"slices"

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
// per metric, ascending: AES as (value, agent id), so the top agent is
// the first; the other metrics as bare values. It is what labels (ranks
// by binary search), medians and the top agent need. Values are computed
// from the member's Sums by views' one expression, so removing a member
// finds the very bits inserted. An aesOnly index (model-level labels)
// keeps AES alone. The lists are sortedLists: an update costs O(block),
// not O(population).
type popIndex struct {
	aes     sortedList[scored]
	vals    [3]sortedList[float64] // aht, psat, pres
	aesOnly bool
}

// init sets the lists' orders; the zero popIndex calls it lazily.
func (p *popIndex) init() {
	if p.aes.cmp == nil {
		p.aes.cmp = cmpScored
		for i := range p.vals {
			p.vals[i].cmp = cmp.Compare[float64]
		}
	}
}

// update inserts or removes a member's values.
func (p *popIndex) update(id string, s views.Sums, insert bool, params views.Params) {
	if s.Volume < params.MinVolume {
		return
	}
	means, ok := s.Means()
	if !ok {
		return
	}
	p.init()
	e := scored{means.AES(params.Floor), id}
	switch {
	case insert && !p.aes.contains(e):
		p.aes.insert(e)
	case !insert:
		p.aes.remove(e)
	}
	if p.aesOnly {
		return
	}
	for i, m := range allMetrics[1:] {
		v, ok := means.Value(m, params.Floor)
		if !ok {
			continue
		}
		if insert {
			p.vals[i].insert(v)
		} else {
			p.vals[i].remove(v)
		}
	}
}

// popBuilder collects a popIndex's members before one sort (bulk build).
type popBuilder struct {
	aes  []scored
	vals [3][]float64
}

// appendMember appends a member's values without sorting (bulk build;
// build after).
func (b *popBuilder) appendMember(id string, s views.Sums, aesOnly bool, params views.Params) {
	if s.Volume < params.MinVolume {
		return
	}
	means, ok := s.Means()
	if !ok {
		return
	}
	b.aes = append(b.aes, scored{means.AES(params.Floor), id})
	if aesOnly {
		return
	}
	for i, m := range allMetrics[1:] {
		if v, ok := means.Value(m, params.Floor); ok {
			b.vals[i] = append(b.vals[i], v)
		}
	}
}

// build sorts the collected values into p.
func (b *popBuilder) build(p *popIndex) {
	p.init()
	slices.SortFunc(b.aes, cmpScored)
	p.aes.reset(b.aes)
	for i := range b.vals {
		slices.Sort(b.vals[i])
		p.vals[i].reset(b.vals[i])
	}
}

// at returns the i-th smallest value of m.
func (p *popIndex) at(m views.Metric, i int) float64 {
	if m == views.MetricAES {
		return p.aes.at(i).v
	}
	return p.vals[metricIndex(m)-1].at(i)
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
func (p *popIndex) size() int { return p.aes.len() }

// count is the number of population members with a value for m.
func (p *popIndex) count(m views.Metric) int {
	if m == views.MetricAES {
		return p.aes.len()
	}
	return p.vals[metricIndex(m)-1].len()
}

// search is sort.Search over m's ascending values.
func (p *popIndex) search(m views.Metric, pred func(float64) bool) int {
	if m == views.MetricAES {
		return p.aes.search(func(e scored) bool { return pred(e.v) })
	}
	return p.vals[metricIndex(m)-1].search(pred)
}

// rank is views.Rank of value against the population's values of m: the
// number of values strictly better.
func (p *popIndex) rank(value float64, m views.Metric) int {
	if m.LowerIsBetter() {
		return p.search(m, func(x float64) bool { return x >= value })
	}
	return p.count(m) - p.search(m, func(x float64) bool { return x > value })
}

// median is views.Median of the population's values of m.
func (p *popIndex) median(m views.Metric) (float64, bool) {
	n := p.count(m)
	if n == 0 {
		return 0, false
	}
	if n%2 == 1 {
		return p.at(m, n/2), true
	}
	return (p.at(m, n/2-1) + p.at(m, n/2)) / 2, true
}

// top is views.TopAgent's choice: the lowest AES, ties by smallest id
// (the AES list's first element).
func (p *popIndex) top() (string, bool) {
	if p.aes.len() == 0 {
		return "", false
	}
	return p.aes.at(0).id, true
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
func perfFromIndex(inquiry string, own views.Sums, pop *popIndex, topID string, topSums views.Sums, hasTop bool, all, team views.Sums, agentModelVolume int64, metrics []views.Metric, params views.Params) views.InquiryPerf {
	perf := views.InquiryPerf{Inquiry: inquiry, Volume: own.Volume}
	if hasTop {
		perf.TopAgent = &topID
	}
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
		f.SetBasis(m, own)
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
