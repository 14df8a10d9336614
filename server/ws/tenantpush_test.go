package ws_test

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/agentpulse/agentpulse/auth"
	"github.com/agentpulse/agentpulse/server/ws"
)

// TestPushTenant: a tenant-wide message reaches every open connection of
// its tenant, subscribed to a channel or to nothing, once each, and no
// connection of another tenant; it is counted by op.
func TestPushTenant(t *testing.T) {
	th := newTestHub(t, nil)
	idle := th.dial(t, token(t, admin))
	busy := th.dial(t, token(t, auth.Claims{Tenant: "acme", Subject: "a1", Role: auth.RoleAgent}))
	subscribe(t, busy, "agent:a1")
	other := th.dial(t, token(t, auth.Claims{Tenant: "initech", Subject: "boss", Role: auth.RoleAdmin}))
	subscribe(t, other, "agent:a1")
	// An answer shows the hub has registered the connection; idle ends
	// subscribed to nothing.
	subscribe(t, idle, "team:t1")
	send(t, idle, map[string]any{"op": "unsubscribe", "channel": "team:t1"})
	if m := read(t, idle); m.Op != "unsubscribed" {
		t.Fatalf("unsubscribe: %+v", m)
	}

	th.hub.PushTenant("acme", ws.OpNames, map[string]map[string]string{"teams": {"t1": "Front line"}, "people": {"a1": ""}})
	for name, c := range map[string]*websocket.Conn{"idle": idle, "busy": busy} {
		m := read(t, c)
		var data struct{ Teams, People map[string]string }
		if m.Op != ws.OpNames || m.Channel != "" || json.Unmarshal(m.Data, &data) != nil || data.Teams["t1"] != "Front line" || data.People["a1"] != "" || len(data.People) != 1 {
			t.Errorf("%s got %+v (%s)", name, m, m.Data)
		}
	}
	// initech's connection gets nothing: its next message is the answer
	// to a request made after the push.
	send(t, other, map[string]any{"op": "unsubscribe", "channel": "agent:a1"})
	if m := read(t, other); m.Op != "unsubscribed" {
		t.Errorf("another tenant's connection got %+v", m)
	}
	// Nothing more for acme either (one message per push).
	_ = idle.SetReadDeadline(time.Now().Add(200 * time.Millisecond))
	if _, b, err := idle.ReadMessage(); err == nil {
		t.Errorf("a second message %s", b)
	}
	if n := counter(t, th.reg, "agentpulse_ws_published_messages_total", "type", ws.OpNames); n != 1 {
		t.Errorf("published names = %v, want 1", n)
	}
}
