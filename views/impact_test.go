package views

import (
	"slices"
	"testing"
)

func TestImpactFormula(t *testing.T) {
	// Agent on the inquiry: handles 100, 300 → AES = AHT = 200 (email).
	// All agents on it: 100, 300, 100, 100 → 150. Agent's model volume 8.
	// impact = 2/8 × (200 − 150) = 12.5.
	agent := sumsOf(rec(100, -1, -1), rec(300, -1, -1))
	all := sumsOf(rec(100, -1, -1), rec(300, -1, -1), rec(100, -1, -1), rec(100, -1, -1))
	got, ok := Impact(agent, 8, all, 0.05)
	if !ok || got != 12.5 {
		t.Fatalf("Impact = %v, %v; want 12.5", got, ok)
	}
	if _, ok := Impact(Sums{}, 8, all, 0.05); ok {
		t.Fatal("Impact without agent data must be absent")
	}
}

func TestImpactRanking(t *testing.T) {
	items := []InquiryImpact{
		{"a", 10, -5}, {"b", 10, -5}, // tie: a before b
		{"c", 10, -1},  // 4th negative: left out
		{"d", 10, -7},  // most negative
		{"e", 4, -100}, // below MinVolume: never ranked
		{"f", 5, 0},    // zero: in neither list
		{"h", 6, 3},    // tie with g: g first
		{"g", 6, 3},    //
		{"i", 5, 1},    //
		{"j", 5, 0.5},  // 4th positive: left out
		{"k", 1, 1000}, // below MinVolume
	}
	top, work := RankImpacts(items, DefaultParams())
	if want := []string{"d", "a", "b"}; !slices.Equal(top, want) {
		t.Errorf("top = %v, want %v", top, want)
	}
	if want := []string{"g", "h", "i"}; !slices.Equal(work, want) {
		t.Errorf("work on = %v, want %v", work, want)
	}
	top, work = RankImpacts(items[:1], DefaultParams())
	if !slices.Equal(top, []string{"a"}) || len(work) != 0 {
		t.Errorf("single item: top %v, work %v", top, work)
	}
}
