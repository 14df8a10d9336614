package views

import (
	"math"

	"github.com/agentpulse/agentpulse/outcomes"
)

// HandleGrid is the resolution handle times are summed at: 2^10 steps per
// second, a grain of 1/1024 s ≈ 0.98 ms. Sums.Add and Sums.Sub put each
// interaction's handle_time_s on it (OnHandleGrid) before adding, so
// HandleSum is a whole number of grains, and float64 adds and subtracts
// such sums exactly, in any order, while the total stays below 2^53
// grains = 2^43 s ≈ 8.8·10^12 s. A year of a 50,000-agent center handling
// around the clock is 1.6·10^12 s; 25 months of it 3.3·10^12 s.
const HandleGrid = 1 << 10

// PredictionGrid is the resolution predicted_satisfaction and
// predicted_resolution are summed at: the grid of the learned predictions
// (outcomes.PredictionGrid, 2^20 steps per unit), exact below 2^33
// interactions in one sum.
const PredictionGrid = outcomes.PredictionGrid

// OnHandleGrid returns h rounded to the nearest multiple of 1/HandleGrid
// (halves away from zero): a change of at most 2^-11 s ≈ 0.49 ms. Scaling
// by a power of two is exact, so the result is exact too.
func OnHandleGrid(h float64) float64 { return math.Round(h*HandleGrid) / HandleGrid }

// OnPredictionGrid returns p rounded to the nearest multiple of
// 1/PredictionGrid (outcomes.OnGrid): a change of at most 2^-21 ≈ 4.8·10^-7.
func OnPredictionGrid(p float64) float64 { return outcomes.OnGrid(p) }

// OnGrid reports whether HandleSum, PsatSum and PresSum are whole numbers
// of their grid's grains, as Sums built by Add, Sub and Merge always are.
// Sums folded before the grid existed may not be. (Learned cells are on
// the grid of outcomes.Cell, which was 2^-24 before it was 2^-20: both
// sum exactly.)
func (s Sums) OnGrid() bool {
	return onGrid(s.HandleSum, HandleGrid) && onGrid(s.PsatSum, PredictionGrid) && onGrid(s.PresSum, PredictionGrid)
}

func onGrid(v float64, grid float64) bool {
	x := v * grid
	return x == math.Trunc(x) && math.Abs(x) < 1<<53
}
