package storetest

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"testing"
	"time"

	"github.com/agentpulse/agentpulse/processor/store"
	"github.com/agentpulse/agentpulse/schemas"
)

// testLatestData: the newest ended_at among current revisions; ErrNoData
// for an unknown tenant or model; revisions moving ended_at back or moving
// the interaction to another model move it back.
func testLatestData(t *testing.T, open func(t *testing.T) store.Store) {
	s := open(t)
	for _, q := range [][2]string{{"t1", "voice"}, {"", ""}} {
		if _, err := s.LatestData(context.Background(), q[0], q[1]); !errors.Is(err, store.ErrNoData) {
			t.Errorf("LatestData(%q, %q) of an empty store: err = %v, want ErrNoData", q[0], q[1], err)
		}
	}
	f, o := newFeed(0), newOracle()
	step := func(its ...schemas.Interaction) {
		t.Helper()
		mustValid(t, its...)
		b := f.batch(its...)
		apply(t, s, b)
		o.apply(b)
	}
	expect := func(step, tenant, model string, want time.Time) {
		t.Helper()
		got, err := s.LatestData(context.Background(), tenant, model)
		switch {
		case want.IsZero() && !errors.Is(err, store.ErrNoData):
			t.Errorf("%s: LatestData(%s, %s) = %v, %v; want ErrNoData", step, tenant, model, got, err)
		case !want.IsZero() && (err != nil || !got.Equal(want)):
			t.Errorf("%s: LatestData(%s, %s) = %v, %v; want %v", step, tenant, model, got, err, want)
		}
	}
	a := ix("t1", "a", 1, "x", "billing", t0)
	b := ix("t1", "b", 1, "y", "refund", t0.Add(time.Hour))
	c := ix("t1", "c", 1, "x", "billing", t0.Add(2*time.Hour).In(zoneKolkata))
	c.StartedAt = c.StartedAt.In(zoneKolkata)
	step(a, b, c)
	expect("three", "t1", "voice", c.EndedAt)
	expect("three", "t1", "chat", time.Time{})
	expect("three", "t2", "voice", time.Time{})
	expect("three", "no-such-tenant", "voice", time.Time{})

	c2 := c
	c2.Revision, c2.EndedAt, c2.StartedAt = 2, t0.Add(-time.Hour), t0.Add(-2*time.Hour)
	step(c2)
	expect("c moved back", "t1", "voice", b.EndedAt)

	b2 := b
	b2.Revision, b2.Model = 2, "chat"
	step(b2)
	expect("b moved to chat", "t1", "voice", a.EndedAt)
	expect("b moved to chat", "t1", "chat", b.EndedAt)

	a2, c3 := a, c2
	a2.Revision, a2.Model = 2, "chat"
	c3.Revision, c3.Model = 3, "chat"
	step(a2, c3)
	expect("all moved to chat", "t1", "voice", time.Time{})
	expect("all moved to chat", "t1", "chat", b.EndedAt)

	// Many stale rows above the answer: one current interaction far back,
	// many newer ones all moved to another model.
	old := ix("t1", "old", 1, "x", "billing", t0.Add(-48*time.Hour))
	var moved, gone []schemas.Interaction
	for i := range 150 {
		m := ix("t1", "m"+string(rune('A'+i%26))+string(rune('a'+i/26)), 1, "x", "billing", t0.Add(time.Duration(i)*time.Second))
		moved = append(moved, m)
		m.Revision, m.Model = 2, "email"
		gone = append(gone, m)
	}
	step(append(moved, old)...)
	expect("many newer", "t1", "voice", moved[len(moved)-1].EndedAt)
	step(gone...)
	expect("many newer moved away", "t1", "voice", old.EndedAt)
	checkState(t, s, o)
}

// testRecentOrdering: newest ended_at first, ties by interaction_id
// descending (byte order), at most limit, scoped to tenant, model, agent
// and exact inquiry.
func testRecentOrdering(t *testing.T, open func(t *testing.T) store.Store) {
	s := open(t)
	mk := func(id string, ended time.Time) schemas.Interaction { return ix("t1", id, 1, "a", "billing", ended) }
	i1 := mk("i1", t0)
	i2 := mk("i2", t0.Add(time.Minute))
	i3 := mk("i3", t0.Add(time.Minute).In(zoneMinus5)) // same instant as i2, another offset
	i3.StartedAt = i3.StartedAt.In(zoneMinus5)
	i4 := mk("i4", t0.Add(-24*time.Hour)) // late
	i5 := mk("i5", t0.Add(2*time.Minute))
	a9 := mk("a9", t0.Add(-time.Hour)) // "a9" > "a10" > "A9" in byte order
	a10 := mk("a10", t0.Add(-time.Hour))
	A9 := mk("A9", t0.Add(-time.Hour))
	ns := mk("ns", t0.Add(-time.Hour+time.Nanosecond))
	noise := []schemas.Interaction{
		ix("t1", "other-inquiry", 1, "a", "billing-2", t0.Add(time.Hour)),
		ix("t1", "other-agent", 1, "b", "billing", t0.Add(time.Hour)),
		ix("t2", "other-tenant", 1, "a", "billing", t0.Add(time.Hour)),
	}
	chat := ix("t1", "other-model", 1, "a", "billing", t0.Add(time.Hour))
	chat.Model = "chat"
	all := append([]schemas.Interaction{i4, i1, a10, i3, A9, i2, ns, i5, a9, chat}, noise...)
	mustValid(t, all...)
	f := newFeed(0)
	apply(t, s, f.batch(all[:5]...), f.batch(all[5:]...))

	ordered := ixs(i5, i3, i2, i1, ns, a9, a10, A9, i4)
	for _, tc := range []struct {
		limit int
		want  []schemas.Interaction
	}{
		{100, ordered}, {9, ordered}, {8, ordered[:8]}, {3, ordered[:3]}, {1, ordered[:1]}, {0, nil}, {-1, nil},
	} {
		got := readRecent(t, s, "t1", "voice", "a", "billing", tc.limit)
		sameText(t, "Recent limit "+strconv.Itoa(tc.limit), canonIxs(got), canonIxs(tc.want))
	}
	for _, tc := range []struct{ tenant, model, agent, inquiry, wantID string }{
		{"t1", "voice", "a", "billing-2", "other-inquiry"},
		{"t1", "voice", "b", "billing", "other-agent"},
		{"t2", "voice", "a", "billing", "other-tenant"},
		{"t1", "chat", "a", "billing", "other-model"},
		{"t1", "voice", "a", "Billing", ""},
		{"t1", "voice", "a", "bill", ""},
		{"t1", "email", "a", "billing", ""},
		{"t3", "voice", "a", "billing", ""},
	} {
		got := readRecent(t, s, tc.tenant, tc.model, tc.agent, tc.inquiry, 10)
		var ids []string
		for _, it := range got {
			ids = append(ids, it.InteractionID)
		}
		if tc.wantID == "" && len(got) != 0 || tc.wantID != "" && (len(got) != 1 || got[0].InteractionID != tc.wantID) {
			t.Errorf("Recent(%s, %s, %s, %q) = %v, want [%s]", tc.tenant, tc.model, tc.agent, tc.inquiry, ids, tc.wantID)
		}
	}

	// The agent's 60 newest interactions move to another agent: Recent
	// still finds the newest that stayed, however far down they are.
	var newer, movedAway []schemas.Interaction
	for i := range 60 {
		it := mk(fmt.Sprintf("n%02d", i), t0.Add(time.Hour+time.Duration(i)*time.Second))
		newer = append(newer, it)
		it.Revision, it.AgentID, it.TeamID = 2, "b", "team-b"
		movedAway = append(movedAway, it)
	}
	mustValid(t, append(newer, movedAway...)...)
	apply(t, s, f.batch(newer...))
	sameText(t, "Recent limit 2 with newer", canonIxs(readRecent(t, s, "t1", "voice", "a", "billing", 2)), canonIxs(ixs(newer[59], newer[58])))
	apply(t, s, f.batch(movedAway...))
	for _, limit := range []int{1, 3, 9, 10} {
		want := ordered[:min(limit, len(ordered))]
		sameText(t, "Recent after the newest moved away, limit "+strconv.Itoa(limit), canonIxs(readRecent(t, s, "t1", "voice", "a", "billing", limit)), canonIxs(want))
	}
}

// testRoundTrip: Recent and LoadPartition return every canonical field
// exactly as written.
func testRoundTrip(t *testing.T, open func(t *testing.T) store.Store) {
	s := open(t)
	its := tricky("t1", "agent.o_neil@x-1", "Rückerstattung – 払い戻し 🧾 \"quoted\" \\ ?")
	mustValid(t, its...)
	f, o := newFeed(5), newOracle()
	b := f.batch(its...)
	apply(t, s, b)
	o.apply(b)
	want := append([]schemas.Interaction(nil), its...)
	sortRecent(want)
	got := readRecent(t, s, "t1", "voice", "agent.o_neil@x-1", its[0].Inquiry, 100)
	sameText(t, "round trip through Recent", canonIxs(got), canonIxs(want))
	for i := range got {
		if i >= len(want) {
			break
		}
		_, gotOff := got[i].EndedAt.Zone()
		_, wantOff := want[i].EndedAt.Zone()
		_, gotSOff := got[i].StartedAt.Zone()
		_, wantSOff := want[i].StartedAt.Zone()
		if gotOff != wantOff || gotSOff != wantSOff {
			t.Errorf("%s: zone offsets (%d, %d), want (%d, %d)", want[i].InteractionID, gotSOff, gotOff, wantSOff, wantOff)
		}
	}
	sameText(t, "round trip through LoadPartition", canonRecords(readLoad(t, s, 5, b.Next)), canonRecords(b.Records))
	checkState(t, s, o)
}
