package outcomes

import "math"

// Basis says where an outcome figure comes from.
type Basis string

// The bases of an outcome figure.
const (
	BasisFeed    Basis = "feed"    // the feed's own predictions, used as given
	BasisLearned Basis = "learned" // learned predictions blended with labels
	BasisNone    Basis = "none"    // no figure
)

// Cell is the additive part of one target's blended figure for a group of
// interactions (an agent × inquiry cell, or any group): N interactions
// with a prediction and their sum, and among them Labels labelled ones
// with Pos positives and Exp the sum of their predictions. Cells of
// disjoint groups add.
type Cell struct {
	N      int64   `json:"n"`
	SumP   float64 `json:"sum_p"`
	Labels int64   `json:"labels"`
	Pos    int64   `json:"pos"`
	Exp    float64 `json:"exp"`
}

// PredictionGrid is the resolution every summed prediction is added at:
// 2^20 steps per unit (a grain of 2^-20 ≈ 9.5·10^-7). Learned predictions
// (Cell.Add) and the feed's predicted_satisfaction and predicted_resolution
// (views.Sums.Add) are both put on it, so one grid holds every prediction
// sum. A sum of N predictions in [0, 1] is at most N × 2^20 grid units, so
// float64 adds and subtracts them exactly, in any order, while N < 2^33
// (≈ 8.6·10^9 interactions in one sum).
const PredictionGrid = 1 << 20

// OnGrid returns p rounded to the nearest multiple of 1/PredictionGrid
// (halves away from zero): a change of at most 2^-21 ≈ 4.8·10^-7. Scaling
// by a power of two is exact, so the result is exact too.
func OnGrid(p float64) float64 { return math.Round(p*PredictionGrid) / PredictionGrid }

// Add adds one interaction's prediction p and, when labelled, its label.
// p is put on the grid first (OnGrid), so every sum of predictions below
// 2^33 of them is exact in float64 and the same bytes whatever order cells
// are added, merged and subtracted in: the reference adds them by record,
// the stores by bucket and hour, and tied figures must stay tied on both
// sides (quartile labels rank by exact equality).
func (c *Cell) Add(p float64, labelled, positive bool) {
	p = OnGrid(p)
	c.N++
	c.SumP += p
	if labelled {
		c.Labels++
		c.Exp += p
		if positive {
			c.Pos++
		}
	}
}

// Merge adds a disjoint group's cell.
func (c *Cell) Merge(o Cell) {
	c.N += o.N
	c.SumP += o.SumP
	c.Labels += o.Labels
	c.Pos += o.Pos
	c.Exp += o.Exp
}

// Sub removes a group's cell added before (a store replacing an
// interaction's cells). A float sum whose count reaches zero is reset to
// an exact zero, so no rounding residue stays behind.
func (c *Cell) Sub(o Cell) {
	c.N -= o.N
	c.SumP -= o.SumP
	c.Labels -= o.Labels
	c.Pos -= o.Pos
	c.Exp -= o.Exp
	if c.N <= 0 {
		*c = Cell{}
	} else if c.Labels <= 0 {
		c.Labels, c.Pos, c.Exp = 0, 0, 0
	}
}

// Blend returns clip((Pos + k)/(Exp + k) × SumP/N, 0, 1): the case mix
// predicted, the group's own outcomes taking over as labels mature. ok is
// false without predictions (N == 0).
func (c Cell) Blend(k float64) (float64, bool) {
	if c.N <= 0 {
		return 0, false
	}
	mean := c.SumP / float64(c.N)
	ratio := (float64(c.Pos) + k) / (c.Exp + k)
	v := float64(ratio * mean)
	return max(0, min(1, v)), true
}
