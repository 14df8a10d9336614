package storeview

import (
	"testing"
	"time"

	"github.com/agentpulse/agentpulse/schemas"
)

// TestLatestMemo checks the remembered range end by hand: fresh for the
// TTL, raised at once by an update's interactions, and not lowered by a
// read that began before a raise.
func TestLatestMemo(t *testing.T) {
	clock := time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)
	l := newLatestMemo(time.Second)
	l.now = func() time.Time { return clock }
	k := modelKey{"t", "voice"}
	at := func(h int) time.Time { return time.Date(2026, 11, 30, h, 0, 0, 0, time.UTC) }
	upd := func(h int) *schemas.Update {
		return &schemas.Update{Tenant: "t", Model: "voice", Interactions: []schemas.UpdateInteraction{{ID: "x", EndedAt: at(h)}}}
	}
	want := func(step string, w time.Time, ok bool) {
		t.Helper()
		got, gotOK := l.get(k)
		if gotOK != ok || (ok && !got.Equal(w)) {
			t.Fatalf("%s: get = %v %v, want %v %v", step, got, gotOK, w, ok)
		}
	}
	want("empty", time.Time{}, false)
	l.put(k, at(8), clock)
	want("read", at(8), true)
	l.raise(&schemas.Update{Tenant: "t", Model: "chat", Interactions: []schemas.UpdateInteraction{{ID: "y", EndedAt: at(11)}}})
	want("other model's update", at(8), true)
	l.raise(upd(9))
	want("raised", at(9), true)
	l.raise(upd(7))
	want("an older interaction", at(9), true)
	clock = clock.Add(time.Second)
	want("expired", time.Time{}, false)
	// A read begins, an update arrives, the read (which missed it) ends.
	started := clock
	clock = clock.Add(10 * time.Millisecond)
	l.raise(upd(10))
	l.put(k, at(9), started)
	want("raise during the read", at(10), true)
	// A read that began before the last one answered is not kept.
	l.put(k, at(6), started.Add(-time.Millisecond))
	want("late older read", at(10), true)
	// After the TTL a read's lower answer (a correction) is taken.
	clock = clock.Add(2 * time.Second)
	l.put(k, at(6), clock)
	want("correction after the TTL", at(6), true)
}
