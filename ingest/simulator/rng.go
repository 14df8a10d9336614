package simulator

import "math"

// rng is a small, fast, deterministic pseudo-random source (SplitMix64).
// The simulator owns its generator instead of using math/rand so that the
// stream for a given seed never changes with the Go release: the output of
// `agentpulse simulate` is a function of its flags alone.
//
// An rng is not safe for concurrent use; every goroutine derives its own.
type rng struct {
	state uint64
	// spare holds the second normal deviate of the last Box-Muller pair.
	spare    float64
	hasSpare bool
}

const golden = 0x9e3779b97f4a7c15

// mix64 is the SplitMix64 finaliser: a bijective avalanche of x.
func mix64(x uint64) uint64 {
	x ^= x >> 30
	x *= 0xbf58476d1ce4e5b9
	x ^= x >> 27
	x *= 0x94d049bb133111eb
	x ^= x >> 31
	return x
}

// derive hashes a sequence of keys into one seed. It is order sensitive, so
// derive(s, tenant, agent, day) names one independent stream per
// (seed, tenant, agent, day), whatever goroutine generates it.
func derive(keys ...uint64) uint64 {
	h := uint64(0x5851f42d4c957f2d)
	for _, k := range keys {
		h = mix64(h ^ (k + golden))
	}
	return h
}

// reset reseeds r in place, so hot loops can reuse one value.
func (r *rng) reset(seed uint64) { *r = rng{state: seed} }

// uint64 returns the next 64 random bits.
func (r *rng) uint64() uint64 {
	r.state += golden
	return mix64(r.state)
}

// float64 returns a uniform value in [0, 1).
func (r *rng) float64() float64 { return float64(r.uint64()>>11) * 0x1p-53 }

// uniform returns a uniform value in [lo, hi).
func (r *rng) uniform(lo, hi float64) float64 { return lo + (hi-lo)*r.float64() }

// intn returns a uniform integer in [0, n); n must be positive.
func (r *rng) intn(n int) int { return int((r.uint64() >> 1) % uint64(n)) }

// norm returns a standard normal deviate (Box-Muller, both values used).
func (r *rng) norm() float64 {
	if r.hasSpare {
		r.hasSpare = false
		return r.spare
	}
	u := 1 - r.float64() // (0, 1]: log stays finite
	v := r.float64()
	m := math.Sqrt(-2 * math.Log(u))
	s, c := math.Sincos(2 * math.Pi * v)
	r.spare, r.hasSpare = m*s, true
	return m * c
}

// exp returns an exponential deviate with the given mean.
func (r *rng) exp(mean float64) float64 { return -mean * math.Log(1-r.float64()) }

// logUniform returns a value whose logarithm is uniform in [log lo, log hi):
// as many delays of minutes as of hours as of days.
func (r *rng) logUniform(lo, hi float64) float64 {
	return lo * math.Exp(r.float64()*math.Log(hi/lo))
}

// pick returns an index drawn with probability proportional to weights.
// The weights must not all be zero.
func (r *rng) pick(weights []float64) int {
	total := 0.0
	for _, w := range weights {
		total += w
	}
	x := r.float64() * total
	for i, w := range weights {
		if x < w {
			return i
		}
		x -= w
	}
	return len(weights) - 1
}
