package ws_test

import (
	"context"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gorilla/websocket"

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

// changingVerifier verifies tokens with the test secret, then lets the
// test change what they grant (as a roster of people does).
type changingVerifier struct {
	teams   atomic.Pointer[[]string]
	refused atomic.Bool
}

func (v *changingVerifier) Verify(tok string) (auth.Claims, error) {
	c, err := auth.Verifier{Secret: secret}.Verify(tok)
	if err != nil {
		return c, err
	}
	if v.refused.Load() {
		return auth.Claims{}, auth.ErrNotAllowed
	}
	if t := v.teams.Load(); t != nil && c.Role == auth.RoleSupervisor {
		c.Teams = *t
	}
	return c, nil
}

// TestReauthorizeReverifiesTokens: a change of what a token grants (the
// roster moved a supervisor to another team) reaches the open connection
// on Reauthorize at once, without waiting for ReauthorizeInterval: the
// old team's subscription ends with forbidden, the new team is admitted
// on the same connection; a person the roster no longer admits is closed
// with 4502 (DisconnectAccessRevoked).
func TestReauthorizeReverifiesTokens(t *testing.T) {
	v := &changingVerifier{}
	th := newTestHub(t, func(c *ws.Config) {
		c.Verifier = v
		c.ReauthorizeInterval = time.Hour // only Reauthorize triggers a pass
		c.Authorize = func(_ context.Context, cl auth.Claims, ch ws.Channel) error {
			if ch.Kind == ws.KindTeam && !cl.Leads(ch.ID) {
				return ws.ErrForbidden
			}
			return nil
		}
	})
	lead := auth.Claims{Tenant: "acme", Subject: "lead", Role: auth.RoleSupervisor, Teams: []string{"t1"}}
	c := th.dial(t, token(t, lead))
	subscribe(t, c, "team:t1")
	moved := []string{"t2"}
	v.teams.Store(&moved)
	start := time.Now()
	th.hub.Reauthorize()
	m := read(t, c)
	if m.Op != "error" || m.Error != ws.ErrCodeForbidden || m.Channel != "team:t1" {
		t.Fatalf("after the move: %+v, want forbidden on team:t1", m)
	}
	t.Logf("team change reached the open subscription in %s", time.Since(start))
	subscribe(t, c, "team:t2")
	v.refused.Store(true)
	th.hub.Reauthorize()
	if code := closeCode(t, c, 5*time.Second); code != ws.DisconnectAccessRevoked.Code {
		t.Fatalf("close code %d, want %d (access revoked)", code, ws.DisconnectAccessRevoked.Code)
	}
	// A new connection of the refused person is refused before the upgrade.
	_, resp, err := websocket.DefaultDialer.Dial(th.url(), http.Header{"Authorization": {"Bearer " + token(t, lead)}})
	if err == nil || resp == nil || resp.StatusCode != http.StatusForbidden {
		t.Fatalf("upgrade of a refused person: %v %v, want 403", err, resp)
	}
}
