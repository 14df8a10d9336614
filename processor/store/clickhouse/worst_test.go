package clickhouse

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/agentpulse/agentpulse/processor/store"
	"github.com/agentpulse/agentpulse/schemas"
	"github.com/agentpulse/agentpulse/views"
)

// TestWorstSettledHours walks Worst's two paths by hand: hours whose
// buckets count every interaction with a row there (decided in the
// agent's key range) and hours a correction left a stale row in (decided
// by the revisions index), with moves between agents, a correction inside
// an hour, a move between the agent's own hours, and a range that cuts an
// hour whose newest revision lies outside it.
func TestWorstSettledHours(t *testing.T) {
	testWorstSettledHours(t, openStore(t, newDatabase(t)))
}

// testWorstSettledHours is TestWorstSettledHours on s (a single server's
// store, or a cluster's through its Distributed tables).
func testWorstSettledHours(t *testing.T, s *Store) {
	ctx := context.Background()
	base := time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC)
	h := func(n int, min int) time.Time {
		return base.Add(time.Duration(n)*time.Hour + time.Duration(min)*time.Minute)
	}
	offset := int64(0)
	version := int64(0)
	// apply stores revisions and the full new values of the buckets they
	// change (volume only; Worst reads nothing else of them).
	apply := func(its []schemas.Interaction, vols map[[2]string]int64) {
		t.Helper()
		var b store.Batch
		for _, it := range its {
			offset++
			it.TenantID, it.Model, it.TeamID, it.Inquiry = "t1", "voice", "A", "x"
			it.StartedAt = it.EndedAt.Add(-time.Minute)
			b.Records = append(b.Records, store.Record{Interaction: it, Offset: offset})
		}
		version++
		for k, v := range vols {
			hour, _ := time.Parse(time.RFC3339, k[1])
			b.Buckets = append(b.Buckets, store.Bucket{BucketKey: store.BucketKey{Tenant: "t1", Model: "voice", Team: "A",
				Agent: k[0], Inquiry: "x", Hour: hour}, Version: version, Sums: views.Sums{Volume: v, HandleSum: float64(v)}})
		}
		b.Next = offset + 1
		if err := s.Apply(ctx, b); err != nil {
			t.Fatal(err)
		}
	}
	key := func(agent string, n int) [2]string { return [2]string{agent, h(n, 0).Format(time.RFC3339)} }
	it := func(id string, rev int64, agent string, ended time.Time, handle float64) schemas.Interaction {
		return schemas.Interaction{InteractionID: id, Revision: rev, AgentID: agent, EndedAt: ended, HandleTimeS: handle}
	}
	check := func(what, agent string, from, to time.Time, wantUnsettled int, want ...string) {
		t.Helper()
		q := store.WorstQuery{Tenant: "t1", Model: "voice", Agent: agent, Inquiry: "x", From: from, To: to, Metric: views.MetricAHT, Limit: 100}
		got, err := s.Worst(ctx, q)
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		var ids []string
		for _, g := range got {
			ids = append(ids, fmt.Sprintf("%s/%d", g.InteractionID, g.Revision))
		}
		if !slices.Equal(ids, want) {
			t.Fatalf("%s: Worst = %v, want %v", what, ids, want)
		}
		from, to = from.Truncate(time.Hour), to.Add(-1).Truncate(time.Hour).Add(time.Hour)
		set, err := s.unsettledHours(ctx, q, from.UnixNano(), to.UnixNano())
		if err != nil {
			t.Fatal(err)
		}
		if n := len(set.Value) - 1; n != wantUnsettled {
			t.Fatalf("%s: %d unsettled hours %v, want %d", what, n, set.Value[1:], wantUnsettled)
		}
	}

	apply([]schemas.Interaction{it("i1", 1, "a1", h(0, 10), 30), it("i2", 1, "a1", h(0, 20), 20), it("i3", 1, "a1", h(1, 5), 10)},
		map[[2]string]int64{key("a1", 0): 2, key("a1", 1): 1})
	check("all settled", "a1", h(0, 0), h(5, 0), 0, "i1/1", "i2/1", "i3/1")

	// i2 moves to a2: a1's hour 0 keeps a stale row and is unsettled.
	apply([]schemas.Interaction{it("i2", 2, "a2", h(0, 20), 25)}, map[[2]string]int64{key("a1", 0): 1, key("a2", 0): 1})
	check("moved away", "a1", h(0, 0), h(5, 0), 1, "i1/1", "i3/1")
	check("moved in", "a2", h(0, 0), h(5, 0), 0, "i2/2")

	// A correction inside a settled hour: the highest revision of the hour.
	apply([]schemas.Interaction{it("i3", 2, "a1", h(1, 6), 40)}, nil)
	check("corrected in its hour", "a1", h(0, 0), h(5, 0), 1, "i3/2", "i1/1")

	// i1 moves to a later hour of the same agent: hour 0 unsettled, hour 2
	// settled, i1 once, at its new place.
	apply([]schemas.Interaction{it("i1", 2, "a1", h(2, 30), 50)}, map[[2]string]int64{key("a1", 0): 0, key("a1", 2): 1})
	check("moved to another hour", "a1", h(0, 0), h(5, 0), 1, "i1/2", "i3/2")

	// A range that cuts hour 3: i4's stale row is inside it, its newest
	// revision in the same hour before it; the hour is settled and the
	// answer still leaves i4 out.
	apply([]schemas.Interaction{it("i4", 1, "a1", h(3, 50), 60)}, map[[2]string]int64{key("a1", 3): 1})
	apply([]schemas.Interaction{it("i4", 2, "a1", h(3, 5), 70)}, nil)
	check("cut hour, newest outside", "a1", h(3, 30), h(5, 0), 0)
	check("cut hour, newest inside", "a1", h(3, 0), h(3, 40), 0, "i4/2")

	// Rows stored before their buckets (a write under way): unsettled, so
	// decided by the revisions index.
	apply([]schemas.Interaction{it("i5", 1, "a1", h(4, 0), 5)}, nil)
	check("rows before buckets", "a1", h(4, 0), h(5, 0), 1, "i5/1")
}
