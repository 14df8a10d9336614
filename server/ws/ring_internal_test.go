package ws

import "testing"

// TestHistoryLazy: a channel's history grows with what is published, up
// to HistorySize, instead of allocating HistorySize slots at once (the
// HIGH finding's 256-slot ring per made-up channel).
func TestHistoryLazy(t *testing.T) {
	ch := newChannel("k", "agent:a1", 256)
	if cap(ch.history.buf) != 0 {
		t.Fatalf("a new channel holds %d history slots, want 0", cap(ch.history.buf))
	}
	for i := 1; i <= 300; i++ {
		ch.history.push(&message{seq: uint64(i)})
	}
	if o, _ := ch.history.oldest(); o != 45 || len(ch.history.since(0)) != 256 {
		t.Fatalf("oldest = %d, held %d; want 45 and 256", o, len(ch.history.since(0)))
	}
	if got := ch.history.since(298); len(got) != 2 || got[0].seq != 299 || got[1].seq != 300 {
		t.Fatalf("since 298 = %d messages", len(got))
	}
}
