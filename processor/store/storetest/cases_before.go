package storetest

import (
	"testing"
	"time"

	"github.com/agentpulse/agentpulse/processor/store"
	"github.com/agentpulse/agentpulse/schemas"
)

// testRecentBefore: RecentBefore is Recent over the interactions that
// ended strictly before the bound, with the same order and limit, and
// follows revisions that move an interaction across the bound or away.
func testRecentBefore(t *testing.T, open func(t *testing.T) store.Store) {
	s := open(t)
	f, o := newFeed(0), newOracle()
	var its []schemas.Interaction
	for i := range 30 {
		id := string(rune('a'+i%26)) + string(rune('0'+i/26))
		its = append(its, ix("t1", id, 1, "a", "billing", t0.Add(time.Duration(i)*time.Hour)))
	}
	tie := ix("t1", "tie", 1, "a", "billing", t0.Add(10*time.Hour)) // ties with its[10]
	noise := ix("t1", "noise", 1, "a", "refund", t0.Add(5*time.Hour))
	all := append(its, tie, noise)
	mustValid(t, all...)
	b := f.batch(all...)
	apply(t, s, b)
	o.apply(b)
	check := func(step string) {
		t.Helper()
		for _, cut := range []time.Time{t0, t0.Add(time.Nanosecond), t0.Add(10 * time.Hour), t0.Add(10*time.Hour + 1), t0.Add(25 * time.Hour), t0.Add(1000 * time.Hour)} {
			for _, limit := range []int{0, 1, 5, 20, 100} {
				want := before(o.recent("t1", "voice", "a", "billing", 1000), cut, limit)
				got, err := s.RecentBefore(t.Context(), "t1", "voice", "a", "billing", cut.In(zoneMinus5), limit)
				if err != nil {
					t.Fatalf("RecentBefore: %v", err)
				}
				sameText(t, step+": RecentBefore "+cut.Format(time.RFC3339Nano), canonIxs(got), canonIxs(want))
			}
		}
	}
	check("initial")
	// Revisions: one moves from before the 10h cut to after it, one from
	// after to before, one to another agent.
	later, earlier, away := its[3], its[20], its[8]
	later.Revision, later.EndedAt, later.StartedAt = 2, t0.Add(40*time.Hour), t0.Add(40*time.Hour-time.Minute)
	earlier.Revision, earlier.EndedAt, earlier.StartedAt = 2, t0.Add(-time.Hour), t0.Add(-time.Hour-time.Minute)
	away.Revision, away.AgentID = 2, "b"
	mustValid(t, later, earlier, away)
	b = f.batch(later, earlier, away)
	apply(t, s, b)
	o.apply(b)
	check("after revisions")
}

// before keeps the interactions of newest-first its that ended before cut,
// at most limit.
func before(its []schemas.Interaction, cut time.Time, limit int) []schemas.Interaction {
	var out []schemas.Interaction
	for _, it := range its {
		if it.EndedAt.Before(cut) && len(out) < limit {
			out = append(out, it)
		}
	}
	return out
}
