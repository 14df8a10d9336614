package storetest

import (
	"slices"
	"testing"
	"time"

	"github.com/agentpulse/agentpulse/processor/store"
	"github.com/agentpulse/agentpulse/schemas"
	"github.com/agentpulse/agentpulse/views"
)

// lateFixture stores three voice interactions of t1 — one at t0, one an
// hour later, one ended five days before in +05:30 — plus noise in another
// model and tenant, and returns the three hours (UTC) they land in, oldest
// first.
func lateFixture(t *testing.T, s store.Store) (o *oracle, hours [3]time.Time) {
	t.Helper()
	late := ix("t1", "late", 1, "a", "billing", time.Date(2026, 3, 5, 18, 59, 59, 999999999, zoneKolkata))
	now := ix("t1", "now", 1, "a", "billing", t0)
	next := ix("t1", "next", 1, "b", "refund", t0.Add(time.Hour))
	chat := ix("t1", "chat", 1, "a", "billing", t0)
	chat.Model = "chat"
	otherTenant := ix("t2", "now", 1, "a", "billing", t0)
	its := []schemas.Interaction{now, next, late, chat, otherTenant}
	mustValid(t, its...)
	f, o := newFeed(0), newOracle()
	b := f.batch(its...)
	apply(t, s, b)
	o.apply(b)
	return o, [3]time.Time{
		time.Date(2026, 3, 5, 13, 0, 0, 0, time.UTC), // 18:59:59.999999999+05:30 is 13:29:59.999999999Z
		t0.Truncate(time.Hour),
		t0.Truncate(time.Hour).Add(time.Hour),
	}
}

// hoursOf returns the UTC hours of buckets, sorted.
func hoursOf(bs []store.Bucket) []string {
	var out []string
	for _, b := range bs {
		out = append(out, b.Hour.UTC().Format(time.RFC3339))
	}
	slices.Sort(out)
	return out
}

func fmtHours(hs ...time.Time) []string {
	var out []string
	for _, h := range hs {
		out = append(out, h.Format(time.RFC3339))
	}
	slices.Sort(out)
	return out
}

// testLateData: an interaction that ended days before the others lands in
// its own UTC hour, and its bucket's value is exact.
func testLateData(t *testing.T, open func(t *testing.T) store.Store) {
	s := open(t)
	o, hours := lateFixture(t, s)
	q := store.BucketQuery{Tenant: "t1", Model: "voice", From: hours[0], To: hours[0].Add(time.Hour)}
	got := readBuckets(t, s, q)
	want := store.Bucket{BucketKey: store.BucketKey{Tenant: "t1", Model: "voice", Team: "team-a", Agent: "a", Inquiry: "billing", Hour: hours[0]}, Version: 2}
	// 0.8 is summed on the grid of views.Sums.
	want.Volume, want.HandleSum, want.PsatN, want.PsatSum, want.PresN, want.PresSum = 1, 250, 1, views.OnPredictionGrid(0.8), 1, 0.625
	sameText(t, "late bucket", canonBuckets(got), canonBucket(want))
	for _, b := range got {
		if _, off := b.Hour.Zone(); off != 0 {
			t.Errorf("bucket hour %v is not in UTC", b.Hour)
		}
	}
	checkState(t, s, o)
}

// testBucketRanges: [From, To) on and off hour boundaries.
func testBucketRanges(t *testing.T, open func(t *testing.T) store.Store) {
	s := open(t)
	_, h := lateFixture(t, s)
	ns := time.Nanosecond
	for _, tc := range []struct {
		name     string
		from, to time.Time
		want     []time.Time
	}{
		{"everything", wideFrom, wideTo, h[:]},
		{"zero from", time.Time{}, wideTo, h[:]},
		{"late hour exactly", h[0], h[0].Add(time.Hour), h[:1]},
		{"from one ns after the late hour", h[0].Add(ns), h[1], nil},
		{"to the late hour is exclusive", h[0].Add(-time.Hour), h[0], nil},
		{"to one ns after the late hour", h[0].Add(-time.Hour), h[0].Add(ns), h[:1]},
		{"from one ns before", h[1].Add(-ns), h[2], h[1:2]},
		{"two hours", h[1], h[2].Add(time.Hour), h[1:]},
		{"days", h[0].Add(-24 * time.Hour), h[1].Add(time.Hour), h[:2]},
		{"empty range", h[1], h[1], nil},
		{"inverted range", h[2], h[1], nil},
		{"range in another zone", h[1].In(zoneMinus5), h[1].Add(time.Hour).In(zoneKolkata), h[1:2]},
		{"before everything", wideFrom, h[0].Add(-time.Hour), nil},
		{"after everything", h[2].Add(time.Hour), wideTo, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := readBuckets(t, s, store.BucketQuery{Tenant: "t1", Model: "voice", From: tc.from, To: tc.to})
			if g, w := hoursOf(got), fmtHours(tc.want...); !slices.Equal(g, w) {
				t.Errorf("hours %v, want %v", g, w)
			}
		})
	}
}

// testBucketFilters: Agent, Team and Inquiry narrow a query; model and
// tenant always scope it.
func testBucketFilters(t *testing.T, open func(t *testing.T) store.Store) {
	s := open(t)
	_, h := lateFixture(t, s)
	for _, tc := range []struct {
		name string
		q    store.BucketQuery
		want []time.Time
	}{
		{"agent a", store.BucketQuery{Agent: "a"}, h[:2]},
		{"agent b", store.BucketQuery{Agent: "b"}, h[2:]},
		{"team of b", store.BucketQuery{Team: "team-b"}, h[2:]},
		{"inquiry billing", store.BucketQuery{Inquiry: "billing"}, h[:2]},
		{"inquiry refund", store.BucketQuery{Inquiry: "refund"}, h[2:]},
		{"agent and inquiry", store.BucketQuery{Agent: "a", Inquiry: "billing"}, h[:2]},
		{"agent, team and inquiry", store.BucketQuery{Agent: "b", Team: "team-b", Inquiry: "refund"}, h[2:]},
		{"agent and another's team", store.BucketQuery{Agent: "a", Team: "team-b"}, nil},
		{"agent and another inquiry", store.BucketQuery{Agent: "b", Inquiry: "billing"}, nil},
		{"unknown agent", store.BucketQuery{Agent: "zz"}, nil},
		{"inquiry is not a prefix match", store.BucketQuery{Inquiry: "bill"}, nil},
		{"other model", store.BucketQuery{Model: "chat"}, h[1:2]},
		{"other tenant", store.BucketQuery{Tenant: "t2"}, h[1:2]},
		{"unknown model", store.BucketQuery{Model: "email"}, nil},
		{"unknown tenant", store.BucketQuery{Tenant: "t3"}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			q := tc.q
			if q.Tenant == "" {
				q.Tenant = "t1"
			}
			if q.Model == "" {
				q.Model = "voice"
			}
			q.From, q.To = wideFrom, wideTo
			got := readBuckets(t, s, q)
			if g, w := hoursOf(got), fmtHours(tc.want...); !slices.Equal(g, w) {
				t.Errorf("hours %v, want %v", g, w)
			}
			for _, b := range got {
				if b.Tenant != q.Tenant || b.Model != q.Model || q.Agent != "" && b.Agent != q.Agent ||
					q.Team != "" && b.Team != q.Team || q.Inquiry != "" && b.Inquiry != q.Inquiry {
					t.Errorf("bucket %s does not match %+v", canonBucket(b), q)
				}
			}
		})
	}
}

// testEmptyBuckets: a bucket whose newest value has zero volume is not
// returned, however it got there.
func testEmptyBuckets(t *testing.T, open func(t *testing.T) store.Store) {
	s := open(t)
	f, o := newFeed(0), newOracle()
	x1 := ix("t1", "x", 1, "a", "billing", t0)
	x2 := ix("t1", "x", 2, "a", "billing", t0.Add(-3*time.Hour)) // moves to an earlier hour
	mustValid(t, x1, x2)
	b1 := f.batch(x1)
	b2 := f.batch(x2)
	apply(t, s, b1, b2)
	o.apply(b1)
	o.apply(b2)
	if len(b2.Buckets) != 2 || b2.Buckets[0].Volume != 0 {
		t.Fatalf("fixture: batch 2 should empty the old bucket, got %+v", b2.Buckets)
	}
	got := readBuckets(t, s, store.BucketQuery{Tenant: "t1", Model: "voice", From: wideFrom, To: wideTo})
	sameText(t, "buckets after a move", canonBuckets(got), canonBucket(b2.Buckets[1]))

	// Zero volume with float residue, and a key only ever written empty.
	residue := b1.Buckets[0]
	residue.Version, residue.Volume, residue.HandleSum, residue.PsatN, residue.PsatSum = 50, 0, 1e-13, 0, -2e-17
	never := residue
	never.Agent, never.Team = "never", "team-never"
	b3 := store.Batch{Buckets: []store.Bucket{residue, never}, Next: 51}
	apply(t, s, b3)
	o.apply(b3)
	got = readBuckets(t, s, store.BucketQuery{Tenant: "t1", Model: "voice", From: wideFrom, To: wideTo})
	sameText(t, "buckets after empty writes", canonBuckets(got), canonBucket(b2.Buckets[1]))
	checkState(t, s, o)
}
