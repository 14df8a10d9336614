package embedded

import (
	"context"
	"math"
	"testing"
	"time"

	"github.com/agentpulse/agentpulse/processor/store"
	"github.com/agentpulse/agentpulse/processor/store/storetest"
	"github.com/agentpulse/agentpulse/schemas"
	"github.com/agentpulse/agentpulse/views"
)

// TestRetainAndEraseOnRevisionChains: retention removes whole chains
// whose current revision ended before the cutoff and the older revisions
// that did from the chains that stay (and from byAgent); after an agent's
// erasure every read by agent (Recent, Worst, NewestOf, CurrentIn) finds
// the revisions under the pseudonym and none under the old id, and a
// record stored later (a rebuild) lands under the pseudonym too.
func TestRetainAndEraseOnRevisionChains(t *testing.T) {
	ctx := context.Background()
	day := func(d int) time.Time { return time.Date(2026, 10, d, 10, 0, 0, 0, time.UTC) }
	it := func(id string, rev int64, agent string, end time.Time) schemas.Interaction {
		return schemas.Interaction{TenantID: "t1", InteractionID: id, Revision: rev, Model: "voice", AgentID: agent, TeamID: "t",
			Inquiry: "billing", StartedAt: end.Add(-time.Minute), EndedAt: end, HandleTimeS: 60, Source: "api"}
	}
	s := New()
	storetest.Fill(t, s, []schemas.Interaction{
		it("i1", 1, "a1", day(5)), it("i1", 2, "a1", day(20)), // moved past the cutoff: rev 1 goes
		it("i2", 1, "a1", day(3)), // goes whole
		it("i3", 1, "a1", day(25)),
		it("i4", 1, "a2", day(22)),
	}, 1, 1)
	st, err := s.Retain(ctx, map[string]time.Time{"t1": day(11).Truncate(24 * time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	if st["t1"].Interactions != 1 || st["t1"].Revisions != 2 {
		t.Errorf("Retain removed %+v, want 1 interaction, 2 revisions", st["t1"])
	}
	if h := s.recs[interactionKey{"t1", "i1"}]; h == nil || h.revision != 2 || h.older != nil {
		t.Errorf("i1's chain after Retain: %+v", h)
	}
	if s.recs[interactionKey{"t1", "i2"}] != nil {
		t.Error("i2 kept")
	}
	if n := len(s.byAgent[agentKey{"t1", "voice", "a1"}]); n != 2 {
		t.Errorf("a1 lists %d revisions, want 2 (i1 rev 2, i3)", n)
	}

	const p = "erased-0123456789abcdef"
	got, err := s.EraseAgent(ctx, "t1", "a1", p)
	if err != nil || got.Revisions != 2 {
		t.Fatalf("EraseAgent: %+v, %v", got, err)
	}
	// A correction of i3 applied later (a rebuild from the log) is renamed.
	if err := s.Apply(ctx, store.Batch{Partition: 0, Next: 100, Records: []store.Record{{Interaction: it("i3", 2, "a1", day(26)), Offset: 99}}}); err != nil {
		t.Fatal(err)
	}
	for agent, want := range map[string]int{"a1": 0, p: 2, "a2": 1} {
		rs, err := s.Recent(ctx, "t1", "voice", agent, "billing", 10)
		if err != nil || len(rs) != want {
			t.Errorf("Recent(%s) = %d, %v; want %d", agent, len(rs), err, want)
		}
		ws, err := s.Worst(ctx, store.WorstQuery{Tenant: "t1", Model: "voice", Agent: agent, Inquiry: "billing", From: day(1), To: day(31),
			Metric: views.MetricAHT, Limit: 10})
		if err != nil || len(ws) != want {
			t.Errorf("Worst(%s) = %d, %v; want %d", agent, len(ws), err, want)
		}
		ns, err := s.NewestOf(ctx, 0, math.MaxInt64, "t1", "voice", agent, 10)
		if err != nil || len(ns) != want {
			t.Errorf("NewestOf(%s) = %d, %v; want %d", agent, len(ns), err, want)
		}
	}
	if rs, _ := s.Recent(ctx, "t1", "voice", p, "billing", 1); len(rs) != 1 || rs[0].InteractionID != "i3" || rs[0].Revision != 2 {
		t.Errorf("the pseudonym's newest: %+v, want i3 rev 2", rs)
	}
	key := store.BucketKey{Tenant: "t1", Model: "voice", Team: "t", Agent: p, Inquiry: "billing", Hour: day(26)}
	var in []store.Record
	if err := s.CurrentIn(ctx, 0, math.MaxInt64, []store.BucketKey{key}, func(r store.Record) error { in = append(in, r); return nil }); err != nil {
		t.Fatal(err)
	}
	if len(in) != 1 || in[0].InteractionID != "i3" || in[0].AgentID != p {
		t.Errorf("CurrentIn(the pseudonym's hour) = %+v", in)
	}
}
