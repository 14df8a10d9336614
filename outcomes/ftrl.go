package outcomes

import "math"

// ftrl is FTRL-Proximal logistic regression over a fixed table of hashed
// coordinates (McMahan et al. 2013, algorithm 1). z and n are the
// per-coordinate state; the weight of a coordinate is derived from them on
// demand. Features are binary (one-hot), so x_i = 1 for every listed index.
// Not safe for concurrent use.
type ftrl struct {
	alpha, beta, l1, l2 float64
	z, n                []float64
}

func newFTRL(c Config) ftrl {
	size := 1 << c.TableBits
	return ftrl{
		alpha: c.Alpha, beta: c.Beta, l1: c.L1, l2: c.L2,
		z: make([]float64, size), n: make([]float64, size),
	}
}

// weight is coordinate i's weight: 0 inside the L1 ball, else the closed
// form of the proximal step.
func (m *ftrl) weight(i uint32) float64 {
	z := m.z[i]
	if math.Abs(z) <= m.l1 {
		return 0
	}
	sign := 1.0
	if z < 0 {
		sign = -1
	}
	denom := float64((m.beta+math.Sqrt(m.n[i]))/m.alpha) + m.l2
	return -float64(z-float64(sign*m.l1)) / denom
}

// predict returns σ(Σ w_i) over the feature indices, in their order.
func (m *ftrl) predict(idx []uint32) float64 {
	var wx float64
	for _, i := range idx {
		wx += m.weight(i)
	}
	return sigmoid(wx)
}

// update takes one gradient step for label y (0 or 1) given p, the
// model's prediction for idx just before (predict(idx)). Indices are
// updated in their order; a repeated index is updated twice, the same way
// on every run.
func (m *ftrl) update(idx []uint32, p, y float64) {
	g := p - y
	g2 := float64(g * g)
	for _, i := range idx {
		w := m.weight(i)
		n := m.n[i]
		sigma := (math.Sqrt(n+g2) - math.Sqrt(n)) / m.alpha
		m.z[i] += g - float64(sigma*w)
		m.n[i] = n + g2
	}
}

// sigmoid is 1/(1+e^−x) with x clamped to ±35 so that p stays inside (0,1).
func sigmoid(x float64) float64 {
	x = max(-35, min(35, x))
	return 1 / (1 + math.Exp(-x))
}

// logLoss is the log-loss of prediction p for label y, p clamped to
// [1e-6, 1−1e-6].
func logLoss(p float64, y bool) float64 {
	p = max(1e-6, min(1-1e-6, p))
	if y {
		return -math.Log(p)
	}
	return -math.Log(1 - p)
}
