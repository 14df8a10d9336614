package storetest

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"testing"
	"time"

	"github.com/agentpulse/agentpulse/processor/store"
	"github.com/agentpulse/agentpulse/schemas"
)

// testLoadPartitionAsOf: LoadPartition(p, below) sees exactly the records
// partition p applied at offsets below below, newest revision each.
func testLoadPartitionAsOf(t *testing.T, open func(t *testing.T) store.Store) {
	s := open(t)
	p, q := newFeed(0), newFeed(1)
	a1 := ix("t1", "A", 1, "x", "billing", t0)
	b1 := ix("t1", "B", 1, "x", "billing", t0)
	a2 := ix("t1", "A", 2, "x", "refund", t0.Add(time.Minute))
	c1 := ix("t1", "C", 1, "y", "billing", t0)
	tA := ix("t2", "A", 7, "x", "billing", t0) // same id, other tenant
	d1 := ix("t1", "D", 1, "z", "billing", t0)
	a3 := ix("t1", "A", 3, "z", "billing", t0.Add(2*time.Minute)) // A continues in partition 1
	mustValid(t, a1, b1, a2, c1, tA, d1, a3)
	bp1 := p.batch(a1, b1) // offsets 0, 1
	p.skip(3)              // offsets 2..4 carried nothing for the store
	bp2 := p.batch(a2, c1, tA)
	bq := q.batch(d1, a3)
	apply(t, s, bp1, bq, bp2)
	rec := func(b store.Batch, i int) store.Record { return b.Records[i] }
	for _, tc := range []struct {
		partition int32
		below     int64
		want      []store.Record
	}{
		{0, -5, nil},
		{0, 0, nil},
		{0, 1, []store.Record{rec(bp1, 0)}},
		{0, 2, []store.Record{rec(bp1, 0), rec(bp1, 1)}},
		{0, 5, []store.Record{rec(bp1, 0), rec(bp1, 1)}},
		{0, 6, []store.Record{rec(bp2, 0), rec(bp1, 1)}},
		{0, 7, []store.Record{rec(bp2, 0), rec(bp1, 1), rec(bp2, 1)}},
		{0, 8, []store.Record{rec(bp2, 0), rec(bp1, 1), rec(bp2, 1), rec(bp2, 2)}},
		{0, 1 << 62, []store.Record{rec(bp2, 0), rec(bp1, 1), rec(bp2, 1), rec(bp2, 2)}},
		{1, 1, []store.Record{rec(bq, 0)}},
		{1, 2, []store.Record{rec(bq, 0), rec(bq, 1)}},
		{2, 1 << 62, nil},
	} {
		got := readLoad(t, s, tc.partition, tc.below)
		sameText(t, fmt.Sprintf("LoadPartition(%d, %d)", tc.partition, tc.below), canonRecords(got), canonRecords(tc.want))
	}
	// Revisions are what LoadPartition returns, offsets and all.
	for _, r := range readLoad(t, s, 0, 1<<62) {
		if r.Partition != 0 {
			t.Errorf("LoadPartition(0) returned a record of partition %d", r.Partition)
		}
	}
}

// testLoadPartitionStops: LoadPartition returns fn's first error and calls
// fn no more.
func testLoadPartitionStops(t *testing.T, open func(t *testing.T) store.Store) {
	s := open(t)
	f := newFeed(0)
	var its []schemas.Interaction
	for i := range 5 {
		its = append(its, ix("t1", "s"+strconv.Itoa(i), 1, "x", "billing", t0))
	}
	apply(t, s, f.batch(its...))
	stop := errors.New("stop here")
	calls := 0
	err := s.LoadPartition(context.Background(), 0, 100, func(store.Record) error {
		calls++
		if calls == 2 {
			return stop
		}
		return nil
	})
	if !errors.Is(err, stop) || calls != 2 {
		t.Errorf("LoadPartition = %v after %d calls, want the callback's error after 2", err, calls)
	}
	var bucketCalls int
	err = s.Buckets(context.Background(), store.BucketQuery{Tenant: "t1", Model: "voice", From: wideFrom, To: wideTo}, func(store.Bucket) error {
		bucketCalls++
		return stop
	})
	if !errors.Is(err, stop) || bucketCalls != 1 {
		t.Errorf("Buckets = %v after %d calls, want the callback's error after 1", err, bucketCalls)
	}
}

// testTenantIsolation: identical ids, agents, models and inquiries in two
// tenants never mix.
func testTenantIsolation(t *testing.T, open func(t *testing.T) store.Store) {
	s := open(t)
	f, o := newFeed(0), newOracle()
	var its []schemas.Interaction
	for i, tenant := range []string{"t1", "t2"} {
		x := ix(tenant, "same", 1, "a", "billing", t0.Add(time.Duration(i)*time.Hour))
		x.HandleTimeS = float64(100 * (i + 1))
		y := ix(tenant, "other", 1, "a", "billing", t0.Add(time.Duration(i)*time.Minute))
		its = append(its, x, y)
	}
	t2rev := ix("t2", "same", 5, "b", "billing", t0.Add(-time.Hour)) // moves t2's "same"; t1's stays
	mustValid(t, append(its, t2rev)...)
	for _, b := range []store.Batch{f.batch(its...), f.batch(t2rev)} {
		apply(t, s, b)
		o.apply(b)
	}
	sameText(t, "Recent t1", canonIxs(readRecent(t, s, "t1", "voice", "a", "billing", 10)), canonIxs(ixs(its[0], its[1])))
	sameText(t, "Recent t2 a", canonIxs(readRecent(t, s, "t2", "voice", "a", "billing", 10)), canonIxs(ixs(its[3])))
	sameText(t, "Recent t2 b", canonIxs(readRecent(t, s, "t2", "voice", "b", "billing", 10)), canonIxs(ixs(t2rev)))
	if got, ok := readLatest(t, s, "t1", "voice"); !ok || !got.Equal(t0) {
		t.Errorf("LatestData(t1) = %v, %v; want %v", got, ok, t0)
	}
	if got, ok := readLatest(t, s, "t2", "voice"); !ok || !got.Equal(t0.Add(time.Minute)) {
		t.Errorf("LatestData(t2) = %v, %v; want %v", got, ok, t0.Add(time.Minute))
	}
	for _, tenant := range []string{"t1", "t2"} {
		for _, b := range readBuckets(t, s, store.BucketQuery{Tenant: tenant, Model: "voice", From: wideFrom, To: wideTo}) {
			if b.Tenant != tenant {
				t.Errorf("Buckets(%s) returned %s", tenant, canonBucket(b))
			}
		}
	}
	checkState(t, s, o)
}

// testRestart: a durable store reopened on the same data reads the same
// and accepts more.
func testRestart(t *testing.T, open func(t *testing.T) store.Store, durable bool) {
	if !durable {
		t.Skip("store is not durable (storetest.Durable not given): it is rebuilt from the log on start")
	}
	s := open(t)
	f, o := newFeed(2), newOracle()
	for _, b := range randomBatches(f, 11, 3, 20) {
		apply(t, s, b)
		o.apply(b)
	}
	sc := o.scope()
	before := snapshot(t, s, sc)
	sameText(t, "state before restart", before, o.expected(sc))
	if err := s.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	s2 := open(t)
	sameText(t, "state after restart", snapshot(t, s2, sc), before)
	more := f.batch(ix("t1", "after-restart", 1, "a0", "billing", t0.Add(time.Hour)))
	apply(t, s2, more)
	o.apply(more)
	checkState(t, s2, o)
}

// testLoadPartitionAcrossMonths: a store may read a partition month by
// month (ClickHouse does); an interaction whose newest revision moved to
// a later or an earlier month is returned once, with that revision, in
// ended_at order across the months, and a revision ending exactly at a
// month's start belongs to that month.
func testLoadPartitionAcrossMonths(t *testing.T, open func(t *testing.T) store.Store) {
	s := open(t)
	f := newFeed(0)
	jan := time.Date(2026, 1, 20, 9, 0, 0, 0, time.UTC)
	feb := time.Date(2026, 2, 1, 0, 0, 0, 0, time.UTC) // a month's first instant
	mar := time.Date(2026, 3, 5, 16, 0, 0, 0, time.UTC)
	a1 := ix("t1", "A", 1, "x", "billing", jan)
	b1 := ix("t1", "B", 1, "x", "billing", mar)
	c1 := ix("t1", "C", 1, "y", "billing", feb)
	a2 := ix("t1", "A", 2, "x", "refund", mar.Add(time.Hour))   // moved to a later month
	b2 := ix("t1", "B", 2, "y", "billing", jan.Add(-time.Hour)) // moved to an earlier month
	mustValid(t, a1, b1, c1, a2, b2)
	first := f.batch(a1, b1, c1) // offsets 0..2
	moves := f.batch(a2, b2)     // offsets 3..4
	again := f.batch(a2)         // offset 5: a redelivery of A's revision 2
	apply(t, s, first, moves, again)
	rec := func(b store.Batch, i int) store.Record { return b.Records[i] }
	before := readLoad(t, s, 0, 3)
	sameText(t, "LoadPartition(0, 3)", canonRecords(before), canonRecords([]store.Record{rec(first, 0), rec(first, 2), rec(first, 1)}))
	after := readLoad(t, s, 0, 1<<62)
	if len(after) != 3 {
		t.Fatalf("LoadPartition(0, all) returned %d records, want 3 (one per interaction): %s", len(after), canonRecords(after))
	}
	// Which of A's two equal revisions (offsets 3 and 5) comes back is the
	// store's choice; compare without offsets.
	got := []schemas.Interaction{after[0].Interaction, after[1].Interaction, after[2].Interaction}
	sameText(t, "LoadPartition(0, all)", canonIxs(got), canonIxs([]schemas.Interaction{b2, c1, a2}))
}
