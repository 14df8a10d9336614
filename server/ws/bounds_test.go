package ws_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/agentpulse/agentpulse/server/ws"
)

// TestChannelChurnBounded reproduces the security test's HIGH finding:
// subscribing and unsubscribing over fresh channel names on one
// connection grew the hub's channel table without bound (each channel
// kept for HistoryTTL after its last subscriber). A channel nothing was
// ever published on holds nothing to resume, so it goes with its last
// subscriber; a channel with history stays for resumes.
func TestChannelChurnBounded(t *testing.T) {
	th := newTestHub(t, func(c *ws.Config) { c.SubscribeRate = 1e6 })
	c := th.dial(t, token(t, admin))
	for i := range 300 {
		name := fmt.Sprintf("agent:made-up-%d", i)
		subscribe(t, c, name)
		send(t, c, map[string]string{"op": "unsubscribe", "channel": name})
		if m := read(t, c); m.Op != "unsubscribed" {
			t.Fatalf("unsubscribe %s: %+v", name, m)
		}
	}
	if n := th.hub.Stats().Channels; n != 0 {
		t.Fatalf("channels after 300 subscribe/unsubscribe of fresh names = %d, want 0", n)
	}
	// A channel with history outlives its last subscriber (resumes).
	subscribe(t, c, "agent:a1")
	th.hub.OnUpdate(context.Background(), update("acme", "a1", "t1", "voice", 1))
	if m := read(t, c); m.Type != ws.TypeScore {
		t.Fatalf("score: %+v", m)
	}
	send(t, c, `{"op":"unsubscribe","channel":"agent:a1"}`)
	read(t, c)
	if n := th.hub.Stats().Channels; n != 1 {
		t.Fatalf("channels after unsubscribing a channel with history = %d, want 1", n)
	}
}

// TestMaxChannels: past Config.MaxChannels, channels without subscribers
// are dropped early, and when every channel has subscribers a new one is
// refused with "unavailable" until one frees.
func TestMaxChannels(t *testing.T) {
	th := newTestHub(t, func(c *ws.Config) { c.MaxChannels = 3; c.SubscribeRate = 1e6 })
	c := th.dial(t, token(t, admin))
	for _, a := range []string{"a1", "a2", "a3"} {
		subscribe(t, c, "agent:"+a)
		th.hub.OnUpdate(context.Background(), update("acme", a, "t1", "voice", 1))
		read(t, c)
	}
	send(t, c, `{"op":"subscribe","channel":"agent:a4"}`)
	if m := read(t, c); m.Op != "error" || m.Error != ws.ErrCodeUnavailable || m.Channel != "agent:a4" {
		t.Fatalf("a fourth channel past MaxChannels 3: %+v, want unavailable", m)
	}
	send(t, c, `{"op":"unsubscribe","channel":"agent:a1"}`)
	read(t, c)
	subscribe(t, c, "agent:a4") // a1 had history but no subscriber: dropped for a4
	if s := th.hub.Stats(); s.Channels != 3 {
		t.Fatalf("channels = %d, want 3", s.Channels)
	}
	if v := counter(t, th.reg, "agentpulse_ws_limit_reached_total", "limit", "channels"); v != 1 {
		t.Fatalf("limit_reached{limit=channels} = %v, want 1", v)
	}
}

// TestSubscribeRateLimited reproduces the LOW-cost CPU finding: subscribe
// messages (each a snapshot) were not rate-limited. Past the burst, a
// connection's subscribes are refused with "rate_limited" and cost no
// snapshot; the connection stays open and recovers at the rate.
func TestSubscribeRateLimited(t *testing.T) {
	th := newTestHub(t, func(c *ws.Config) { c.SubscribeRate = 5; c.MaxSubscriptions = 4 })
	c := th.dial(t, token(t, admin))
	// The burst is MaxSubscriptions: a client may resubscribe its whole
	// set at once after a reconnect.
	for i := range 4 {
		subscribe(t, c, fmt.Sprintf("wallboard:m%d", i))
	}
	before := th.snaps.Load()
	limited := 0
	for range 20 {
		send(t, c, `{"op":"subscribe","channel":"wallboard:m0"}`)
		if m := read(t, c); m.Op == "error" && m.Error == ws.ErrCodeRateLimited {
			limited++
		}
	}
	if limited < 18 {
		t.Fatalf("%d of 20 quick subscribes refused as rate_limited, want at least 18", limited)
	}
	if got := th.snaps.Load() - before; got > 2 {
		t.Fatalf("%d snapshots built for 20 subscribes past the burst, want at most 2", got)
	}
	time.Sleep(250 * time.Millisecond) // one token at 5/s
	subscribe(t, c, "wallboard:m1")
}
