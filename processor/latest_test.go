package processor

import (
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/agentpulse/agentpulse/processor/store"
	"github.com/agentpulse/agentpulse/schemas"
)

// TestLatestPartsRandomCorrections folds random interactions and
// corrections that move them across agents, models and times, taking
// batches at random points, and checks that the LatestParts the batches
// carried, newest version per model, name each model's newest current
// interaction (ended_at, then id) and its agent, or none once the model
// has none; and that versions never go back.
func TestLatestPartsRandomCorrections(t *testing.T) {
	for seed := range uint64(6) {
		rng := rand.New(rand.NewPCG(seed, 29))
		f := newFold(2)
		cur := map[string]schemas.Interaction{}
		stored := map[[2]string]store.LatestPart{}
		base := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
		check := func(step int) {
			t.Helper()
			for _, p := range f.takeBatch(int64(step + 1)).Latest {
				k := [2]string{p.Tenant, p.Model}
				if old, ok := stored[k]; ok && p.Version < old.Version {
					t.Fatalf("seed %d step %d: %v version %d after %d", seed, step, k, p.Version, old.Version)
				}
				if p.Partition != 2 || p.Version > int64(step) {
					t.Fatalf("seed %d step %d: part %+v", seed, step, p)
				}
				stored[k] = p
			}
			for _, model := range []string{"voice", "chat", "email"} {
				var want *schemas.Interaction
				for _, it := range cur {
					if it.Model == model && (want == nil || newerIt(&it, want)) {
						want = &it
					}
				}
				got, ok := stored[[2]string{"t", model}]
				switch {
				case want == nil && ok && got.InteractionID != "":
					t.Fatalf("seed %d step %d: %s part %+v, want none", seed, step, model, got)
				case want != nil && (got.InteractionID != want.InteractionID || got.Agent != want.AgentID || !got.EndedAt.Equal(want.EndedAt)):
					t.Fatalf("seed %d step %d: %s part %+v, want %s of %s at %v", seed, step, model, got, want.InteractionID, want.AgentID, want.EndedAt)
				}
			}
		}
		for step := range 1200 {
			id := fmt.Sprintf("i%d", rng.IntN(120))
			rev := int64(1)
			if old, ok := cur[id]; ok {
				rev = old.Revision + 1
			}
			it := schemas.Interaction{
				TenantID: "t", InteractionID: id, Revision: rev,
				Model:   []string{"voice", "chat", "email"}[rng.IntN(3)],
				AgentID: fmt.Sprintf("a%d", rng.IntN(5)), TeamID: "team", Inquiry: "billing", HandleTimeS: 60,
				EndedAt: base.Add(time.Duration(rng.IntN(30)) * time.Minute),
			}
			if f.apply(&it, int64(step)).Applied {
				cur[id] = it
			}
			if rng.IntN(10) == 0 {
				check(step)
			}
		}
		check(1200)
	}
}

// newerIt is the roster's order: ended_at, then interaction_id.
func newerIt(a, b *schemas.Interaction) bool {
	if !a.EndedAt.Equal(b.EndedAt) {
		return a.EndedAt.After(b.EndedAt)
	}
	return a.InteractionID > b.InteractionID
}
