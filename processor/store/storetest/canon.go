package storetest

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/agentpulse/agentpulse/outcomes"
	"github.com/agentpulse/agentpulse/processor/store"
	"github.com/agentpulse/agentpulse/schemas"
)

// wideFrom and wideTo bound a bucket query that selects every hour.
var (
	wideFrom = time.Date(1990, 1, 1, 0, 0, 0, 0, time.UTC)
	wideTo   = time.Date(2100, 1, 1, 0, 0, 0, 0, time.UTC)
)

// canonIx is an interaction's canonical text: every field, times as
// instants in their own offset, map keys sorted.
func canonIx(it schemas.Interaction) string { return string(it.AppendJSON(nil)) }

func canonIxs(its []schemas.Interaction) string {
	var sb strings.Builder
	for _, it := range its {
		sb.WriteString(canonIx(it))
		sb.WriteByte('\n')
	}
	return sb.String()
}

func canonRecord(r store.Record) string {
	return fmt.Sprintf("p%d@%d %s", r.Partition, r.Offset, canonIx(r.Interaction))
}

// canonRecords sorts: LoadPartition orders by ended_at only.
func canonRecords(rs []store.Record) string {
	lines := make([]string, len(rs))
	for i, r := range rs {
		lines[i] = canonRecord(r)
	}
	sort.Strings(lines)
	return strings.Join(lines, "\n")
}

func fl(f float64) string { return strconv.FormatFloat(f, 'g', -1, 64) }

func canonBucket(b store.Bucket) string {
	s := fmt.Sprintf("%s|%s|%s|%s|%s|%s p%d v%d n=%d h=%s ps=%d/%s pr=%d/%s",
		b.Tenant, b.Model, b.Agent, b.Inquiry, b.Team, b.Hour.UTC().Format(time.RFC3339), b.Partition, b.Version,
		b.Volume, fl(b.HandleSum), b.PsatN, fl(b.PsatSum), b.PresN, fl(b.PresSum))
	if b.Lsat != (outcomes.Cell{}) || b.Lres != (outcomes.Cell{}) {
		s += fmt.Sprintf(" lsat=%+v lres=%+v", b.Lsat, b.Lres)
	}
	return s
}

// canonBuckets sorts: Buckets' order is unspecified.
func canonBuckets(bs []store.Bucket) string {
	lines := make([]string, len(bs))
	for i, b := range bs {
		lines[i] = canonBucket(b)
	}
	sort.Strings(lines)
	return strings.Join(lines, "\n")
}

func canonLatest(t time.Time, ok bool) string {
	if !ok {
		return "no data"
	}
	return t.UTC().Format(time.RFC3339Nano)
}

// Reads from a store, failing the test on an error.

func readBuckets(t testing.TB, s store.Reader, q store.BucketQuery) []store.Bucket {
	t.Helper()
	var out []store.Bucket
	if err := s.Buckets(context.Background(), q, func(b store.Bucket) error {
		out = append(out, b)
		return nil
	}); err != nil {
		t.Fatalf("Buckets(%+v): %v", q, err)
	}
	return out
}

func readRecent(t testing.TB, s store.Reader, tenant, model, agent, inquiry string, limit int) []schemas.Interaction {
	t.Helper()
	out, err := s.Recent(context.Background(), tenant, model, agent, inquiry, limit)
	if err != nil {
		t.Fatalf("Recent(%s, %s, %s, %s, %d): %v", tenant, model, agent, inquiry, limit, err)
	}
	return out
}

func readLatest(t testing.TB, s store.Reader, tenant, model string) (time.Time, bool) {
	t.Helper()
	got, err := s.LatestData(context.Background(), tenant, model)
	if errors.Is(err, store.ErrNoData) {
		return time.Time{}, false
	}
	if err != nil {
		t.Fatalf("LatestData(%s, %s): %v", tenant, model, err)
	}
	return got, true
}

func readLoad(t testing.TB, s store.Writer, partition int32, below int64) []store.Record {
	t.Helper()
	var out []store.Record
	if err := s.LoadPartition(context.Background(), partition, below, func(r store.Record) error {
		out = append(out, r)
		return nil
	}); err != nil {
		t.Fatalf("LoadPartition(%d, %d): %v", partition, below, err)
	}
	for i := 1; i < len(out); i++ {
		if out[i].EndedAt.Before(out[i-1].EndedAt) {
			t.Fatalf("LoadPartition(%d, %d): %s (ended %v) after %s (ended %v): not in order of ended_at",
				partition, below, out[i].InteractionID, out[i].EndedAt, out[i-1].InteractionID, out[i-1].EndedAt)
		}
	}
	return out
}

func readCheckpoint(t testing.TB, s store.Writer, partition int32) int64 {
	t.Helper()
	got, err := s.Checkpoint(context.Background(), partition)
	if err != nil {
		t.Fatalf("Checkpoint(%d): %v", partition, err)
	}
	return got
}

func apply(t testing.TB, s store.Writer, bs ...store.Batch) {
	t.Helper()
	for _, b := range bs {
		if err := s.Apply(context.Background(), b); err != nil {
			t.Fatalf("Apply(partition %d, %d records, %d buckets, next %d): %v", b.Partition, len(b.Records), len(b.Buckets), b.Next, err)
		}
	}
}

// snapshot is the canonical text of every read over a scope, one line per
// read, so two states compare as strings and differ by readable lines.
func snapshot(t testing.TB, s store.Store, sc scope) string {
	t.Helper()
	return render(sc, reads{
		buckets: func(q store.BucketQuery) []store.Bucket { return readBuckets(t, s, q) },
		latest:  func(tenant, model string) (time.Time, bool) { return readLatest(t, s, tenant, model) },
		recent: func(tenant, model, agent, inquiry string) []schemas.Interaction {
			return readRecent(t, s, tenant, model, agent, inquiry, 1000)
		},
		checkpoint: func(p int32) int64 { return readCheckpoint(t, s, p) },
		load:       func(p int32) []store.Record { return readLoad(t, s, p, 1<<62) },
	})
}

// expected is snapshot computed by the oracle.
func (o *oracle) expected(sc scope) string {
	return render(sc, reads{
		buckets: o.bucketsOf,
		latest:  o.latest,
		recent: func(tenant, model, agent, inquiry string) []schemas.Interaction {
			return o.recent(tenant, model, agent, inquiry, 1000)
		},
		checkpoint: func(p int32) int64 { return o.checkpoints[p] },
		load:       func(p int32) []store.Record { return o.load(p, 1<<62) },
	})
}

// reads are the reads a snapshot makes, from a store or from the oracle.
type reads struct {
	buckets    func(store.BucketQuery) []store.Bucket
	latest     func(tenant, model string) (time.Time, bool)
	recent     func(tenant, model, agent, inquiry string) []schemas.Interaction
	checkpoint func(int32) int64
	load       func(int32) []store.Record
}

func render(sc scope, r reads) string {
	var sb strings.Builder
	for _, tenant := range sc.tenants {
		for _, model := range sc.models {
			q := store.BucketQuery{Tenant: tenant, Model: model, From: wideFrom, To: wideTo}
			fmt.Fprintf(&sb, "buckets %s/%s:\n%s\n", tenant, model, canonBuckets(r.buckets(q)))
			fmt.Fprintf(&sb, "latest %s/%s: %s\n", tenant, model, canonLatest(r.latest(tenant, model)))
		}
	}
	for _, c := range sc.recents {
		fmt.Fprintf(&sb, "recent %s/%s/%s/%s:\n%s", c[0], c[1], c[2], c[3], canonIxs(r.recent(c[0], c[1], c[2], c[3])))
	}
	for _, p := range sc.partitions {
		fmt.Fprintf(&sb, "checkpoint %d: %d\n", p, r.checkpoint(p))
		fmt.Fprintf(&sb, "load %d:\n%s\n", p, canonRecords(r.load(p)))
	}
	return sb.String()
}

// sameText fails with the differing lines when got != want.
func sameText(t testing.TB, what, got, want string) {
	t.Helper()
	if got == want {
		return
	}
	gl, wl := strings.Split(got, "\n"), strings.Split(want, "\n")
	var diff strings.Builder
	for i := 0; i < max(len(gl), len(wl)); i++ {
		var g, w string
		if i < len(gl) {
			g = gl[i]
		}
		if i < len(wl) {
			w = wl[i]
		}
		if g != w {
			fmt.Fprintf(&diff, "line %d:\n  got  %s\n  want %s\n", i+1, g, w)
			if diff.Len() > 4000 {
				diff.WriteString("  ...\n")
				break
			}
		}
	}
	t.Errorf("%s differs:\n%s", what, diff.String())
}

// checkState compares every read of s with the oracle.
func checkState(t testing.TB, s store.Store, o *oracle) {
	t.Helper()
	sc := o.scope()
	sameText(t, "store state", snapshot(t, s, sc), o.expected(sc))
}
