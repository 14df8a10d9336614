package ws_test

import (
	"context"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/agentpulse/agentpulse/auth"
	"github.com/agentpulse/agentpulse/server/ws"
)

// TestSubscriptionsReauthorized closes SECURITY.md's gap "subscriptions
// are authorized once": every ReauthorizeInterval the hub asks the
// Authorizer again for each subscription; one no longer allowed (a
// supervisor's agent moved to another team) is dropped with a
// "forbidden" error naming the channel, and the connection keeps its
// other subscriptions.
func TestSubscriptionsReauthorized(t *testing.T) {
	var moved atomic.Bool
	th := newTestHub(t, func(c *ws.Config) {
		c.ReauthorizeInterval = 50 * time.Millisecond
		c.Authorize = func(_ context.Context, _ auth.Claims, ch ws.Channel) error {
			if ch.ID == "a2" && moved.Load() {
				return ws.ErrForbidden
			}
			return nil
		}
	})
	lead := auth.Claims{Tenant: "acme", Subject: "lead", Role: auth.RoleSupervisor, Teams: []string{"t1"}}
	c := th.dial(t, token(t, lead))
	subscribe(t, c, "agent:a1")
	subscribe(t, c, "agent:a2")
	moved.Store(true)
	m := read(t, c)
	if m.Op != "error" || m.Error != ws.ErrCodeForbidden || m.Channel != "agent:a2" || !strings.Contains(m.Message, "no longer") {
		t.Fatalf("after the agent moved: %+v, want forbidden on agent:a2", m)
	}
	th.hub.OnUpdate(context.Background(), update("acme", "a2", "t2", "voice", 1))
	th.hub.OnUpdate(context.Background(), update("acme", "a1", "t1", "voice", 2))
	if m := read(t, c); m.Channel != "agent:a1" || m.Type != ws.TypeScore {
		t.Fatalf("next message %+v, want agent:a1's score only", m)
	}
	if s := th.hub.Stats(); s.Subscriptions != 1 {
		t.Fatalf("subscriptions = %d, want 1", s.Subscriptions)
	}
}
