package storeview_test

import (
	"context"
	"testing"
	"time"

	"github.com/agentpulse/agentpulse/processor/store"
	"github.com/agentpulse/agentpulse/processor/store/embedded"
	"github.com/agentpulse/agentpulse/schemas"
	"github.com/agentpulse/agentpulse/views"
	"github.com/agentpulse/agentpulse/views/storeview"
)

// TestOverlayForgetsPartsEmptiedWithoutUpdates: an update lays a part over
// the store; then a catch-up stores, without updates, a correction that
// moves the interaction to another inquiry, emptying that part. The store
// hides empty parts, so the overlay's older copy would be counted next to
// the new part until something drops it: the rebuilt marker
// (ForgetThrough) and a prune against the checkpoints (Prune) both do.
func TestOverlayForgetsPartsEmptiedWithoutUpdates(t *testing.T) {
	ctx := context.Background()
	hour := time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)
	key := func(inquiry string) store.BucketKey {
		return store.BucketKey{Tenant: "acme", Model: "m", Team: "t1", Agent: "a1", Inquiry: inquiry, Hour: hour}
	}
	one := views.Sums{Volume: 1, HandleSum: 300}
	first := store.Batch{Partition: 0, Next: 1, Buckets: []store.Bucket{{BucketKey: key("billing"), Partition: 0, Sums: one, Version: 0}}}
	moved := store.Batch{Partition: 0, Next: 2, Buckets: []store.Bucket{
		{BucketKey: key("billing"), Partition: 0, Version: 1},
		{BucketKey: key("returns"), Partition: 0, Sums: one, Version: 1},
	}}
	update := schemas.Update{Tenant: "acme", Model: "m", Agent: "a1", Partition: 0, Offset: 0,
		Buckets: []schemas.UpdateBucket{{Team: "t1", Inquiry: "billing", Hour: hour, Sums: schemas.UpdateSums(one), Version: 0}}}
	volume := func(o *storeview.Overlay) int64 {
		var n int64
		q := store.BucketQuery{Tenant: "acme", Model: "m", Agent: "a1", From: hour.Add(-time.Hour), To: hour.Add(time.Hour)}
		if err := o.Buckets(ctx, q, func(b store.Bucket) error { n += b.Volume; return nil }); err != nil {
			t.Fatal(err)
		}
		return n
	}
	for _, forget := range []struct {
		name string
		do   func(*storeview.Overlay) error
	}{
		{"rebuilt marker", func(o *storeview.Overlay) error { o.ForgetThrough(0, 1); return nil }},
		{"prune", func(o *storeview.Overlay) error { return o.Prune(ctx) }},
	} {
		t.Run(forget.name, func(t *testing.T) {
			st := embedded.New()
			o := storeview.NewOverlay(st)
			if err := st.Apply(ctx, first); err != nil {
				t.Fatal(err)
			}
			o.Apply(update)
			if err := st.Apply(ctx, moved); err != nil { // stored without an update
				t.Fatal(err)
			}
			if got := volume(o); got != 2 {
				t.Fatalf("before: volume %d, want the stale 2 (else the test proves nothing)", got)
			}
			if err := forget.do(o); err != nil {
				t.Fatal(err)
			}
			if got := volume(o); got != 1 {
				t.Fatalf("after: volume %d, want 1", got)
			}
			if o.Len() != 0 {
				t.Fatalf("overlay keeps %d parts", o.Len())
			}
		})
	}
}
