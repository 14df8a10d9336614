package storetest

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/agentpulse/agentpulse/processor/store"
)

// testRollups: a store.Compactor's SumBuckets answers what the same
// computation over Buckets answers before and after days and months are
// sealed, after corrections that touch sealed days (a part changed, an
// interaction moved to another team and agent, a part emptied, a new
// partition's part), before and after the redo, on ranges with ragged
// ends at both sides, whole days and whole months. Compact seals only
// what the lateness allows, and redoes only what a write touched. Values
// are dyadic, so sums are exact in any order. Skipped for a store that is
// not a store.Compactor.
func testRollups(t *testing.T, open func(t *testing.T) store.Store) {
	s := open(t)
	c, ok := s.(store.Compactor)
	if !ok {
		t.Skip("not a store.Compactor")
	}
	sm, ok := s.(store.Summer)
	if !ok {
		t.Fatal("a store.Compactor must be a store.Summer")
	}
	ctx := context.Background()
	// Data from Jan 30 to Mar 3: Feb is a whole month, with ragged days
	// on both sides.
	base := time.Date(2026, 1, 30, 0, 0, 0, 0, time.UTC)
	part := func(agent, team, inquiry string, hour int, p int32, version, volume int64) store.Bucket {
		b := store.Bucket{BucketKey: store.BucketKey{Tenant: "t1", Model: "voice", Team: team, Agent: agent, Inquiry: inquiry,
			Hour: base.Add(time.Duration(hour) * time.Hour)}, Partition: p, Version: version}
		if volume > 0 {
			b.Volume, b.HandleSum = volume, 60.5*float64(volume)
			b.PsatN, b.PsatSum = volume, 0.25*float64(volume)
			b.PresN, b.PresSum = volume-1, 0.5*float64(volume-1)
		}
		return b
	}
	var first []store.Bucket
	v := int64(1)
	for h := 0; h < 33*24; h += 5 {
		first = append(first,
			part("a", "A", "x", h, 0, v, int64(1+h%3)),
			part("b", "B", []string{"x", "y"}[h%2], h, 0, v, 2))
		if h%15 == 0 {
			first = append(first, part("a", "A", "y", h+1, 0, v, 1))
		}
		v++
	}
	apply(t, s, store.Batch{Partition: 0, Next: v, Buckets: first})
	// Another partition and tenant, and another model of the tenant.
	apply(t, s, store.Batch{Partition: 1, Next: 50, Buckets: []store.Bucket{
		part("a", "A", "x", 0, 1, 10, 3), part("c", "C", "z", 40, 1, 11, 1), part("a", "A", "x", 24*20+3, 1, 12, 2),
	}})
	other := part("a", "A", "x", 30, 0, 1, 7)
	other.Tenant = "t2"
	chat := part("a", "A", "x", 30, 0, 1, 5)
	chat.Model = "chat"
	apply(t, s, store.Batch{Partition: 0, Next: v + 1, Buckets: []store.Bucket{other, chat}})
	// The outcome learner's parts (volume 0, learned cells only) on some
	// of those keys: sums and rollups carry them.
	lw, learns := s.(store.LearnedWriter)
	var learned []store.Bucket
	for h := 0; learns && h < 33*24; h += 10 {
		learned = append(learned, learnedPart(part("a", "A", "x", h, store.LearnedPartition, 1, 0), h))
	}
	if learns {
		applyLearned(t, lw, learned)
	}

	hourAt := func(h int) time.Time { return base.Add(time.Duration(h) * time.Hour) }
	check := func(stage string) {
		t.Helper()
		to := []time.Time{hourAt(33 * 24), hourAt(32*24 + 7), hourAt(31 * 24), hourAt(29*24 + 13)}
		starts := []time.Time{hourAt(0), hourAt(5), hourAt(2*24 + 0), hourAt(2*24 + 1), hourAt(24 + 17), base.Add(-90 * 24 * time.Hour),
			hourAt(20*24 + 3).Add(30 * time.Minute)}
		for _, end := range to {
			for _, agent := range []string{"", "a", "c"} {
				var st []time.Time
				for _, s := range starts {
					if s.Before(end) {
						st = append(st, s)
					}
				}
				q := store.SumQuery{Tenant: "t1", Model: "voice", Agent: agent, To: end, Starts: st}
				var got []string
				err := sm.SumBuckets(ctx, q, func(c store.CellSums) error {
					got = append(got, cellText(c))
					return nil
				})
				if err != nil {
					t.Fatal(err)
				}
				slices.Sort(got)
				want := sumsFromBuckets(t, s, q)
				sameText(t, fmt.Sprintf("%s: SumBuckets(agent %q, to %s)", stage, agent, end.Format(time.RFC3339)),
					strings.Join(got, "\n"), strings.Join(want, "\n"))
			}
			// A set of agents (a cache's dirty agents) in one query.
			q := store.SumQuery{Tenant: "t1", Model: "voice", Agents: []string{"a", "c", "nobody"}, To: end, Starts: starts[:2]}
			var got, want []string
			if err := sm.SumBuckets(ctx, q, func(c store.CellSums) error {
				got = append(got, cellText(c))
				return nil
			}); err != nil {
				t.Fatal(err)
			}
			for _, a := range q.Agents {
				aq := q
				aq.Agent, aq.Agents = a, nil
				want = append(want, sumsFromBuckets(t, s, aq)...)
			}
			slices.Sort(got)
			slices.Sort(want)
			sameText(t, fmt.Sprintf("%s: SumBuckets(agents %v, to %s)", stage, q.Agents, end.Format(time.RFC3339)),
				strings.Join(got, "\n"), strings.Join(want, "\n"))
		}
	}
	compact := func(lateness time.Duration, days, months int) {
		t.Helper()
		st, err := c.Compact(ctx, lateness)
		if err != nil {
			t.Fatal(err)
		}
		if st.Days != days || st.Months != months {
			t.Fatalf("Compact(%v) = %+v, want %d days and %d months", lateness, st, days, months)
		}
	}

	check("before sealing")
	// t1/voice's watermark is Mar 3 23:00 (its newest hour, 22:00, plus
	// one): a lateness of 2 days seals Jan 30 .. Feb 28 (30 days), January
	// and February; t2/voice and t1/chat (watermark Jan 31 07:00) nothing.
	compact(48*time.Hour, 30, 2)
	check("sealed with lateness")
	compact(48*time.Hour, 0, 0)
	compact(0, 2, 0) // Mar 1 and Mar 2; Mar 3 and March never end before the watermark
	check("sealed")

	// Corrections touching sealed days: a's part of Feb 10 changes, b's
	// part of Feb 20 moves to team C and agent c (emptied, then added),
	// a part of a new partition lands on Jan 31 in another team, and a's
	// Mar 1 part empties.
	apply(t, s, store.Batch{Partition: 0, Next: v + 10, Buckets: []store.Bucket{
		part("a", "A", "x", 11*24+1, 0, v+2, 9),
		part("b", "B", "y", 21*24+1, 0, v+3, 0),
		part("c", "C", "y", 21*24+1, 0, v+3, 2),
		part("a", "A", "x", 30*24+5, 0, v+4, 0),
	}})
	apply(t, s, store.Batch{Partition: 2, Next: 5, Buckets: []store.Bucket{part("a", "B", "y", 24+2, 2, 4, 4)}})
	if learns {
		// A learned part of Feb 10 changes (a label matured), one of
		// Jan 31 moves with its interaction (emptied, added elsewhere).
		applyLearned(t, lw, []store.Bucket{
			learnedPart(part("a", "A", "x", 11*24, store.LearnedPartition, 2, 0), 7),
			part("a", "A", "x", 20, store.LearnedPartition, 2, 0),
			learnedPart(part("a", "B", "y", 24+2, store.LearnedPartition, 2, 0), 20),
		})
	}
	check("corrected, not yet redone")
	days := 4 // Feb 10, Feb 20, Jan 31, Mar 1; months Jan and Feb
	if learns {
		days = 5 // and Jan 30 (the learned part of hour 20 emptied)
	}
	compact(0, days, 2)
	check("redone")
	compact(0, 0, 0)
}
