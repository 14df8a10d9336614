package storetest

import (
	"testing"
	"time"

	"github.com/agentpulse/agentpulse/processor/store"
)

// testBucketParts: two partitions write parts of the same bucket key; each
// part keeps its own newest version, and reads return both parts.
func testBucketParts(t *testing.T, open func(t *testing.T) store.Store) {
	s := open(t)
	hour := t0.Truncate(time.Hour)
	key := store.BucketKey{Tenant: "t1", Model: "voice", Team: "team-a", Agent: "a", Inquiry: "billing", Hour: hour}
	part := func(p int32, version, volume int64) store.Bucket {
		b := store.Bucket{BucketKey: key, Partition: p, Version: version}
		b.Volume, b.HandleSum = volume, 60*float64(volume)
		return b
	}
	apply(t, s, store.Batch{Partition: 0, Buckets: []store.Bucket{part(0, 40, 2)}, Next: 41})
	// Partition 1's offsets are lower: its part must not be shadowed by
	// partition 0's higher version, nor shadow it.
	apply(t, s, store.Batch{Partition: 1, Buckets: []store.Bucket{part(1, 7, 3)}, Next: 8})
	apply(t, s, store.Batch{Partition: 1, Buckets: []store.Bucket{part(1, 5, 9)}, Next: 8})
	q := store.BucketQuery{Tenant: "t1", Model: "voice", From: hour, To: hour.Add(time.Hour)}
	sameText(t, "bucket parts", canonBuckets(readBuckets(t, s, q)), canonBuckets([]store.Bucket{part(0, 40, 2), part(1, 7, 3)}))
}
