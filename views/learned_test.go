package views

import (
	"math"
	"testing"

	"github.com/agentpulse/agentpulse/outcomes"
	"github.com/agentpulse/agentpulse/schemas"
)

// TestLearnedOutcomes: a group without feed predictions takes psat/pres
// from the blend of its learned cells; feed predictions win where present.
func TestLearnedOutcomes(t *testing.T) {
	var s Sums
	for i, h := range []float64{100, 300} {
		s.Add(&schemas.Interaction{HandleTimeS: h})
		var sat, res outcomes.Cell
		sat.Add(0.5, i == 0, true)  // one survey, satisfied
		res.Add(0.75, true, i == 1) // two resolution labels, one resolved (0.75: on the 2^-20 grid)
		s.AddLearned(sat, res)
	}
	m, ok := s.Means()
	if !ok {
		t.Fatal("no means")
	}
	// psat = (1+10)/(0.5+10) × 0.5 = 11/21; pres = (1+10)/(1.5+10) × 0.75.
	wantSat, wantRes := float64(11.0/10.5)*0.5, float64(11.0/11.5)*0.75
	if math.Abs(m.PSAT-wantSat) > 1e-15 || m.PSATBasis != outcomes.BasisLearned || m.PSATLabels != 1 {
		t.Fatalf("psat %v %s %d, want %v learned 1", m.PSAT, m.PSATBasis, m.PSATLabels, wantSat)
	}
	if math.Abs(m.PRES-wantRes) > 1e-15 || m.PRESBasis != outcomes.BasisLearned || m.PRESLabels != 2 {
		t.Fatalf("pres %v %s %d, want %v learned 2", m.PRES, m.PRESBasis, m.PRESLabels, wantRes)
	}
	if aes := m.AES(DefaultFloor); math.Abs(aes-200/(m.PSAT*m.PRES)) > 1e-12 {
		t.Fatalf("AES %v", aes)
	}
	if ms := ModelMetrics(s); len(ms) != 4 {
		t.Fatalf("model metrics %v, want aes aht psat pres", ms)
	}
	f := s.Figures(DefaultFloor)
	if f.PSATBasis != outcomes.BasisLearned || f.PSATLabels != 1 || f.PRESLabels != 2 {
		t.Fatalf("figures %+v", f)
	}
	// A feed prediction in the group: used as given.
	p := 0.9
	s.Add(&schemas.Interaction{HandleTimeS: 200, PredictedSatisfaction: &p})
	if m, _ := s.Means(); m.PSAT != OnPredictionGrid(0.9) || m.PSATBasis != outcomes.BasisFeed {
		t.Fatalf("feed psat %v %s", m.PSAT, m.PSATBasis)
	}
	// Merge carries the cells.
	var all Sums
	all.Merge(s)
	if all.Lres != s.Lres || all.Lsat != s.Lsat {
		t.Fatal("merge dropped learned cells")
	}
	var none Sums
	none.Add(&schemas.Interaction{HandleTimeS: 10})
	if m, _ := none.Means(); m.HasPSAT || m.PSATBasis != outcomes.BasisNone || m.AES(DefaultFloor) != 10 {
		t.Fatalf("no outcomes: %+v", m)
	}
}
