package views

import (
	"github.com/agentpulse/agentpulse/outcomes"
	"github.com/agentpulse/agentpulse/schemas"
)

// Sums is the additive aggregate of a group of interactions: everything any
// group figure needs. Sums of disjoint groups Merge into the Sums of their
// union, so a store can keep one Sums per hour bucket and answer any
// hour-aligned range by merging buckets.
//
// Float sums depend on the order of addition unless every term is on a
// common dyadic grid: Add and Sub put each handle time on HandleGrid
// (1/1024 s) and each prediction on PredictionGrid (2^-20) first, so every
// sum is a whole number of grains and float64 adds and subtracts them
// exactly (see grid.go for the bounds). The reference adding interactions
// one by one, a store merging hour buckets, days and months in any
// grouping, ClickHouse's sum() over parts and a retraction all give the
// same bits, hence the same figures.
//
// The zero value is the empty group. Sums is a plain value, not safe for
// concurrent mutation.
type Sums struct {
	Volume    int64   `json:"volume"`     // number of interactions
	HandleSum float64 `json:"handle_sum"` // Σ OnHandleGrid(handle_time_s)
	PsatN     int64   `json:"psat_n"`     // interactions with predicted_satisfaction
	PsatSum   float64 `json:"psat_sum"`   // Σ OnPredictionGrid(predicted_satisfaction)
	PresN     int64   `json:"pres_n"`     // interactions with predicted_resolution
	PresSum   float64 `json:"pres_sum"`   // Σ OnPredictionGrid(predicted_resolution)
	// Lsat and Lres are the learned outcomes of the interactions without a
	// feed prediction (package outcomes): the predictions and labels the
	// blended psat/pres are computed from. Zero where nothing is learned.
	Lsat outcomes.Cell `json:"lsat,omitzero"`
	Lres outcomes.Cell `json:"lres,omitzero"`
}

// BlendK is the k of the blend clip((O + k)/(E + k) × mean p̂, 0, 1).
const BlendK = outcomes.DefaultBlendK

// AddLearned adds one interaction's learned satisfaction and resolution
// cells (each with N ≤ 1; see outcomes.Cell.Add), after Add.
func (s *Sums) AddLearned(sat, res outcomes.Cell) {
	s.Lsat.Merge(sat)
	s.Lres.Merge(res)
}

// Empty reports whether the Sums hold nothing: no interaction and no
// learned cell. A bucket part is empty when its interactions all moved
// away; the outcome learner's parts (store.LearnedPartition) have no
// interactions, only learned cells, and are not empty.
func (s Sums) Empty() bool { return s.Volume == 0 && s.Lsat.N == 0 && s.Lres.N == 0 }

// HasPSAT and HasPRES report whether the group has a satisfaction or
// resolution figure: a feed prediction or a learned cell.
func (s Sums) HasPSAT() bool { return s.PsatN > 0 || s.Lsat.N > 0 }

// HasPRES: see HasPSAT.
func (s Sums) HasPRES() bool { return s.PresN > 0 || s.Lres.N > 0 }

// Add adds one interaction to the group, its handle time and predictions
// put on their grids (OnHandleGrid, OnPredictionGrid). It is the one place
// raw interactions enter a sum: the reference, the processor's fold, a
// bucket part reloaded from the store and a plan's Start and Now all add
// through it.
func (s *Sums) Add(it *schemas.Interaction) {
	s.Volume++
	s.HandleSum += OnHandleGrid(it.HandleTimeS)
	if p := it.PredictedSatisfaction; p != nil {
		s.PsatN++
		s.PsatSum += OnPredictionGrid(*p)
	}
	if p := it.PredictedResolution; p != nil {
		s.PresN++
		s.PresSum += OnPredictionGrid(*p)
	}
}

// Sub removes one interaction previously added (a store replacing a
// revision). The values subtracted are those Add added, on the grid, so
// the result has the same bits as adding the remaining interactions.
func (s *Sums) Sub(it *schemas.Interaction) {
	s.Volume--
	s.HandleSum -= OnHandleGrid(it.HandleTimeS)
	if p := it.PredictedSatisfaction; p != nil {
		s.PsatN--
		s.PsatSum -= OnPredictionGrid(*p)
	}
	if p := it.PredictedResolution; p != nil {
		s.PresN--
		s.PresSum -= OnPredictionGrid(*p)
	}
}

// Merge adds the Sums of a disjoint group: exact when both are on the grid
// (OnGrid).
func (s *Sums) Merge(o Sums) {
	s.Volume += o.Volume
	s.HandleSum += o.HandleSum
	s.PsatN += o.PsatN
	s.PsatSum += o.PsatSum
	s.PresN += o.PresN
	s.PresSum += o.PresSum
	s.Lsat.Merge(o.Lsat)
	s.Lres.Merge(o.Lres)
}

// Unmerge removes the Sums of a group merged before (a store's cache
// dropping the hours that left a range). On the grid (OnGrid) this is
// exact: the result has the bits of merging what remains. A group left
// without interactions becomes the zero Sums, and a sum whose count
// reaches zero an exact zero, so Sums folded before the grid leave no
// residue behind either.
func (s *Sums) Unmerge(o Sums) {
	s.Volume -= o.Volume
	s.HandleSum -= o.HandleSum
	s.PsatN -= o.PsatN
	s.PsatSum -= o.PsatSum
	s.PresN -= o.PresN
	s.PresSum -= o.PresSum
	s.Lsat.Sub(o.Lsat)
	s.Lres.Sub(o.Lres)
	if s.Volume <= 0 {
		*s = Sums{}
		return
	}
	if s.PsatN <= 0 {
		s.PsatN, s.PsatSum = 0, 0
	}
	if s.PresN <= 0 {
		s.PresN, s.PresSum = 0, 0
	}
}

// Means are the group means of the three base metrics. HasPSAT and HasPRES
// are false when no interaction of the group carries that prediction.
type Means struct {
	AHT     float64
	PSAT    float64
	PRES    float64
	HasPSAT bool
	HasPRES bool
	// PSATBasis and PRESBasis say where the mean comes from: the feed's
	// predictions, learned ones (blended with labels), or none.
	// PSATLabels and PRESLabels count the labels behind a learned figure.
	PSATBasis, PRESBasis   outcomes.Basis
	PSATLabels, PRESLabels int64
}

// Means returns the group means; ok is false for an empty group.
// AHT = HandleSum/Volume; PSAT = PsatSum/PsatN when the group has feed
// predictions (used as given), else the blend of its learned ones
// (Lsat.Blend(BlendK)), else none; PRES likewise.
func (s Sums) Means() (m Means, ok bool) {
	if s.Volume <= 0 {
		return Means{}, false
	}
	m.AHT = s.HandleSum / float64(s.Volume)
	m.PSAT, m.HasPSAT, m.PSATBasis, m.PSATLabels = outcomeMean(s.PsatN, s.PsatSum, s.Lsat)
	m.PRES, m.HasPRES, m.PRESBasis, m.PRESLabels = outcomeMean(s.PresN, s.PresSum, s.Lres)
	return m, true
}

// outcomeMean is one outcome's group mean and its basis: the feed's mean
// when any interaction of the group carries the prediction, else the
// learned blend, else none.
func outcomeMean(n int64, sum float64, learned outcomes.Cell) (float64, bool, outcomes.Basis, int64) {
	if n > 0 {
		return sum / float64(n), true, outcomes.BasisFeed, 0
	}
	if v, ok := learned.Blend(BlendK); ok {
		return v, true, outcomes.BasisLearned, learned.Labels
	}
	return 0, false, outcomes.BasisNone, 0
}

// AES returns AHT / (f(PSAT) × f(PRES)) where f(x) = max(floor, x) when
// the group has that prediction and 1 when it has none: a ratio of means,
// never a mean of ratios. Without predictions AES == AHT exactly. A store
// that evaluates this same expression on the same Sums gets the same bits.
func (m Means) AES(floor float64) float64 {
	return m.AHT / (outcomeFactor(m.PSAT, m.HasPSAT, floor) * outcomeFactor(m.PRES, m.HasPRES, floor))
}

// Value returns the mean for metric m (AES with floor); ok is false when the
// group has no value for it (psat/pres without predictions, unknown metric).
func (m Means) Value(metric Metric, floor float64) (float64, bool) {
	switch metric {
	case MetricAES:
		return m.AES(floor), true
	case MetricAHT:
		return m.AHT, true
	case MetricPSAT:
		return m.PSAT, m.HasPSAT
	case MetricPRES:
		return m.PRES, m.HasPRES
	}
	return 0, false
}

// with returns m with metric's mean replaced by v (AES cannot be replaced).
func (m Means) with(metric Metric, v float64) Means {
	switch metric {
	case MetricAHT:
		m.AHT = v
	case MetricPSAT:
		m.PSAT, m.HasPSAT = v, true
	case MetricPRES:
		m.PRES, m.HasPRES = v, true
	}
	return m
}

func outcomeFactor(mean float64, has bool, floor float64) float64 {
	if !has {
		return 1
	}
	return max(floor, mean)
}

// AHT is the mean handle time; ok is false for an empty group.
func (s Sums) AHT() (float64, bool) { return s.Value(MetricAHT, DefaultFloor) }

// PSAT is the mean predicted satisfaction; ok is false when no interaction
// of the group has one.
func (s Sums) PSAT() (float64, bool) { return s.Value(MetricPSAT, DefaultFloor) }

// PRES is the mean predicted resolution; ok is false when no interaction
// of the group has one.
func (s Sums) PRES() (float64, bool) { return s.Value(MetricPRES, DefaultFloor) }

// AES is the group's Agent Effectiveness Score with the given floor; ok is
// false for an empty group.
func (s Sums) AES(floor float64) (float64, bool) { return s.Value(MetricAES, floor) }

// Value returns the group figure for metric m; ok is false when the group
// has none (empty group, or psat/pres without predictions).
func (s Sums) Value(m Metric, floor float64) (float64, bool) {
	means, ok := s.Means()
	if !ok {
		return 0, false
	}
	return means.Value(m, floor)
}

// Figures is a group's volume and its four figures, the JSON shape of an
// agent's overall figures; a figure the group has no value for is null.
type Figures struct {
	Volume int64    `json:"volume"`
	AES    *float64 `json:"aes"`
	AHT    *float64 `json:"aht"`
	PSAT   *float64 `json:"psat"`
	PRES   *float64 `json:"pres"`
	// PSATBasis and PRESBasis say where a non-null psat/pres comes from
	// (feed or learned); PSATLabels and PRESLabels count the outcome
	// labels behind a learned one. Absent with a null figure.
	PSATBasis  outcomes.Basis `json:"psat_basis,omitempty"`
	PRESBasis  outcomes.Basis `json:"pres_basis,omitempty"`
	PSATLabels int64          `json:"psat_labels,omitempty"`
	PRESLabels int64          `json:"pres_labels,omitempty"`
}

// Figures returns the group's Figures with the given AES floor.
func (s Sums) Figures(floor float64) Figures {
	f := Figures{Volume: s.Volume}
	means, ok := s.Means()
	if !ok {
		return f
	}
	f.AES = ptr(means.AES(floor))
	f.AHT = ptr(means.AHT)
	if means.HasPSAT {
		f.PSAT, f.PSATBasis, f.PSATLabels = ptr(means.PSAT), means.PSATBasis, means.PSATLabels
	}
	if means.HasPRES {
		f.PRES, f.PRESBasis, f.PRESLabels = ptr(means.PRES), means.PRESBasis, means.PRESLabels
	}
	return f
}

// ModelMetrics returns the metrics a model has, given the Sums of all of
// the tenant's interactions of that model (all time, not one range): aes
// and aht always (for a model with any data), psat when any interaction has
// predicted_satisfaction, pres likewise. Canonical order. Empty Sums → nil.
func ModelMetrics(all Sums) []Metric {
	if all.Volume <= 0 {
		return nil
	}
	ms := []Metric{MetricAES, MetricAHT}
	if all.HasPSAT() {
		ms = append(ms, MetricPSAT)
	}
	if all.HasPRES() {
		ms = append(ms, MetricPRES)
	}
	return ms
}

// HasMetric reports whether m is in ms.
func HasMetric(ms []Metric, m Metric) bool {
	for _, x := range ms {
		if x == m {
			return true
		}
	}
	return false
}

func ptr[T any](v T) *T { return &v }
