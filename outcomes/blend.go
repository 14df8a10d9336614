package outcomes

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
	N      int64
	SumP   float64
	Labels int64
	Pos    int64
	Exp    float64
}

// Add adds one interaction's prediction p and, when labelled, its label.
func (c *Cell) Add(p float64, labelled, positive bool) {
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
