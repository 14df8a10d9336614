package storetest

import (
	"context"
	"testing"
	"time"

	"github.com/agentpulse/agentpulse/outcomes"
	"github.com/agentpulse/agentpulse/processor/store"
)

// learnedPart gives b learned cells derived from seed (dyadic values:
// sums are exact in any order).
func learnedPart(b store.Bucket, seed int) store.Bucket {
	n := int64(1 + seed%4)
	b.Lsat = outcomes.Cell{N: n, SumP: 0.75 * float64(n), Labels: n / 2, Pos: n / 4, Exp: 0.5 * float64(n/2)}
	b.Lres = outcomes.Cell{N: n + 1, SumP: 0.5 * float64(n+1), Labels: 1, Pos: int64(seed % 2), Exp: 0.25}
	return b
}

func applyLearned(t *testing.T, lw store.LearnedWriter, parts []store.Bucket) {
	t.Helper()
	if err := lw.ApplyLearned(context.Background(), parts); err != nil {
		t.Fatal(err)
	}
}

// testLearned: the outcome learner's parts (store.LearnedPartition, volume
// 0, learned cells only) are stored and read like any part: Buckets
// returns them (not empty), the higher version wins, an emptied one is
// skipped, applying again changes nothing, LearnedVersion is the highest
// version stored, and a part of another partition is refused. Skipped for
// a store that is not a store.LearnedWriter.
func testLearned(t *testing.T, open func(t *testing.T) store.Store) {
	s := open(t)
	lw, ok := s.(store.LearnedWriter)
	if !ok {
		t.Skip("not a store.LearnedWriter")
	}
	ctx := context.Background()
	if v, err := lw.LearnedVersion(ctx); err != nil || v != 0 {
		t.Fatalf("LearnedVersion of an empty store = %d, %v; want 0", v, err)
	}
	hour := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
	key := store.BucketKey{Tenant: "t1", Model: "voice", Team: "A", Agent: "a", Inquiry: "x", Hour: hour}
	feed := store.Bucket{BucketKey: key, Partition: 0, Version: 3}
	feed.Volume, feed.HandleSum = 2, 121
	apply(t, s, store.Batch{Partition: 0, Next: 4, Buckets: []store.Bucket{feed}})

	v1 := learnedPart(store.Bucket{BucketKey: key, Partition: store.LearnedPartition, Version: 7}, 1)
	v2 := learnedPart(store.Bucket{BucketKey: key, Partition: store.LearnedPartition, Version: 9}, 2)
	other := key
	other.Agent, other.Hour = "b", hour.Add(time.Hour)
	ob := learnedPart(store.Bucket{BucketKey: other, Partition: store.LearnedPartition, Version: 8}, 3)
	applyLearned(t, lw, []store.Bucket{v2, ob})
	applyLearned(t, lw, []store.Bucket{v1}) // older: loses
	applyLearned(t, lw, []store.Bucket{v2}) // again: nothing changes
	q := store.BucketQuery{Tenant: "t1", Model: "voice", From: hour, To: hour.Add(2 * time.Hour)}
	want := []store.Bucket{feed, v2, ob}
	sameText(t, "learned parts", canonBuckets(readBuckets(t, s, q)), canonBuckets(want))
	if v, err := lw.LearnedVersion(ctx); err != nil || v != 9 {
		t.Fatalf("LearnedVersion = %d, %v; want 9", v, err)
	}
	// b's interaction moved away: its learned part is emptied.
	empty := store.Bucket{BucketKey: other, Partition: store.LearnedPartition, Version: 10}
	applyLearned(t, lw, []store.Bucket{empty})
	sameText(t, "emptied learned part", canonBuckets(readBuckets(t, s, q)), canonBuckets([]store.Bucket{feed, v2}))
	bad := v2
	bad.Partition = 3
	if err := lw.ApplyLearned(ctx, []store.Bucket{bad}); err == nil {
		t.Fatal("ApplyLearned of a partition-3 part: no error")
	}
}
