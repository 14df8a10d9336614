package app_test

import (
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/agentpulse/agentpulse/auth"
	"github.com/agentpulse/agentpulse/server/app/apptest"
	"github.com/agentpulse/agentpulse/server/ws"
)

// TestWallboardKey: an admin's wallboard key (a TV link) reads its
// model's wallboard over REST and the websocket and nothing else (another
// model, agents, teams, the model list, plans: 403; other channels:
// forbidden), does not expire, and once revoked is refused at once: the
// open websocket is closed with 4502, REST answers 401.
func TestWallboardKey(t *testing.T) {
	p := apptest.Start(t, apptest.Options{Agents: 8, TeamSize: 4, Days: 2})
	admin := p.Token(t, auth.Claims{Subject: "boss", Role: auth.RoleAdmin})
	var models struct{ Models []struct{ Model string } }
	if s := call(t, p, admin, "GET", "/v1/models", nil, &models); s != 200 || len(models.Models) < 2 {
		t.Fatalf("GET /v1/models: %d %+v", s, models)
	}
	model, other := models.Models[0].Model, models.Models[1].Model
	var made struct {
		Key    string
		APIKey struct {
			ID, Wallboard string
		} `json:"api_key"`
	}
	if s := call(t, p, admin, "POST", "/v1/api-keys", map[string]string{"name": "Floor 2 TV", "wallboard": model}, &made); s != 201 || made.APIKey.Wallboard != model {
		t.Fatalf("create: %d %+v", s, made)
	}
	if s := call(t, p, admin, "POST", "/v1/api-keys", map[string]string{"name": "x", "wallboard": "no such/model"}, nil); s != 400 {
		t.Fatalf("bad wallboard: %d, want 400", s)
	}
	key := made.Key
	var board struct{ Teams []struct{ Team string } }
	if s := call(t, p, key, "GET", "/v1/wallboards/"+model, nil, &board); s != 200 || len(board.Teams) != 2 {
		t.Fatalf("the key's wallboard: %d %+v, want every team", s, board)
	}
	// The TV reads its board a page of teams at a time: every team is its.
	var page struct{ Teams []struct{ Team string } }
	target := "/v1/wallboards/" + model + "?agents=false&teams=" + board.Teams[1].Team + "," + board.Teams[0].Team
	if s := call(t, p, key, "GET", target, nil, &page); s != 200 || len(page.Teams) != 2 || page.Teams[0] != board.Teams[0] {
		t.Fatalf("GET %s with the key: %d %+v, want both teams", target, s, page)
	}
	for _, path := range []string{"/v1/wallboards/" + other, "/v1/models", "/v1/agents/agent-0001/performance?model=" + model,
		"/v1/teams/team-01/agents?model=" + model, "/v1/inbox", "/v1/roster", "/v1/audit"} {
		if s := call(t, p, key, "GET", path, nil, nil); s != 403 {
			t.Errorf("GET %s with the wallboard key: %d, want 403", path, s)
		}
	}
	var me struct{ Role, Wallboard string }
	if s := call(t, p, key, "GET", "/v1/me", nil, &me); s != 200 || me.Role != "wallboard" || me.Wallboard != model {
		t.Fatalf("me: %d %+v", s, me)
	}
	// The websocket, with the key as the browser sends it (access_token).
	c, resp, err := websocket.DefaultDialer.Dial("ws"+strings.TrimPrefix(p.URL, "http")+ws.Path+"?access_token="+key, nil)
	if err != nil {
		t.Fatalf("dial: %v %v", err, resp)
	}
	defer c.Close()
	read := func() wsMsg {
		t.Helper()
		_ = c.SetReadDeadline(time.Now().Add(10 * time.Second))
		var m wsMsg
		if err := c.ReadJSON(&m); err != nil {
			t.Fatalf("read: %v", err)
		}
		return m
	}
	for _, ch := range []string{"agent:agent-0001", "team:team-01", "wallboard:" + other} {
		_ = c.WriteJSON(map[string]string{"op": "subscribe", "channel": ch})
		if m := read(); m.Op != "error" || m.Error != ws.ErrCodeForbidden {
			t.Fatalf("subscribe %s: %+v, want forbidden", ch, m)
		}
	}
	_ = c.WriteJSON(map[string]string{"op": "subscribe", "channel": "wallboard:" + model})
	if m := read(); m.Type != ws.TypeSnapshot {
		t.Fatalf("wallboard snapshot: %+v", m)
	}
	start := time.Now()
	if s := call(t, p, admin, "POST", "/v1/api-keys/"+made.APIKey.ID+"/revoke", nil, nil); s != 200 {
		t.Fatalf("revoke: %d", s)
	}
	_ = c.SetReadDeadline(time.Now().Add(10 * time.Second))
	for {
		_, _, err := c.ReadMessage()
		if err == nil {
			continue
		}
		var ce *websocket.CloseError
		if !errors.As(err, &ce) || ce.Code != ws.DisconnectAccessRevoked.Code {
			t.Fatalf("after the revocation: %v, want close %d", err, ws.DisconnectAccessRevoked.Code)
		}
		break
	}
	t.Logf("revoked wallboard key: its open websocket closed %s after the revoke began", time.Since(start))
	if s := call(t, p, key, "GET", "/v1/wallboards/"+model, nil, nil); s != http.StatusUnauthorized {
		t.Fatalf("revoked key: %d, want 401", s)
	}
}
