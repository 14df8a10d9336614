package storetest

import (
	"strings"
	"testing"
	"time"

	"github.com/agentpulse/agentpulse/schemas"
)

// t0 is the suite's "now": 2026-03-10 14:30 UTC.
var t0 = time.Date(2026, 3, 10, 14, 30, 0, 0, time.UTC)

// Zones as schemas.ParseTimestamp makes them: time.UTC for Z, unnamed fixed
// zones otherwise.
var (
	zoneKolkata = time.FixedZone("", 5*3600+30*60)
	zoneMinus5  = time.FixedZone("", -5*3600)
	zoneMax     = time.FixedZone("", 23*3600+59*60)
	zoneMin     = time.FixedZone("", -(23*3600 + 59*60))
)

func f64(v float64) *float64 { return &v }

// ix returns a valid voice interaction of tenant with every optional field
// set; tests change what they need. The team is "team-" + agent.
func ix(tenant, id string, rev int64, agent, inquiry string, ended time.Time) schemas.Interaction {
	return schemas.Interaction{
		TenantID:              tenant,
		InteractionID:         id,
		Revision:              rev,
		Model:                 "voice",
		AgentID:               agent,
		TeamID:                "team-" + agent,
		Inquiry:               inquiry,
		StartedAt:             ended.Add(-7 * time.Minute),
		EndedAt:               ended,
		HandleTimeS:           float64(240 + 10*rev),
		PredictedSatisfaction: f64(0.8),
		PredictedResolution:   f64(0.625),
		Source:                "simulator",
		SourceRefs:            refs(map[string]string{"contact_id": "c-" + id}),
		Attributes:            attrs(map[string]any{"queue": "main", "priority": 2.0, "vip": true, "note": nil}),
	}
}

// refs and attrs make a fixture's source_refs and attributes; they panic
// on a map the schema refuses (a fixture bug).
func refs(m map[string]string) schemas.SourceRefs {
	r, err := schemas.MakeSourceRefs(m)
	if err != nil {
		panic(err)
	}
	return r
}

func attrs(m map[string]any) schemas.Attributes {
	a, err := schemas.MakeAttributes(m)
	if err != nil {
		panic(err)
	}
	return a
}

// mustValid fails the test when a fixture is not a valid interaction: the
// suite only stores what the decoder could have produced.
func mustValid(t testing.TB, its ...schemas.Interaction) {
	t.Helper()
	for i := range its {
		if err := its[i].Validate(); err != nil {
			t.Fatalf("fixture %s/%s is invalid: %v", its[i].TenantID, its[i].InteractionID, err)
		}
	}
}

// tricky returns interactions that stress every column: quotes,
// backslashes and question marks in ids, non-ASCII inquiries, extreme zone
// offsets, nanoseconds, absent and boundary predictions, boundary handle
// times, unicode and empty map values, numbers at ±(2^53-1).
func tricky(tenant, agent, inquiry string) []schemas.Interaction {
	base := time.Date(2026, 2, 28, 23, 59, 59, 999999999, time.UTC)
	var out []schemas.Interaction
	add := func(id string, edit func(*schemas.Interaction)) {
		it := ix(tenant, id, 1, agent, inquiry, base.Add(-time.Duration(len(out))*time.Hour))
		edit(&it)
		out = append(out, it)
	}
	add(`q'uote"d\back?slash`, func(it *schemas.Interaction) {
		it.EndedAt = it.EndedAt.In(zoneMax)
		it.StartedAt = it.EndedAt.Add(-time.Nanosecond).In(zoneMin)
	})
	add("email-no-predictions", func(it *schemas.Interaction) {
		it.PredictedSatisfaction, it.PredictedResolution = nil, nil
		it.SourceRefs, it.Attributes = schemas.SourceRefs{}, schemas.Attributes{}
		it.HandleTimeS = 0
	})
	add("bounds", func(it *schemas.Interaction) {
		it.PredictedSatisfaction, it.PredictedResolution = f64(0), f64(1)
		it.HandleTimeS = 86400
		it.StartedAt = it.EndedAt.Add(-24 * time.Hour).In(zoneKolkata)
		it.Attributes = attrs(map[string]any{"max": 9007199254740991.0, "min": -9007199254740991.0, "tiny": 1e-7, "empty": "", "no": false})
		hold, wait, transfers := 86400.0, 2592000.0, int64(1000)
		it.HoldS, it.QueueWaitS, it.Transfers = &hold, &wait, &transfers
		it.CustomerKey, it.ChainID, it.Initiation = `k'"\?`+strings.Repeat("k", 123), strings.Repeat("c", 256), schemas.InitiationCallback
	})
	add("inputs-zero", func(it *schemas.Interaction) {
		zero, tiny, none := 0.0, 5e-324, int64(0)
		it.HoldS, it.QueueWaitS, it.Transfers = &zero, &tiny, &none
		it.CustomerKey, it.ChainID, it.Initiation = "k", "c", schemas.InitiationInbound
	})
	add("fractions", func(it *schemas.Interaction) {
		it.PredictedSatisfaction, it.PredictedResolution = f64(5e-324), nil
		it.HandleTimeS = 0.1
		it.EndedAt = it.EndedAt.Add(123456789).In(zoneMinus5)
		it.StartedAt = it.EndedAt
		it.SourceRefs = refs(map[string]string{"contact_arn": "arn:aws:connect:eu-west-2:1:instance/x/contact/ü-√", "empty": ""})
		it.Attributes = attrs(map[string]any{"名前": "値 ✓", `quote"key`: `back\slash`, "nul": nil})
	})
	add("0", func(it *schemas.Interaction) {
		it.Revision = 9007199254740991
		it.HandleTimeS = 61.5
		it.Source = "amazon-connect"
	})
	return out
}

// ixs is a literal list of interactions.
func ixs(its ...schemas.Interaction) []schemas.Interaction { return its }
