package app_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/agentpulse/agentpulse/auth"
	"github.com/agentpulse/agentpulse/server/app/apptest"
	"github.com/agentpulse/agentpulse/server/ws"
)

// TestNamesPushed: a display name changed with PUT /v1/names, and a
// person's roster name, reach every open websocket of the tenant (an
// admin's subscribed to nothing, an agent's subscribed to their channel)
// as one {"op":"names"} message each, within a second; another tenant's
// connection gets nothing.
func TestNamesPushed(t *testing.T) {
	p := apptest.Start(t, apptest.Options{Agents: 8, TeamSize: 4, Days: 2})
	admin := p.Token(t, auth.Claims{Subject: "boss", Role: auth.RoleAdmin})
	dial := func(tok string) *websocket.Conn {
		t.Helper()
		c, resp, err := websocket.DefaultDialer.Dial("ws"+strings.TrimPrefix(p.URL, "http")+ws.Path, http.Header{"Authorization": {"Bearer " + tok}})
		if err != nil {
			t.Fatalf("dial: %v %v", err, resp)
		}
		t.Cleanup(func() { c.Close() })
		return c
	}
	type names struct {
		Op   string
		Data map[string]map[string]string
	}
	read := func(c *websocket.Conn, within time.Duration) (names, bool) {
		t.Helper()
		_ = c.SetReadDeadline(time.Now().Add(within))
		for {
			_, b, err := c.ReadMessage()
			if err != nil {
				return names{}, false
			}
			var op struct{ Op string }
			if err := json.Unmarshal(b, &op); err != nil {
				t.Fatalf("%s: %v", b, err)
			}
			if op.Op != ws.OpNames {
				continue // the agent's snapshot and scores
			}
			var m names
			if err := json.Unmarshal(b, &m); err != nil {
				t.Fatalf("%s: %v", b, err)
			}
			return m, true
		}
	}
	idle := dial(admin)
	agent := dial(p.Token(t, auth.Claims{Subject: "agent-0001", Role: auth.RoleAgent}))
	if err := agent.WriteJSON(map[string]string{"op": "subscribe", "channel": "agent:agent-0001"}); err != nil {
		t.Fatal(err)
	}
	other := dial(p.Token(t, auth.Claims{Tenant: "initech", Subject: "boss", Role: auth.RoleAdmin}))
	// The connections are registered once their upgrade answered; a
	// moment for the hub to list them.
	time.Sleep(100 * time.Millisecond)

	start := time.Now()
	if s := call(t, p, admin, "PUT", "/v1/names", map[string]map[string]string{"teams": {"team-01": "Billing East", "team-02": "Billing West"}, "models": {"chat": "Web chat"}}, nil); s != 200 {
		t.Fatalf("PUT /v1/names: %d", s)
	}
	want := `map[models:map[chat:Web chat] teams:map[team-01:Billing East team-02:Billing West]]`
	for name, c := range map[string]*websocket.Conn{"admin": idle, "agent": agent} {
		m, ok := read(c, 5*time.Second)
		if !ok || fmtMap(m.Data) != want {
			t.Fatalf("%s: %+v %v, want %s", name, m, ok, want)
		}
	}
	t.Logf("names reached open pages %s after the PUT began", time.Since(start))
	if s := call(t, p, admin, "PUT", "/v1/roster/people/agent-0001", map[string]any{"name": "Bo Ferreira", "role": "agent"}, nil); s != 201 {
		t.Fatalf("PUT person: %d", s)
	}
	if s := call(t, p, admin, "PUT", "/v1/names", map[string]map[string]string{"teams": {"team-02": ""}}, nil); s != 200 {
		t.Fatalf("PUT /v1/names: %d", s)
	}
	for name, c := range map[string]*websocket.Conn{"admin": idle, "agent": agent} {
		got := map[string]map[string]string{}
		for len(got) < 2 {
			m, ok := read(c, 5*time.Second)
			if !ok {
				t.Fatalf("%s: only %v", name, got)
			}
			for k, v := range m.Data {
				if got[k] == nil {
					got[k] = map[string]string{}
				}
				for id, n := range v {
					got[k][id] = n
				}
			}
		}
		if w := `map[people:map[agent-0001:Bo Ferreira] teams:map[team-02:]]`; fmtMap(got) != w {
			t.Errorf("%s: %s, want %s", name, fmtMap(got), w)
		}
	}
	if m, ok := read(other, 300*time.Millisecond); ok {
		t.Errorf("another tenant's connection got %+v", m)
	}
}

// fmtMap prints m with sorted keys.
func fmtMap(m map[string]map[string]string) string { return fmt.Sprint(m) }
