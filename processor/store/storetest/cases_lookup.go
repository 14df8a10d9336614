package storetest

import (
	"bytes"
	"context"
	"fmt"
	"testing"

	"github.com/agentpulse/agentpulse/processor/store"
)

// testSnapshots: a batch's snapshot is stored with its checkpoint, the
// newest one is returned, and it is never ahead of the checkpoint.
func testSnapshots(t *testing.T, open func(t *testing.T) store.Store) {
	s := open(t)
	ctx := context.Background()
	check := func(what string, partition int32, wantNext int64, want []byte) {
		t.Helper()
		next, data, err := s.Snapshot(ctx, partition)
		if err != nil {
			t.Fatalf("%s: Snapshot(%d): %v", what, partition, err)
		}
		if next != wantNext || !bytes.Equal(data, want) {
			t.Errorf("%s: Snapshot(%d) = %d, %q; want %d, %q", what, partition, next, data, wantNext, want)
		}
		if cp := readCheckpoint(t, s, partition); cp < next {
			t.Errorf("%s: Checkpoint(%d) = %d, below its snapshot's %d", what, partition, cp, next)
		}
	}
	check("empty store", 0, 0, nil)
	p := newFeed(0)
	b1 := p.batch(ix("t1", "A", 1, "x", "billing", t0))
	b1.Snapshot = []byte("one\x00\xff")
	apply(t, s, b1)
	check("first snapshot", 0, b1.Next, b1.Snapshot)
	check("other partition", 1, 0, nil)
	b2 := p.batch(ix("t1", "B", 1, "x", "billing", t0))
	apply(t, s, b2)
	check("batch without snapshot", 0, b1.Next, b1.Snapshot)
	if cp := readCheckpoint(t, s, 0); cp != b2.Next {
		t.Errorf("Checkpoint(0) = %d, want %d", cp, b2.Next)
	}
	p.skip(4)
	b3 := p.batch(ix("t1", "C", 1, "x", "billing", t0))
	b3.Snapshot = []byte("three")
	apply(t, s, b3, b1) // b1 redelivered: older, changes nothing
	check("newer snapshot", 0, b3.Next, b3.Snapshot)
	if cp := readCheckpoint(t, s, 0); cp != b3.Next {
		t.Errorf("Checkpoint(0) = %d, want %d (a snapshot is a checkpoint)", cp, b3.Next)
	}
}

// testCurrentLookups: Current and CurrentIn answer, for some keys, what
// LoadPartition answers for all of them, at every offset of random feeds
// with revisions that move interactions between buckets.
func testCurrentLookups(t *testing.T, open func(t *testing.T) store.Store) {
	s := open(t)
	ctx := context.Background()
	feeds := []*feed{newFeed(0), newFeed(1)}
	var all []store.Batch
	for _, f := range feeds {
		bs := randomBatches(f, 7, 4, 30)
		all = append(all, bs...)
	}
	apply(t, s, all...)
	for _, f := range feeds {
		for _, below := range []int64{0, 1, 17, 45, 80, 119, 1 << 40} {
			want := readLoad(t, s, f.partition, below)
			// Half of the interactions by key, and every bucket of a third of them.
			var keys []store.InteractionKey
			var wantKeys []store.Record
			buckets := map[store.BucketKey]bool{}
			var bucketList []store.BucketKey
			for i, r := range want {
				if i%2 == 0 {
					keys = append(keys, store.InteractionKey{Tenant: r.TenantID, ID: r.InteractionID})
					wantKeys = append(wantKeys, r)
				}
				if i%3 == 0 {
					k := bucketKeyOf(&r.Interaction)
					if !buckets[k] {
						buckets[k] = true
						bucketList = append(bucketList, k)
					}
				}
			}
			keys = append(keys, store.InteractionKey{Tenant: "t1", ID: "never"}, store.InteractionKey{Tenant: "t3", ID: "p0-i01"})
			var wantIn []store.Record
			for _, r := range want {
				if buckets[bucketKeyOf(&r.Interaction)] {
					wantIn = append(wantIn, r)
				}
			}
			var got, gotIn []store.Record
			if err := s.Current(ctx, f.partition, below, keys, func(r store.Record) error { got = append(got, r); return nil }); err != nil {
				t.Fatalf("Current: %v", err)
			}
			if err := s.CurrentIn(ctx, f.partition, below, bucketList, func(r store.Record) error { gotIn = append(gotIn, r); return nil }); err != nil {
				t.Fatalf("CurrentIn: %v", err)
			}
			sameText(t, fmt.Sprintf("Current(%d, %d)", f.partition, below), canonRecords(got), canonRecords(wantKeys))
			sameText(t, fmt.Sprintf("CurrentIn(%d, %d)", f.partition, below), canonRecords(gotIn), canonRecords(wantIn))
			checkNewestOf(t, s, f.partition, below, want)
		}
	}
}

// checkNewestOf compares NewestOf for every agent and model of want (the
// partition's current revisions below below), and one without any, with
// want's newest first, at a small and a large limit.
func checkNewestOf(t *testing.T, s store.Store, partition int32, below int64, want []store.Record) {
	t.Helper()
	type am struct{ tenant, model, agent string }
	agents := map[am][]store.Record{{"t1", "voice", "nobody"}: nil}
	for _, r := range want {
		k := am{r.TenantID, r.Model, r.AgentID}
		agents[k] = append(agents[k], r)
	}
	for k, rs := range agents {
		store.SortNewestFirst(rs)
		for _, limit := range []int{3, 1000} {
			got, err := s.NewestOf(context.Background(), partition, below, k.tenant, k.model, k.agent, limit)
			if err != nil {
				t.Fatalf("NewestOf: %v", err)
			}
			w := rs[:min(limit, len(rs))]
			if len(got) != len(w) {
				t.Fatalf("NewestOf(%d, %d, %v, %d): %d records, want %d", partition, below, k, limit, len(got), len(w))
			}
			for i := range w {
				if got[i].InteractionID != w[i].InteractionID || got[i].Revision != w[i].Revision {
					t.Fatalf("NewestOf(%d, %d, %v, %d)[%d] = %s rev %d, want %s rev %d", partition, below, k, limit, i,
						got[i].InteractionID, got[i].Revision, w[i].InteractionID, w[i].Revision)
				}
			}
		}
	}
}

// testApplyAll: batches of two partitions applied together (ApplyAll),
// with snapshots on some, give what applying them one by one gives, and
// every checkpoint and snapshot.
func testApplyAll(t *testing.T, open func(t *testing.T) store.Store) {
	s := open(t)
	o := newOracle()
	p0 := randomBatches(newFeed(0), 5, 4, 25)
	p1 := randomBatches(newFeed(1), 5, 4, 25)
	for i := range p0 {
		pair := []store.Batch{p0[i], p1[i]}
		if i%2 == 1 {
			pair[1].Snapshot = []byte(fmt.Sprintf("snap %d", i))
		}
		if err := s.ApplyAll(context.Background(), pair); err != nil {
			t.Fatalf("ApplyAll: %v", err)
		}
		for _, b := range pair {
			o.apply(b)
		}
		checkState(t, s, o)
		for _, b := range pair {
			if cp := readCheckpoint(t, s, b.Partition); cp != b.Next {
				t.Errorf("batch %d: Checkpoint(%d) = %d, want %d", i, b.Partition, cp, b.Next)
			}
		}
	}
	if next, data, err := s.Snapshot(context.Background(), 1); err != nil || next != p1[3].Next || string(data) != "snap 3" {
		t.Errorf("Snapshot(1) = %d, %q, %v; want %d, \"snap 3\"", next, data, err, p1[3].Next)
	}
	if err := s.ApplyAll(context.Background(), nil); err != nil {
		t.Errorf("ApplyAll(nil): %v", err)
	}
}
