package storeview_test

import (
	"context"
	"errors"
	"testing"

	"github.com/agentpulse/agentpulse/processor/store/embedded"
	"github.com/agentpulse/agentpulse/processor/store/storetest"
	"github.com/agentpulse/agentpulse/schemas"
	"github.com/agentpulse/agentpulse/views"
	"github.com/agentpulse/agentpulse/views/reference"
	"github.com/agentpulse/agentpulse/views/storeview"
)

// TestRefreshAfterStoreChangedWithoutUpdates: a processor catching up
// stores its batches without publishing updates, so a cache built before
// answers the old figures; after Refresh every cached answer equals the
// reference over the whole store. WithWarmHold keeps the warm-up from
// building while the hold says so.
func TestRefreshAfterStoreChangedWithoutUpdates(t *testing.T) {
	ctx := context.Background()
	params := views.Params{MinVolume: 3}
	all := append(simulated(t, 6, 8), shifts()...)
	// Every fourth interaction of the older half comes last: storing it
	// does not move the range end, which would rebuild the cache anyway.
	var its, late []schemas.Interaction
	for i, it := range all {
		if i < len(all)/2 && i%4 == 0 {
			late = append(late, it)
		} else {
			its = append(its, it)
		}
	}
	half := len(storetest.Batches(its, 4, 1))
	its = append(its, late...)
	batches := storetest.Batches(its, 4, 1)
	st := embedded.New()
	for _, b := range batches[:half] {
		if err := st.Apply(ctx, b); err != nil {
			t.Fatal(err)
		}
	}
	held := errors.New("catching up")
	var hold error = held
	sv := storeview.New(storeview.NewOverlay(st), params, storeview.WithCache(storeview.CacheConfig{}),
		storeview.WithWarmHold(func() error { return hold }))
	if err := sv.Warm(ctx); !errors.Is(err, held) || sv.Warmed() {
		t.Fatalf("held warm-up: %v, warmed %v", err, sv.Warmed())
	}
	hold = nil
	if err := sv.Warm(ctx); err != nil || !sv.Warmed() {
		t.Fatalf("warm-up: %v", err)
	}
	first := interactionsOf(batches[:half]...)
	compareFresh(t, sv, reference.New(first, params), first, 1, "first half")

	// The rest is stored without updates: the cache still answers the
	// first half (which is why the processor's marker asks for Refresh).
	for _, b := range batches[half:] {
		if err := st.Apply(ctx, b); err != nil {
			t.Fatal(err)
		}
	}
	stale := false
	ref := reference.New(its, params)
	u := universeOf(its)
	for tenant, agents := range u.agents {
		for _, model := range u.models[tenant] {
			spec := specs(t, ref, tenant, model)[0]
			for _, agent := range agents {
				got, err := sv.AgentPerformance(ctx, tenant, agent, model, spec, views.SortSpec{})
				want, werr := ref.AgentPerformance(tenant, agent, model, spec, views.SortSpec{})
				if err != nil || werr != nil {
					continue
				}
				stale = stale || got.Overall.Volume != want.Overall.Volume
			}
		}
	}
	if !stale {
		t.Fatal("the cache followed a store change without updates: the test proves nothing")
	}
	sv.Refresh()
	compareFresh(t, sv, ref, its, 1, "after refresh")
}
