package storetest

import (
	"testing"
	"time"

	"github.com/agentpulse/agentpulse/processor/store"
	"github.com/agentpulse/agentpulse/schemas"
)

// testRedelivery: applying a batch again, or an older batch after a newer
// one, changes no read.
func testRedelivery(t *testing.T, open func(t *testing.T) store.Store) {
	s := open(t)
	f, o := newFeed(0), newOracle()
	its1 := []struct{ id, agent, inq string }{{"r1", "a1", "billing"}, {"r2", "a1", "billing"}, {"r3", "a2", "refund"}, {"r4", "a2", "billing"}}
	var first []store.Batch
	for i, x := range its1 {
		it := ix("t1", x.id, 1, x.agent, x.inq, t0.Add(time.Duration(i)*time.Minute))
		mustValid(t, it)
		first = append(first, f.batch(it))
	}
	r1v2 := ix("t1", "r1", 2, "a2", "billing", t0.Add(-2*time.Hour))
	r5 := ix("t1", "r5", 1, "a1", "billing", t0.Add(time.Hour))
	mustValid(t, r1v2, r5)
	second := f.batch(r1v2, r5)
	for _, b := range first {
		apply(t, s, b)
		o.apply(b)
	}
	apply(t, s, second)
	o.apply(second)
	sc := o.scope()
	want := o.expected(sc)
	sameText(t, "state after first delivery", snapshot(t, s, sc), want)

	// The same batches again, in order, then the older ones after the newer.
	apply(t, s, first...)
	apply(t, s, second)
	sameText(t, "state after redelivery", snapshot(t, s, sc), want)
	apply(t, s, first[0], first[2])
	apply(t, s, second, second)
	sameText(t, "state after out-of-order redelivery", snapshot(t, s, sc), want)
}

// testRevisions: a higher revision replaces the lower everywhere reads look,
// wherever it moves the interaction, in whatever order revisions arrive.
func testRevisions(t *testing.T, open func(t *testing.T) store.Store) {
	s := open(t)
	p0, p1, o := newFeed(0), newFeed(1), newOracle()
	step := func(f *feed, its ...schemas.Interaction) store.Batch {
		t.Helper()
		mustValid(t, its...)
		b := f.batch(its...)
		apply(t, s, b)
		o.apply(b)
		return b
	}
	x1 := ix("t1", "X", 1, "a", "billing", t0)
	x2 := ix("t1", "X", 2, "a", "billing", t0.Add(5*time.Minute))
	x2.HandleTimeS = 999
	x2.PredictedSatisfaction = nil
	y1 := ix("t1", "Y", 1, "a", "billing", t0.Add(time.Minute))
	y2 := ix("t1", "Y", 2, "b", "billing", t0.Add(time.Minute)) // moves agent
	z1 := ix("t1", "Z", 1, "a", "billing", t0.Add(2*time.Minute))
	z2 := ix("t1", "Z", 2, "a", "refund", t0.Add(2*time.Minute)) // moves inquiry
	w1 := ix("t1", "W", 1, "a", "billing", t0.Add(3*time.Minute))
	w2 := w1
	w2.Revision, w2.Model = 2, "chat" // moves model
	v1 := ix("t1", "V", 1, "a", "billing", t0.Add(4*time.Minute))
	v2 := ix("t1", "V", 2, "b", "billing", t0.Add(4*time.Minute))
	v3 := ix("t1", "V", 3, "a", "billing", t0.Add(4*time.Minute)) // and back
	b1 := step(p0, x1, y1, z1, w1, v1)
	b2 := step(p0, x2, y2, z2, w2, v2)
	step(p0, v3)

	recent := func(model, agent, inq string) string {
		return canonIxs(readRecent(t, s, "t1", model, agent, inq, 10))
	}
	sameText(t, "Recent(a, billing)", recent("voice", "a", "billing"), canonIxs(ixs(x2, v3)))
	sameText(t, "Recent(b, billing)", recent("voice", "b", "billing"), canonIxs(ixs(y2)))
	sameText(t, "Recent(a, refund)", recent("voice", "a", "refund"), canonIxs(ixs(z2)))
	sameText(t, "Recent(chat a, billing)", recent("chat", "a", "billing"), canonIxs(ixs(w2)))

	// As of an offset: the newest revision below it.
	x2off := b2.Records[0].Offset
	sameText(t, "LoadPartition below X rev 2", canonRecords(readLoad(t, s, 0, x2off)), canonRecords(b1.Records))
	got := readLoad(t, s, 0, x2off+1)
	want := append([]store.Record{b2.Records[0]}, b1.Records[1:]...)
	sameText(t, "LoadPartition with X rev 2", canonRecords(got), canonRecords(want))

	// A lower revision arriving later, from another partition, does not win.
	u3 := ix("t1", "U", 3, "c", "billing", t0)
	u2 := ix("t1", "U", 2, "c", "billing", t0.Add(time.Hour))
	step(p0, u3)
	late := step(p1, u2)
	sameText(t, "Recent(c) after a late lower revision", recent("voice", "c", "billing"), canonIxs(ixs(u3)))
	sameText(t, "LoadPartition(1) keeps its own newest", canonRecords(readLoad(t, s, 1, 100)), canonRecords(late.Records))
	checkState(t, s, o)
}

// testBucketVersions: of two values of a bucket the higher version wins,
// whatever order they are written in.
func testBucketVersions(t *testing.T, open func(t *testing.T) store.Store) {
	s := open(t)
	o := newOracle()
	hour := t0.Truncate(time.Hour)
	key := store.BucketKey{Tenant: "t1", Model: "voice", Team: "team-a", Agent: "a", Inquiry: "billing", Hour: hour}
	other := key
	other.Inquiry = "refund"
	bucket := func(k store.BucketKey, version, volume int64) store.Bucket {
		b := store.Bucket{BucketKey: k, Version: version}
		b.Volume, b.HandleSum, b.PsatN, b.PsatSum, b.PresN, b.PresSum = volume, 100.5*float64(volume), volume, 0.5*float64(volume), 0, 0
		return b
	}
	steps := []struct {
		b    store.Batch
		want []store.Bucket
	}{
		{store.Batch{Buckets: []store.Bucket{bucket(key, 10, 3)}, Next: 11}, []store.Bucket{bucket(key, 10, 3)}},
		{store.Batch{Buckets: []store.Bucket{bucket(key, 5, 7), bucket(other, 5, 1)}, Next: 6}, []store.Bucket{bucket(key, 10, 3), bucket(other, 5, 1)}},
		{store.Batch{Buckets: []store.Bucket{bucket(key, 12, 1)}, Next: 13}, []store.Bucket{bucket(key, 12, 1), bucket(other, 5, 1)}},
		{store.Batch{Buckets: []store.Bucket{bucket(other, 4, 9), bucket(key, 11, 8)}, Next: 12}, []store.Bucket{bucket(key, 12, 1), bucket(other, 5, 1)}},
	}
	q := store.BucketQuery{Tenant: "t1", Model: "voice", From: hour, To: hour.Add(time.Hour)}
	for i, st := range steps {
		apply(t, s, st.b)
		o.apply(st.b)
		sameText(t, "buckets after step "+string(rune('1'+i)), canonBuckets(readBuckets(t, s, q)), canonBuckets(st.want))
	}
	if got := readCheckpoint(t, s, 0); got != 13 {
		t.Errorf("Checkpoint(0) = %d, want 13", got)
	}
	checkState(t, s, o)
}

// testCheckpoints: per partition, 0 when unknown, never back.
func testCheckpoints(t *testing.T, open func(t *testing.T) store.Store) {
	s := open(t)
	for _, p := range []int32{0, 1, 7, -1} {
		if got := readCheckpoint(t, s, p); got != 0 {
			t.Errorf("Checkpoint(%d) of an empty store = %d, want 0", p, got)
		}
	}
	steps := []struct {
		partition int32
		next      int64
		want      map[int32]int64
	}{
		{0, 10, map[int32]int64{0: 10, 1: 0, 2: 0}},
		{1, 3, map[int32]int64{0: 10, 1: 3, 2: 0}},
		{0, 5, map[int32]int64{0: 10, 1: 3, 2: 0}}, // an older batch again
		{0, 10, map[int32]int64{0: 10, 1: 3, 2: 0}},
		{0, 11, map[int32]int64{0: 11, 1: 3, 2: 0}},
		{2, 0, map[int32]int64{0: 11, 1: 3, 2: 0}},
		{1, 1 << 40, map[int32]int64{0: 11, 1: 1 << 40, 2: 0}},
	}
	for i, st := range steps {
		apply(t, s, store.Batch{Partition: st.partition, Next: st.next})
		for p, want := range st.want {
			if got := readCheckpoint(t, s, p); got != want {
				t.Errorf("step %d: Checkpoint(%d) = %d, want %d", i+1, p, got, want)
			}
		}
	}
	// A checkpoint written with records and buckets.
	f := newFeed(3)
	f.skip(41)
	b := f.batch(ix("t1", "c1", 1, "a", "billing", t0))
	apply(t, s, b)
	if got := readCheckpoint(t, s, 3); got != 42 {
		t.Errorf("Checkpoint(3) = %d, want 42", got)
	}
}
