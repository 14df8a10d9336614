package views

import (
	"cmp"

	"github.com/agentpulse/agentpulse/schemas"
)

// CompareNewestFirst orders interactions newest first: by ended_at
// descending (as instants), then interaction_id descending. It is the
// order of "recent" lists, of Now's window, and of "most recent
// interaction" (an agent's team is the team_id of the first one).
func CompareNewestFirst(a, b *schemas.Interaction) int {
	return cmp.Or(b.EndedAt.Compare(a.EndedAt), cmp.Compare(b.InteractionID, a.InteractionID))
}

// InteractionValue is one interaction's own value of metric m: handle time
// for aht, the prediction for psat and pres (ok false without one), and for
// aes handle_time_s / (f(psat) × f(pres)), the AES of a group of one. It
// uses the values as ingested, not put on the sums' grid: it ranks the
// review list, which shows each interaction's own values (and ClickHouse
// orders that list by the stored columns).
func InteractionValue(it *schemas.Interaction, m Metric, floor float64) (float64, bool) {
	means := Means{AHT: it.HandleTimeS}
	if p := it.PredictedSatisfaction; p != nil {
		means.PSAT, means.HasPSAT = *p, true
	}
	if p := it.PredictedResolution; p != nil {
		means.PRES, means.HasPRES = *p, true
	}
	return means.Value(m, floor)
}

// CompareWorstFirst returns the order of the "poorest interactions" review
// list for metric m: the worst value first (longest handle time for aht,
// highest single-interaction AES for aes, lowest prediction for psat and
// pres), equal values newest first (CompareNewestFirst). Interactions
// without a value for m sort last; callers usually drop them.
func CompareWorstFirst(m Metric, floor float64) func(a, b *schemas.Interaction) int {
	return func(a, b *schemas.Interaction) int {
		va, oka := InteractionValue(a, m, floor)
		vb, okb := InteractionValue(b, m, floor)
		switch {
		case oka && !okb:
			return -1
		case !oka && okb:
			return 1
		case oka && okb:
			if m.Better(vb, va) {
				return -1
			}
			if m.Better(va, vb) {
				return 1
			}
		}
		return CompareNewestFirst(a, b)
	}
}
