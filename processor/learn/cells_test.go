package learn

import (
	"bytes"
	"testing"
	"time"

	"github.com/agentpulse/agentpulse/outcomes"
	"github.com/agentpulse/agentpulse/processor/store"
	"github.com/agentpulse/agentpulse/schemas"
)

func ptr[T any](v T) *T { return &v }

func ix(id, agent string, ended time.Time, rev int64) schemas.Interaction {
	return schemas.Interaction{TenantID: "t", InteractionID: id, Revision: rev, AgentID: agent, TeamID: "A", Model: "voice",
		Inquiry: "billing", StartedAt: ended.Add(-time.Minute), EndedAt: ended, HandleTimeS: 60}
}

func emitted(id string, psat, pres float64, resolved bool) outcomes.Emitted {
	e := outcomes.Emitted{Tenant: "t", Model: "voice", ID: id}
	e.Pred[outcomes.Satisfaction] = outcomes.Prediction{OK: true, P: psat}
	e.Pred[outcomes.Resolution] = outcomes.Prediction{OK: true, P: pres}
	e.Label[outcomes.Resolution] = outcomes.Label{Has: true, Value: resolved}
	return e
}

// TestCellsFollowRevisions: hand-computed parts. Two interactions share a
// bucket; a correction moves one to another agent (both buckets
// rewritten, the cell moves), a feed prediction on a later revision takes
// its satisfaction cell out, an older revision changes nothing, and a
// bucket whose members are all feed-predicted is written only to retract.
func TestCellsFollowRevisions(t *testing.T) {
	c := newCells(40 * 24 * time.Hour)
	h := time.Date(2026, 11, 2, 10, 0, 0, 0, time.UTC)
	a1, a2 := ix("x1", "a", h.Add(5*time.Minute), 1), ix("x2", "a", h.Add(20*time.Minute), 1)
	c.place(&a1)
	c.place(&a2)
	for _, e := range []outcomes.Emitted{emitted("x1", 0.5, 0.25, true), emitted("x2", 0.75, 0.5, false)} {
		c.score(&e)
	}
	got := c.flush()
	if len(got) != 1 || got[0].Partition != store.LearnedPartition || got[0].Agent != "a" {
		t.Fatalf("flush = %+v", got)
	}
	wantSat := outcomes.Cell{N: 2, SumP: 1.25}
	wantRes := outcomes.Cell{N: 2, SumP: 0.75, Labels: 2, Pos: 1, Exp: 0.75}
	if got[0].Lsat != wantSat || got[0].Lres != wantRes || got[0].Volume != 0 {
		t.Fatalf("part %+v / %+v, want %+v / %+v", got[0].Lsat, got[0].Lres, wantSat, wantRes)
	}
	if again := c.flush(); len(again) != 0 {
		t.Fatalf("nothing dirty, flush = %+v", again)
	}
	// x2 moves to agent b (revision 2) and gains a feed psat.
	moved := ix("x2", "b", h.Add(20*time.Minute), 2)
	moved.PredictedSatisfaction = ptr(0.9)
	c.place(&moved)
	old := ix("x2", "a", h.Add(20*time.Minute), 1)
	c.place(&old) // an older revision: nothing
	got = c.flush()
	if len(got) != 2 || got[0].Agent != "a" || got[1].Agent != "b" {
		t.Fatalf("after the move, flush = %+v", got)
	}
	if got[0].Lsat != (outcomes.Cell{N: 1, SumP: 0.5}) || got[0].Lres != (outcomes.Cell{N: 1, SumP: 0.25, Labels: 1, Pos: 1, Exp: 0.25}) {
		t.Fatalf("a's part after the move: %+v / %+v", got[0].Lsat, got[0].Lres)
	}
	if got[1].Lsat != (outcomes.Cell{}) || got[1].Lres != (outcomes.Cell{N: 1, SumP: 0.5, Labels: 1, Exp: 0.5}) {
		t.Fatalf("b's part after the move: %+v / %+v", got[1].Lsat, got[1].Lres)
	}
	// x2 gets a feed pres too: b's part is zero now, written to retract;
	// later changes to it are not written again.
	both := moved
	both.Revision, both.PredictedResolution = 3, ptr(0.8)
	c.place(&both)
	got = c.flush()
	if len(got) != 1 || got[0].Agent != "b" || !got[0].Sums.Empty() {
		t.Fatalf("retraction: %+v", got)
	}
	e := emitted("x2", 0.6, 0.6, true)
	c.score(&e)
	if got := c.flush(); len(got) != 0 {
		t.Fatalf("a zero part written again: %+v", got)
	}
	// The state round-trips through the checkpoint encoding.
	b := encodeCells(t, c)
	r := newCells(c.horizon)
	if err := r.decode(outcomes.NewDecoder(b)); err != nil {
		t.Fatal(err)
	}
	if b2 := encodeCells(t, r); !bytes.Equal(b, b2) || len(r.held) != 1 || !r.held[r.keyOf(&a1)] {
		t.Fatalf("round trip:\n%x\n%x\nheld %v", b, b2, r.held)
	}
}

func encodeCells(t *testing.T, c *cells) []byte {
	t.Helper()
	var buf bytes.Buffer
	e := outcomes.NewEncoder(&buf)
	c.encode(e)
	if err := e.Flush(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func got0Key(it schemas.Interaction) store.BucketKey {
	return store.BucketKey{Tenant: it.TenantID, Model: it.Model, Team: it.TeamID, Agent: it.AgentID, Inquiry: it.Inquiry,
		Hour: it.EndedAt.UTC().Truncate(time.Hour)}
}

// TestCellsHorizon: buckets past the horizon behind the tenant's newest
// ended_at leave memory, and an interaction first seen that old is not
// placed.
func TestCellsHorizon(t *testing.T) {
	c := newCells(48 * time.Hour)
	h := time.Date(2026, 11, 2, 10, 0, 0, 0, time.UTC)
	early, late := ix("x1", "a", h, 1), ix("x2", "a", h.Add(72*time.Hour), 1)
	c.place(&early)
	c.place(&late)
	c.flush()
	if c.ix[ixKey{"t", "x1"}] != nil || c.ix[ixKey{"t", "x2"}] == nil || len(c.members) != 1 {
		t.Fatalf("after eviction: %d interactions, %d buckets", len(c.ix), len(c.members))
	}
	old := ix("x3", "a", h.Add(time.Hour), 1)
	c.place(&old)
	if c.ix[ixKey{"t", "x3"}] != nil {
		t.Fatal("an interaction beyond the horizon was placed")
	}
	// x2 scored, then corrected into an hour beyond the horizon: its cell
	// leaves its bucket (written zero, to retract) and it is dropped.
	e := emitted("x2", 0.5, 0.5, true)
	c.score(&e)
	if got := c.flush(); len(got) != 1 || got[0].Lsat.N != 1 {
		t.Fatalf("x2's part: %+v", got)
	}
	back := ix("x2", "a", h.Add(time.Hour), 2)
	c.place(&back)
	got := c.flush()
	if len(got) != 1 || !got[0].Sums.Empty() || c.ix[ixKey{"t", "x2"}] != nil {
		t.Fatalf("after a move beyond the horizon: %+v, held %v", got, c.ix[ixKey{"t", "x2"}])
	}
}

// FuzzCellsLoad: any checkpoint's cells part either loads or is refused
// with an error, never a panic, and what loads encodes again to bytes
// that load the same.
func FuzzCellsLoad(f *testing.F) {
	c := newCells(time.Hour)
	it := schemas.Interaction{TenantID: "t", InteractionID: "x", Revision: 1, Model: "voice", TeamID: "A", AgentID: "a",
		Inquiry: "b", EndedAt: time.Date(2026, 11, 2, 10, 0, 0, 0, time.UTC)}
	c.place(&it)
	e := emitted("x", 0.5, 0.25, true)
	c.score(&e)
	c.flush()
	var buf bytes.Buffer
	enc := outcomes.NewEncoder(&buf)
	c.encode(enc)
	_ = enc.Flush()
	f.Add(buf.Bytes())
	f.Add([]byte{1, 0, 0, 0, 1})
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, data []byte) {
		c := newCells(time.Hour)
		if err := c.decode(outcomes.NewDecoder(data)); err != nil {
			return
		}
		b := encodeCells(t, c)
		again := newCells(time.Hour)
		if err := again.decode(outcomes.NewDecoder(b)); err != nil {
			t.Fatalf("re-read of own bytes: %v", err)
		}
		if b2 := encodeCells(t, again); !bytes.Equal(b, b2) {
			t.Fatal("not stable")
		}
		c.flush()
	})
}
