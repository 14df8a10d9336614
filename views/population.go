package views

import "slices"

// Member is one agent's Sums within a group (an inquiry or a model, over a
// range).
type Member struct {
	ID   string
	Sums Sums
}

// Population returns the members with at least p.MinVolume interactions,
// in input order: the benchmark population of DESIGN.md §1.
func Population(members []Member, p Params) []Member {
	p = p.WithDefaults()
	out := make([]Member, 0, len(members))
	for _, m := range members {
		if m.Sums.Volume >= p.MinVolume {
			out = append(out, m)
		}
	}
	return out
}

// TopAgent returns the population member (Volume ≥ p.MinVolume) with the
// lowest AES; ties go to the smallest ID. ok is false when the population
// is empty. Its figures are the "top" values of every metric.
func TopAgent(members []Member, p Params) (top Member, ok bool) {
	p = p.WithDefaults()
	var best float64
	for _, m := range members {
		if m.Sums.Volume < p.MinVolume {
			continue
		}
		aes, _ := m.Sums.AES(p.Floor)
		if !ok || aes < best || (aes == best && m.ID < top.ID) {
			top, best, ok = m, aes, true
		}
	}
	return top, ok
}

// Scored is one member's value of a metric.
type Scored struct {
	ID    string
	Value float64
}

// PopulationValues returns, for metric m, the values of the population
// members (Volume ≥ p.MinVolume) that have a value for m, in input order.
func PopulationValues(members []Member, m Metric, p Params) []Scored {
	p = p.WithDefaults()
	out := make([]Scored, 0, len(members))
	for _, mem := range members {
		if mem.Sums.Volume < p.MinVolume {
			continue
		}
		if v, ok := mem.Sums.Value(m, p.Floor); ok {
			out = append(out, Scored{ID: mem.ID, Value: v})
		}
	}
	return out
}

// MemberLabels labels, for metric m, every population member that has a
// value for m (see Labels); members below MinVolume or without a value are
// absent from the map.
func MemberLabels(members []Member, m Metric, p Params) map[string]Label {
	vals := PopulationValues(members, m, p)
	labels := Labels(vals, m)
	out := make(map[string]Label, len(vals))
	for i, v := range vals {
		out[v.ID] = labels[i]
	}
	return out
}

// values returns the Value fields.
func values(s []Scored) []float64 {
	out := make([]float64, len(s))
	for i, v := range s {
		out[i] = v.Value
	}
	return out
}

// sortBestFirst returns a sorted copy of vals, best first for m.
func sortBestFirst(vals []float64, m Metric) []float64 {
	out := slices.Clone(vals)
	slices.Sort(out)
	if !m.LowerIsBetter() {
		slices.Reverse(out)
	}
	return out
}
