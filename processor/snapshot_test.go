package processor

import (
	"errors"
	"fmt"
	"sort"
	"testing"
	"time"
)

// foldedSample folds a few days of interactions with a one-day horizon and
// evicts what it can, so that the fold has hot days, evicted keys and
// interactions with and without predictions.
func foldedSample() *fold {
	f := newFold(3)
	f.horizon = 24 * time.Hour
	base := time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC)
	for i := range 400 {
		it := rec(fmt.Sprintf("i%d", i), 1, []string{"billing", "tech"}[i%2], base.Add(time.Duration(i)*17*time.Minute), float64(i))
		it.AgentID = fmt.Sprintf("a%d", i%5)
		if i%3 == 0 {
			p := float64(i%10) / 10
			it.PredictedSatisfaction = &p
		}
		if i%4 == 0 {
			p := 0.25
			it.PredictedResolution = &p
		}
		f.apply(&it, int64(i))
	}
	f.takeBatch(400)
	f.evict(f.seq)
	return f
}

// state renders what a fold computes from: parts, entries, watermark.
func state(f *fold) string {
	var lines []string
	for _, d := range f.days {
		for _, b := range d.buckets {
			lines = append(lines, fmt.Sprintf("part %v %+v v%d", b.key(), b.sums, b.version))
		}
		d.index.each(func(key []byte, e *applied) {
			b := d.buckets[e.bucket]
			lines = append(lines, fmt.Sprintf("ix %q r%d h%g p%v/%g r%v/%g in %v", key, e.revision, e.handle, e.hasPsat, e.psat, e.hasPres, e.pres, b.key()))
		})
	}
	sort.Strings(lines)
	return fmt.Sprintf("wm %d evicted %d filter %d\n%s", f.watermark, f.evictedThrough, f.evicted.total, lines)
}

// TestSnapshotRoundTrip: a restored fold holds the same state, keeps the
// evicted keys, and folds the next records into the same batch.
func TestSnapshotRoundTrip(t *testing.T) {
	f := foldedSample()
	if f.evictedThrough == minDay || f.evicted.total == 0 {
		t.Fatal("sample evicted nothing")
	}
	data, err := f.snapshot()
	if err != nil {
		t.Fatal(err)
	}
	g := newFold(3)
	g.horizon = f.horizon
	if err := g.restore(data); err != nil {
		t.Fatal(err)
	}
	if a, b := state(f), state(g); a != b {
		t.Fatalf("restored state differs:\n%s\n---\n%s", a, b)
	}
	if !g.evicted.mayHold(appendKey(nil, "t", "i0")) {
		t.Error("restored filter lost an evicted key")
	}
	// The same corrections of hot interactions give the same batch.
	for _, x := range []*fold{f, g} {
		for i := 390; i < 400; i++ {
			it := rec(fmt.Sprintf("i%d", i), 2, "tech", time.Date(2026, 3, 5, 20, 0, 0, 0, time.UTC), 3)
			x.apply(&it, int64(500+i))
		}
	}
	bf, bg := f.takeBatch(900), g.takeBatch(900)
	if fmt.Sprint(sortedBuckets(bf.Buckets)) != fmt.Sprint(sortedBuckets(bg.Buckets)) {
		t.Fatalf("batches differ:\n%v\n%v", bf.Buckets, bg.Buckets)
	}
}

func sortedBuckets[T any](bs []T) []string {
	var out []string
	for _, b := range bs {
		out = append(out, fmt.Sprintf("%+v", b))
	}
	sort.Strings(out)
	return out
}

// FuzzSnapshot: restoring any bytes never panics, and what restores
// encodes to a snapshot that restores to the same state.
func FuzzSnapshot(f *testing.F) {
	data, err := foldedSample().snapshot()
	if err != nil {
		f.Fatal(err)
	}
	f.Add(data)
	f.Add([]byte(snapshotMagic))
	f.Add([]byte("APS1\x00\x00\x00\x00\x00\x00\x00\x00"))
	empty, _ := newFold(0).snapshot()
	f.Add(empty)
	f.Fuzz(func(t *testing.T, data []byte) {
		g := newFold(0)
		if err := g.restore(data); err != nil {
			return
		}
		again, err := g.snapshot()
		if err != nil {
			t.Fatal(err)
		}
		h := newFold(0)
		if err := h.restore(again); err != nil {
			t.Fatalf("re-encoded snapshot does not restore: %v", err)
		}
		if a, b := state(g), state(h); a != b {
			t.Fatalf("state changed through a second snapshot:\n%s\n---\n%s", a, b)
		}
	})
}

// TestPreGridSnapshotRefused: a snapshot of the versions before sums were
// on the grid ("APS1" to "APS3") is refused with errPreGridSnapshot (the
// worker then loads the partition from the store, re-summing on the grid:
// TestRestartWithoutSnapshot), however well formed the rest is.
func TestPreGridSnapshotRefused(t *testing.T) {
	data, err := foldedSample().snapshot()
	if err != nil {
		t.Fatal(err)
	}
	if string(data[:4]) != "APS4" {
		t.Fatalf("snapshot starts %q, want APS4", data[:4])
	}
	for _, magic := range []string{"APS1", "APS2", "APS3"} {
		old := append([]byte(magic), data[4:]...)
		err := newFold(3).restore(old)
		if !errors.Is(err, errPreGridSnapshot) || !errors.Is(err, errBadSnapshot) {
			t.Errorf("%s snapshot: %v, want errPreGridSnapshot", magic, err)
		}
	}
	f := newFold(3)
	if err := f.restore(data); err != nil {
		t.Fatal(err)
	}
	for _, d := range f.days {
		for _, b := range d.buckets {
			if !b.sums.OnGrid() {
				t.Errorf("part %v restored off the grid: %+v", b.key(), b.sums)
			}
		}
	}
}
