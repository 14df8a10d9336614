package reference

import (
	"time"

	"github.com/agentpulse/agentpulse/schemas"
	"github.com/agentpulse/agentpulse/views"
)

// none marks an absent prediction.
const none = -1.0

// ix builds a voice interaction of tenant t1, revision 1.
func ix(id, agent, team, inquiry, ended string, handle, psat, pres float64) schemas.Interaction {
	end := ts(ended)
	it := schemas.Interaction{
		TenantID: "t1", InteractionID: id, Revision: 1, Model: "voice",
		AgentID: agent, TeamID: team, Inquiry: inquiry,
		StartedAt: end.Add(-time.Duration(handle) * time.Second), EndedAt: end,
		HandleTimeS: handle, Source: "api",
	}
	if psat != none {
		it.PredictedSatisfaction = &psat
	}
	if pres != none {
		it.PredictedResolution = &pres
	}
	return it
}

// with returns it changed by f.
func with(it schemas.Interaction, f func(*schemas.Interaction)) schemas.Interaction {
	it = clone(it)
	f(&it)
	return it
}

func ts(s string) time.Time {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		panic(err)
	}
	return t
}

func f64(v float64) *float64 { return &v }

func str(s string) *string { return &s }

func label(l views.Label) *views.Label { return &l }

// params2 uses MinVolume 2 so that hand-computed scenarios stay small.
var params2 = views.Params{MinVolume: 2, Floor: 0.05}
