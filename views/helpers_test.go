package views

import (
	"time"

	"github.com/agentpulse/agentpulse/schemas"
)

// rec builds an interaction with the given handle time and optional
// predictions (negative means absent).
func rec(handle, psat, pres float64) *schemas.Interaction {
	it := &schemas.Interaction{
		TenantID: "t1", InteractionID: "i", Revision: 1, Model: "voice",
		AgentID: "a1", TeamID: "team1", Inquiry: "billing",
		StartedAt:   time.Date(2026, 1, 1, 10, 0, 0, 0, time.UTC),
		EndedAt:     time.Date(2026, 1, 1, 10, 5, 0, 0, time.UTC),
		HandleTimeS: handle, Source: "api",
	}
	if psat >= 0 {
		it.PredictedSatisfaction = &psat
	}
	if pres >= 0 {
		it.PredictedResolution = &pres
	}
	return it
}

// sumsOf adds the interactions in order.
func sumsOf(its ...*schemas.Interaction) Sums {
	var s Sums
	for _, it := range its {
		s.Add(it)
	}
	return s
}

// means builds Sums of volume n with the given means (psat/pres < 0:
// absent).
func means(n int64, aht, psat, pres float64) Sums {
	s := Sums{Volume: n, HandleSum: aht * float64(n)}
	if psat >= 0 {
		s.PsatN, s.PsatSum = n, psat*float64(n)
	}
	if pres >= 0 {
		s.PresN, s.PresSum = n, pres*float64(n)
	}
	return s
}
