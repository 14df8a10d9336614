package learn

import (
	"encoding/binary"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/agentpulse/agentpulse/outcomes"
	"github.com/agentpulse/agentpulse/processor/store"
)

func archivedCells(t *testing.T) *cells {
	t.Helper()
	a, err := openArchive(filepath.Join(t.TempDir(), "archive.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = a.close() })
	c := newCells(40 * 24 * time.Hour)
	c.arch = a
	return c
}

func partOf(t *testing.T, parts []store.Bucket, agent string, hour time.Time) store.Bucket {
	t.Helper()
	for _, p := range parts {
		if p.Agent == agent && p.Hour.Equal(hour) {
			return p
		}
	}
	t.Fatalf("no part of agent %s at %s in %+v", agent, hour, parts)
	return store.Bucket{}
}

// TestCellsArchiveFollowsDroppedRevisions: hand-computed parts. Two
// interactions share a bucket; one record 60 days later moves the
// tenant's event time past the horizon, so the bucket leaves memory for
// the archive (nothing written: its value is stored). A revision of x2
// moving it to agent b in the same hour (the stream dropped it) takes its
// cells out of the archived bucket and into b's: both written, exactly;
// a redelivery changes nothing; a revision moving x1 into the present
// brings its cells back to memory and empties the old bucket (written as
// a retraction). A first-seen interaction that old is archived in its
// bucket and gets the stream's cells.
func TestCellsArchiveFollowsDroppedRevisions(t *testing.T) {
	c := archivedCells(t)
	h := time.Date(2026, 9, 2, 10, 0, 0, 0, time.UTC)
	x1, x2 := ix("x1", "a", h.Add(5*time.Minute), 1), ix("x2", "a", h.Add(20*time.Minute), 1)
	c.place(&x1)
	c.place(&x2)
	for _, e := range []outcomes.Emitted{emitted("x1", 0.5, 0.25, true), emitted("x2", 0.75, 0.5, false)} {
		c.score(&e)
	}
	if got := c.flush(); len(got) != 1 {
		t.Fatalf("flush = %+v", got)
	}
	late := h.Add(60 * 24 * time.Hour)
	jump := ix("j", "z", late, 1)
	c.pos = 3
	c.place(&jump)
	if got := c.flush(); len(got) != 0 {
		t.Fatalf("the jump's flush wrote %+v (j has no cells yet; the archived bucket's value is stored)", got)
	}
	if c.ix[ixKey{"t", "x1"}] != nil || c.members[c.key(store.BucketKey{Tenant: "t", Model: "voice", Team: "A", Agent: "a", Inquiry: "billing", Hour: h})] != nil {
		t.Fatal("the old bucket is still in memory")
	}

	// x2 moves to agent b: the stream no longer holds it.
	c.pos = 4
	moved := ix("x2", "b", h.Add(20*time.Minute), 2)
	if !c.followDropped(&moved, false) {
		t.Fatal("followDropped did not take a revision of an archived interaction")
	}
	got := c.flush()
	if len(got) != 2 {
		t.Fatalf("flush = %+v, want a's and b's parts", got)
	}
	pa, pb := partOf(t, got, "a", h), partOf(t, got, "b", h)
	if want := (outcomes.Cell{N: 1, SumP: 0.5}); pa.Lsat != want {
		t.Errorf("a's sat %+v, want %+v (x1 alone)", pa.Lsat, want)
	}
	if want := (outcomes.Cell{N: 1, SumP: 0.25, Labels: 1, Pos: 1, Exp: 0.25}); pa.Lres != want {
		t.Errorf("a's res %+v, want %+v", pa.Lres, want)
	}
	if want := (outcomes.Cell{N: 1, SumP: 0.5, Labels: 1, Exp: 0.5}); pb.Lres != want || pb.Lsat != (outcomes.Cell{N: 1, SumP: 0.75}) {
		t.Errorf("b's part %+v / %+v, want x2's cells", pb.Lsat, pb.Lres)
	}
	if !c.followDropped(&moved, false) || len(c.flush()) != 0 {
		t.Error("a redelivery of the revision changed something")
	}

	// x1 moves into the present (a day before the jump): back in memory.
	c.pos = 5
	back := ix("x1", "c", late.Add(-24*time.Hour), 2)
	if !c.followDropped(&back, false) {
		t.Fatal("followDropped did not take x1")
	}
	got = c.flush()
	if len(got) != 2 {
		t.Fatalf("flush = %+v, want a's retraction and c's part", got)
	}
	if pa := partOf(t, got, "a", h); !pa.Sums.Empty() {
		t.Errorf("a's part %+v, want empty (a retraction)", pa.Sums)
	}
	if pc := partOf(t, got, "c", back.EndedAt.Truncate(time.Hour)); pc.Lsat != (outcomes.Cell{N: 1, SumP: 0.5}) {
		t.Errorf("c's part %+v, want x1's cells", pc.Lsat)
	}
	if c.ix[ixKey{"t", "x1"}] == nil {
		t.Error("x1 not back in memory")
	}

	// A first-seen interaction 50 days old: archived, then its cells.
	old := ix("x3", "d", h.Add(10*24*time.Hour), 1)
	if c.followDropped(&old, false) {
		t.Fatal("followDropped took a new interaction")
	}
	c.place(&old)
	e := emitted("x3", 0.25, 0.75, true)
	c.score(&e)
	got = c.flush()
	if pd := partOf(t, got, "d", old.EndedAt.Truncate(time.Hour)); pd.Lsat != (outcomes.Cell{N: 1, SumP: 0.25}) {
		t.Errorf("d's part %+v, want x3's cells", pd.Lsat)
	}
	if c.err != nil {
		t.Fatal(c.err)
	}
}

// TestArchiveRollback: writes made after a checkpoint's position are
// undone at start, newest first; writes up to it stay; position 0 empties.
func TestArchiveRollback(t *testing.T) {
	a, err := openArchive(filepath.Join(t.TempDir(), "archive.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer a.close()
	key := func(agent string) store.BucketKey {
		return store.BucketKey{Tenant: "t", Model: "voice", Team: "A", Agent: agent, Inquiry: "q", Hour: time.Unix(3600, 0).UTC()}
	}
	put := func(pos int64, id, agent string, rev int64) {
		t.Helper()
		if err := a.write(pos, []change{{tenant: "t", id: id, e: archived{Revision: rev, Key: key(agent), Sat: score{OK: true, P: 0.5}}}}); err != nil {
			t.Fatal(err)
		}
	}
	put(10, "x", "a", 1)
	put(10, "y", "a", 1)
	if err := a.checkpointed(10); err != nil {
		t.Fatal(err)
	}
	put(12, "x", "b", 2) // moved after the checkpoint
	if err := a.write(13, []change{{tenant: "t", id: "y", del: true}}); err != nil {
		t.Fatal(err)
	}
	put(13, "z", "b", 1)
	if err := a.rollback(10); err != nil {
		t.Fatal(err)
	}
	if e, ok, err := a.get("t", "x"); err != nil || !ok || e.Revision != 1 || e.Key != key("a") {
		t.Errorf("x after rollback: %+v %v %v", e, ok, err)
	}
	if _, ok, _ := a.get("t", "y"); !ok {
		t.Error("y's deletion not undone")
	}
	if _, ok, _ := a.get("t", "z"); ok {
		t.Error("z's write not undone")
	}
	if ids, err := a.members(key("a")); err != nil || len(ids) != 2 {
		t.Errorf("a's members %v %v, want x and y", ids, err)
	}
	if ids, _ := a.members(key("b")); len(ids) != 0 {
		t.Errorf("b's members %v, want none", ids)
	}
	if err := a.rollback(0); err != nil {
		t.Fatal(err)
	}
	if _, ok, _ := a.get("t", "x"); ok {
		t.Error("rollback(0) kept x")
	}
}

// FuzzArchivedDecode: an archive entry's decoder never panics, and what
// it accepts re-encodes to bytes it reads back as the same entry (the
// encoding is canonical; the reader also takes non-minimal varints).
func FuzzArchivedDecode(f *testing.F) {
	f.Add(encodeArchived(nil, &archived{Revision: 3, Key: store.BucketKey{Model: "voice", Agent: "a", Hour: time.Unix(7200, 0)},
		FeedRes: true, Sat: score{P: 0.5, OK: true, Has: true, Value: true}}))
	f.Add([]byte{})
	f.Add([]byte{2, 1, 'x'})
	f.Fuzz(func(t *testing.T, b []byte) {
		e, err := decodeArchived("t", b)
		if err != nil {
			return
		}
		again := encodeArchived(nil, &e)
		e2, err := decodeArchived("t", again)
		if err != nil {
			t.Fatalf("re-encoded %x does not decode: %v", again, err)
		}
		if third := encodeArchived(nil, &e2); string(third) != string(again) {
			t.Fatalf("re-encoded %x, then %x", again, third)
		}
	})
}

// BenchmarkArchiveMiss is what every new interaction costs the learner
// with an archive: one lookup that finds nothing (here in an archive of
// 100,000 interactions); ns/archived is the cost of archiving one (one
// transaction of 100,000, as an eviction writes a day of a tenant).
func BenchmarkArchiveMiss(b *testing.B) {
	a, err := openArchive(filepath.Join(b.TempDir(), "archive.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer a.close()
	chs := make([]change, 100_000)
	for i := range chs {
		chs[i] = change{tenant: "t", id: fmt.Sprintf("old-%07d", (i*7919)%len(chs)), e: archived{Revision: 1,
			Key: store.BucketKey{Tenant: "t", Model: "voice", Agent: fmt.Sprintf("a%d", i%300), Hour: time.Unix(int64(i/100)*3600, 0)}}}
	}
	start := time.Now()
	if err := a.write(1, chs); err != nil {
		b.Fatal(err)
	}
	archivedNs := float64(time.Since(start).Nanoseconds()) / float64(len(chs))
	b.ResetTimer()
	for i := range b.N {
		if _, ok, err := a.get("t", fmt.Sprintf("new-%07d", i)); ok || err != nil {
			b.Fatal(ok, err)
		}
	}
	b.ReportMetric(archivedNs, "ns/archived")
}

// TestArchiveLockedByAnotherLearner: a second learner on the same
// directory (two processors given one --data-dir) fails with an error
// that says what to change, not bbolt's bare "timeout".
func TestArchiveLockedByAnotherLearner(t *testing.T) {
	defer func(d time.Duration) { archiveLockWait = d }(archiveLockWait)
	archiveLockWait = 100 * time.Millisecond
	path := filepath.Join(t.TempDir(), "cells-archive.db")
	first, err := openArchive(path)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = first.close() }()
	_, err = openArchive(path)
	if err == nil || !strings.Contains(err.Error(), "its own --data-dir") {
		t.Fatalf("second open: %v, want an error naming --data-dir", err)
	}
}

// BenchmarkArchiveEvict is what an interaction leaving the learner's
// memory costs: evictions as cells.evict writes them, a day of a
// 300-agent tenant at a time (~3,300 interactions, by bucket), into an
// archive that grows to 100,000 per iteration; cpu_ns/archived is this
// process's CPU (user + system, the GC's included) per interaction.
func BenchmarkArchiveEvict(b *testing.B) {
	const perDay, days = 3300, 30
	batches := make([][]change, days)
	for d := range batches {
		chs := make([]change, perDay)
		for i := range chs {
			n := d*perDay + i
			chs[i] = change{tenant: "acme", id: fmt.Sprintf("acme-voice-%09d", (n*7919)%(perDay*days)), e: archived{Revision: 1,
				Key: store.BucketKey{Tenant: "acme", Model: "voice", Team: fmt.Sprintf("team-%02d", (i/100)%10), Agent: fmt.Sprintf("agent-%04d", (i/11)%300),
					Inquiry: "billing", Hour: time.Unix(int64(d*24+i/(perDay/24))*3600, 0)}, Sat: score{P: 0.5, OK: true}}}
		}
		batches[d] = chs
	}
	var cpu, wall time.Duration
	for range b.N {
		a, err := openArchive(filepath.Join(b.TempDir(), "archive.db"))
		if err != nil {
			b.Fatal(err)
		}
		c0, w0 := cpuTime(), time.Now()
		for d, chs := range batches {
			if err := a.write(int64(d+1), chs); err != nil {
				b.Fatal(err)
			}
		}
		if err := a.sync(); err != nil {
			b.Fatal(err)
		}
		cpu += cpuTime() - c0
		wall += time.Since(w0)
		_ = a.close()
	}
	n := float64(b.N * perDay * days)
	b.ReportMetric(float64(cpu.Nanoseconds())/n, "cpu_ns/archived")
	b.ReportMetric(float64(wall.Nanoseconds())/n, "wall_ns/archived")
}

// TestArchiveOfAnotherLayout: an archive file of an older key layout (no
// layout recorded) is replaced by an empty one, reported as created, so
// that a learner resuming from a checkpoint reads the log again.
func TestArchiveOfAnotherLayout(t *testing.T) {
	path := filepath.Join(t.TempDir(), "cells-archive.db")
	db, err := bolt.Open(path, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Update(func(tx *bolt.Tx) error {
		b, err := tx.CreateBucket(bucketIx)
		if err != nil {
			return err
		}
		return b.Put(ixArchiveKey("t", "old"), encodeArchived(nil, &archived{Revision: 1}))
	}); err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	a, err := openArchive(path)
	if err != nil {
		t.Fatal(err)
	}
	if !a.created {
		t.Error("an archive of the old layout was kept")
	}
	if _, ok, err := a.get("t", "old"); ok || err != nil {
		t.Errorf("the old layout's entry is still there (%v)", err)
	}
	if err := a.close(); err != nil {
		t.Fatal(err)
	}
	if a, err = openArchive(path); err != nil || a.created {
		t.Fatalf("reopening the new layout: created %v, %v", a != nil && a.created, err)
	}
	_ = a.close()
}

// TestArchiveSegments: a large first archiving (an eviction) goes to a
// segment; a later move of one of its interactions leaves the segment for
// ix and the other bucket; a reopened archive (filters rebuilt from the
// file) finds them all; rollback to the segment's position undoes the move
// only, rollback to before it drops the segment and its bucket lists.
func TestArchiveSegments(t *testing.T) {
	path := filepath.Join(t.TempDir(), "archive.db")
	a, err := openArchive(path)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = a.close() }()
	key := func(agent string) store.BucketKey {
		return store.BucketKey{Tenant: "t", Model: "voice", Agent: agent, Hour: time.Unix(7200, 0).UTC()}
	}
	var chs []change
	for i := range 2 * segmentMin {
		chs = append(chs, change{tenant: "t", id: fmt.Sprintf("x%02d", i), e: archived{Revision: 1, Key: key("a")}})
	}
	if err := a.write(5, chs); err != nil {
		t.Fatal(err)
	}
	segs := 0
	_ = a.db.View(func(tx *bolt.Tx) error { segs = tx.Bucket(bucketSeg).Stats().KeyN; return nil })
	if segs != len(chs) {
		t.Fatalf("%d interactions in segments, want %d", segs, len(chs))
	}
	check := func(when string, wantA int, x03 store.BucketKey, found bool) {
		t.Helper()
		e, ok, err := a.get("t", "x03")
		if err != nil || ok != found || (found && e.Key != x03) {
			t.Errorf("%s: x03 = %+v, %v, %v; want in %v: %v", when, e.Key, ok, err, x03, found)
		}
		if ids, err := a.members(key("a")); err != nil || len(ids) != wantA {
			t.Errorf("%s: a has %d members (%v), want %d", when, len(ids), err, wantA)
		}
		for i := range chs {
			if id := chs[i].id; id != "x03" {
				if _, ok, _ := a.get("t", id); ok != (wantA > 0) {
					t.Errorf("%s: %s found %v", when, id, ok)
				}
			}
		}
	}
	check("written", len(chs), key("a"), true)
	if err := a.checkpointed(5); err != nil {
		t.Fatal(err)
	}
	if err := a.write(7, []change{{tenant: "t", id: "x03", e: archived{Revision: 2, Key: key("b")}}}); err != nil {
		t.Fatal(err)
	}
	check("moved", len(chs)-1, key("b"), true)
	if ids, _ := a.members(key("b")); len(ids) != 1 {
		t.Errorf("b's members %v, want x03", ids)
	}
	if err := a.close(); err != nil {
		t.Fatal(err)
	}
	if a, err = openArchive(path); err != nil {
		t.Fatal(err)
	}
	check("reopened", len(chs)-1, key("b"), true)
	if err := a.reset(5); err != nil {
		t.Fatal(err)
	}
	check("rolled back to 5", len(chs), key("a"), true)
	if ids, _ := a.members(key("b")); len(ids) != 0 {
		t.Errorf("b's members %v after the rollback, want none", ids)
	}
	if err := a.reset(4); err != nil {
		t.Fatal(err)
	}
	check("rolled back to 4", 0, store.BucketKey{}, false)
}

// FuzzArchiveKeys: the archive's key readers never panic, and what they
// read from a key they accept encodes to a key they read the same (the
// readers take non-minimal varints, so a key need not be canonical).
func FuzzArchiveKeys(f *testing.F) {
	f.Add(ixArchiveKey("acme", "c-1"))
	f.Add(append(binary.BigEndian.AppendUint64(appendString(nil, "acme"), 42), "c-1"...))
	f.Add([]byte{})
	f.Add([]byte{9, 'a'})
	f.Fuzz(func(t *testing.T, k []byte) {
		if tenant, id, ok := splitIxKey(k); ok {
			if t2, id2, ok := splitIxKey(ixArchiveKey(tenant, id)); !ok || t2 != tenant || id2 != id {
				t.Fatalf("ix key %x read as (%q, %q), its encoding as (%q, %q, %v)", k, tenant, id, t2, id2, ok)
			}
		}
		if tenant, seg, id, ok := splitSegKey(k); ok {
			again := append(binary.BigEndian.AppendUint64(appendString(nil, tenant), seg), id...)
			if t2, s2, id2, ok := splitSegKey(again); !ok || t2 != tenant || s2 != seg || id2 != id {
				t.Fatalf("seg key %x read as (%q, %d, %q), its encoding otherwise", k, tenant, seg, id)
			}
		}
	})
}
