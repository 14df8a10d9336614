package simulator

import (
	"context"
	"testing"

	"github.com/agentpulse/agentpulse/schemas"
)

// TestLiveCustomersAndSurveys: live interactions carry the inputs, survey
// answers arrive once answered (observed_at passed on the clock), each
// about an emitted interaction, about one in ten, and the same run gives
// the same answers.
func TestLiveCustomersAndSurveys(t *testing.T) {
	run := func() ([]schemas.Interaction, []schemas.Outcome) {
		cfg := liveConfig(1000, liveStart)
		cfg.Count = 5000
		clock := cfg.Clock.(*stepClock)
		var its []schemas.Interaction
		var outs []schemas.Outcome
		cfg.Outcomes = func(os []schemas.Outcome) error {
			for _, o := range os {
				if o.ObservedAt.After(clock.Now()) && len(its) < int(cfg.Count) {
					t.Errorf("survey %s released at %s before it was answered", o.AppendJSON(nil), clock.Now())
				}
			}
			outs = append(outs, os...)
			return nil
		}
		l, err := NewLive(cfg)
		if err != nil {
			t.Fatal(err)
		}
		if err := l.Run(context.Background(), func(b []schemas.Interaction) error { its = append(its, b...); return nil }); err != nil {
			t.Fatal(err)
		}
		return its, outs
	}
	its, outs := run()
	byID := map[string]bool{}
	for i := range its {
		it := &its[i]
		if err := it.Validate(); err != nil {
			t.Fatal(err)
		}
		if it.CustomerKey == "" || it.ChainID != it.InteractionID || it.QueueWaitS == nil || it.Transfers == nil {
			t.Fatalf("inputs missing: %s", it.AppendJSON(nil))
		}
		byID[it.InteractionID] = true
	}
	for i := range outs {
		if err := outs[i].Validate(); err != nil || !byID[outs[i].InteractionID] {
			t.Fatalf("outcome %s: %v", outs[i].AppendJSON(nil), err)
		}
	}
	if rate := float64(len(outs)) / float64(len(its)); rate < 0.07 || rate > 0.13 {
		t.Errorf("survey rate %.3f, want about 0.1", rate)
	}
	its2, outs2 := run()
	if len(its2) != len(its) || len(outs2) != len(outs) {
		t.Fatal("the same run gave different records")
	}
	for i := range outs {
		if string(outs[i].AppendJSON(nil)) != string(outs2[i].AppendJSON(nil)) {
			t.Fatal("the same run gave different survey answers")
		}
	}
}
