package reference

import (
	"testing"

	"github.com/agentpulse/agentpulse/schemas"
	"github.com/agentpulse/agentpulse/views"
)

func TestRevisionHighestWins(t *testing.T) {
	r1 := ix("x1", "a", "T1", "billing", "2026-05-31T08:00:00Z", 100, .8, .5)
	r3 := with(r1, func(it *schemas.Interaction) { it.Revision = 3; it.Inquiry = "tech"; it.HandleTimeS = 30 })
	r2 := with(r1, func(it *schemas.Interaction) { it.Revision = 2; it.HandleTimeS = 999 })
	for _, order := range [][]schemas.Interaction{{r1, r3, r2}, {r3, r2, r1}, {r2, r1, r3}} {
		d := New(order, params2)
		recs := d.Records()
		if len(recs) != 1 || recs[0].Revision != 3 || recs[0].Inquiry != "tech" || recs[0].HandleTimeS != 30 {
			t.Fatalf("kept %+v", recs)
		}
	}
	// The same interaction_id in another tenant is another interaction.
	other := with(r1, func(it *schemas.Interaction) { it.TenantID = "t2" })
	if n := New([]schemas.Interaction{r1, r3, other}, params2).Len(); n != 2 {
		t.Fatalf("Len = %d, want 2", n)
	}
}

func TestEqualRevisionChangesNothing(t *testing.T) {
	base := scenario()
	redelivered := append(scenario(), scenario()[3], scenario()[0], scenario()[0])
	want := answers(New(base, params2))
	if d := views.ApproxDiff(answers(New(redelivered, params2)), want); d != nil {
		t.Fatalf("a redelivery changed answers: %v", d)
	}
	// Equal revision with different content (a producer bug): the record
	// with the smaller canonical JSON is kept, in any input order.
	x := ix("x1", "a", "T1", "billing", "2026-05-31T08:00:00Z", 100, .8, .5)
	y := with(x, func(it *schemas.Interaction) { it.HandleTimeS = 200 }) // "handle_time_s":100 < …200
	for _, order := range [][]schemas.Interaction{{x, y}, {y, x}} {
		if recs := New(order, params2).Records(); recs[0].HandleTimeS != 100 {
			t.Fatalf("kept %v", recs[0].HandleTimeS)
		}
	}
}

func TestDatasetCopiesInput(t *testing.T) {
	in := scenario()
	d := New(in, params2)
	*in[0].PredictedSatisfaction = 0
	in[0].HandleTimeS = 1e6
	recs := d.Records()
	if recs[0].HandleTimeS != 100 || *recs[0].PredictedSatisfaction != .8 {
		t.Fatal("the dataset shares memory with its input")
	}
}
