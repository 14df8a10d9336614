package storetest

import (
	"testing"
	"time"

	"github.com/agentpulse/agentpulse/processor/store"
)

// TestFeed checks the suite's own batch builder by hand: offsets, skipped
// stale revisions, a move between buckets, versions and the checkpoint.
func TestFeed(t *testing.T) {
	f := newFeed(3)
	f.skip(10)
	a1 := ix("t1", "a", 1, "x", "billing", t0)
	a1.HandleTimeS = 100
	b := f.batch(a1)
	if b.Partition != 3 || b.Next != 11 || len(b.Records) != 1 || b.Records[0].Offset != 10 || len(b.Buckets) != 1 {
		t.Fatalf("first batch = %+v", b)
	}
	if got := b.Buckets[0]; got.Volume != 1 || got.HandleSum != 100 || got.Version != 10 || !got.Hour.Equal(t0.Truncate(time.Hour)) {
		t.Errorf("first bucket = %+v", got)
	}
	stale := a1 // revision 1 again: skipped
	a2 := a1    // moves an hour back
	a2.Revision, a2.EndedAt, a2.StartedAt = 2, t0.Add(-time.Hour), t0.Add(-2*time.Hour)
	a2.HandleTimeS = 40
	b = f.batch(stale, a2)
	if b.Next != 13 || len(b.Records) != 1 || b.Records[0].Offset != 12 || b.Records[0].Revision != 2 {
		t.Fatalf("second batch records = %+v next %d", b.Records, b.Next)
	}
	want := []struct {
		hour    time.Time
		volume  int64
		handle  float64
		version int64
	}{{t0.Truncate(time.Hour), 0, 0, 12}, {t0.Add(-time.Hour).Truncate(time.Hour), 1, 40, 12}}
	if len(b.Buckets) != len(want) {
		t.Fatalf("second batch buckets = %+v", b.Buckets)
	}
	for i, w := range want {
		g := b.Buckets[i]
		if !g.Hour.Equal(w.hour) || g.Volume != w.volume || g.HandleSum != w.handle || g.Version != w.version {
			t.Errorf("bucket %d = %+v, want %+v", i, g, w)
		}
	}
}

// TestOracle checks the oracle's rules by hand: newest revision wins (the
// first of equal ones), the highest bucket version wins, checkpoints never
// go back, empty buckets are not read.
func TestOracle(t *testing.T) {
	o := newOracle()
	r := func(rev int64, off int64, agent string) store.Record {
		return store.Record{Interaction: ix("t1", "a", rev, agent, "billing", t0), Partition: 0, Offset: off}
	}
	key := store.BucketKey{Tenant: "t1", Model: "voice", Team: "team-x", Agent: "x", Inquiry: "billing", Hour: t0.Truncate(time.Hour)}
	bk := func(version, volume int64) store.Bucket {
		b := store.Bucket{BucketKey: key, Version: version}
		b.Volume = volume
		return b
	}
	o.apply(store.Batch{Records: []store.Record{r(2, 5, "x"), r(1, 1, "y"), r(2, 7, "z")}, Buckets: []store.Bucket{bk(5, 2)}, Next: 8})
	o.apply(store.Batch{Buckets: []store.Bucket{bk(3, 9)}, Next: 4})
	if got := o.recent("t1", "voice", "x", "billing", 10); len(got) != 1 || got[0].AgentID != "x" {
		t.Errorf("recent(x) = %v, want the first applied of the equal revisions", got)
	}
	if got := o.recent("t1", "voice", "y", "billing", 10); len(got) != 0 {
		t.Errorf("recent(y) = %v, want none (revision 1 was replaced)", got)
	}
	if got := o.load(0, 6); len(got) != 1 || got[0].Offset != 5 {
		t.Errorf("load below 6 = %v, want the revision at offset 5", got)
	}
	if got := o.load(0, 2); len(got) != 1 || got[0].Revision != 1 {
		t.Errorf("load below 2 = %v, want revision 1", got)
	}
	q := store.BucketQuery{Tenant: "t1", Model: "voice", From: wideFrom, To: wideTo}
	if got := o.bucketsOf(q); len(got) != 1 || got[0].Volume != 2 || got[0].Version != 5 {
		t.Errorf("buckets = %+v, want version 5", got)
	}
	o.apply(store.Batch{Buckets: []store.Bucket{bk(6, 0)}})
	if got := o.bucketsOf(q); len(got) != 0 {
		t.Errorf("buckets after emptying = %+v", got)
	}
	if o.checkpoints[0] != 8 {
		t.Errorf("checkpoint = %d, want 8", o.checkpoints[0])
	}
}
