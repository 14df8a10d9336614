package app_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/agentpulse/agentpulse/audit"
	"github.com/agentpulse/agentpulse/auth"
	"github.com/agentpulse/agentpulse/server/app/apptest"
	"github.com/agentpulse/agentpulse/server/ws"
)

// call sends method path with tok and body (nil: none), decodes the JSON
// answer into out (when not nil) and returns the status.
func call(t *testing.T, p *apptest.Product, tok, method, path string, body any, out any) int {
	t.Helper()
	var rd *bytes.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	} else {
		rd = bytes.NewReader(nil)
	}
	req, _ := http.NewRequest(method, p.URL+path, rd)
	req.Header.Set("Authorization", "Bearer "+tok)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if out != nil {
		_ = json.NewDecoder(resp.Body).Decode(out)
	}
	return resp.StatusCode
}

type wsMsg struct {
	Op, Channel, Type, Error, Message string
}

// TestRosterChangesTakeEffect: an admin's roster change reaches the next
// REST call and the open websocket of the person at once (not their next
// token): a supervisor moved from team-01 to team-02 loses team:team-01
// (error forbidden) and the team's REST route (403), gains team-02; in
// roster mode, removing them closes their websocket with 4502 and every
// call is refused with 403. Each change is audited.
func TestRosterChangesTakeEffect(t *testing.T) {
	p := apptest.Start(t, apptest.Options{Agents: 8, TeamSize: 4, Days: 2})
	admin := p.Token(t, auth.Claims{Subject: "boss", Role: auth.RoleAdmin})
	lead := p.Token(t, auth.Claims{Subject: "lead-01", Role: auth.RoleSupervisor, Teams: []string{"team-01"}})
	agent := p.Token(t, auth.Claims{Subject: "agent-0001", Role: auth.RoleAgent})
	var models struct{ Models []struct{ Model string } }
	if s := call(t, p, admin, "GET", "/v1/models", nil, &models); s != 200 || len(models.Models) == 0 {
		t.Fatalf("GET /v1/models: %d %+v", s, models)
	}
	model := models.Models[0].Model
	team := func(tok, id string) int {
		return call(t, p, tok, "GET", "/v1/teams/"+id+"/agents?model="+model, nil, nil)
	}
	if s := team(lead, "team-01"); s != 200 {
		t.Fatalf("lead-01 on team-01 before: %d", s)
	}
	if s := call(t, p, lead, "GET", "/v1/roster", nil, nil); s != 403 {
		t.Fatalf("a supervisor reads the roster: %d, want 403", s)
	}

	c, resp, err := websocket.DefaultDialer.Dial("ws"+strings.TrimPrefix(p.URL, "http")+ws.Path, http.Header{"Authorization": {"Bearer " + lead}})
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
	if err := c.WriteJSON(map[string]string{"op": "subscribe", "channel": "team:team-01"}); err != nil {
		t.Fatal(err)
	}
	if m := read(); m.Type != ws.TypeSnapshot {
		t.Fatalf("first message %+v", m)
	}

	start := time.Now()
	var person struct{ Subject, Name string }
	if s := call(t, p, admin, "PUT", "/v1/roster/people/lead-01", map[string]any{"name": "Ana Lima", "role": "supervisor", "teams": []string{"team-02"}}, &person); s != 201 || person.Name != "Ana Lima" {
		t.Fatalf("PUT lead-01: %d %+v", s, person)
	}
	for {
		m := read()
		if m.Op == "error" {
			if m.Error != ws.ErrCodeForbidden || m.Channel != "team:team-01" {
				t.Fatalf("after the move: %+v", m)
			}
			break
		}
	}
	t.Logf("team change reached the open subscription %s after the PUT began", time.Since(start))
	if s := team(lead, "team-01"); s != 403 {
		t.Fatalf("lead-01 on team-01 after the move: %d, want 403", s)
	}
	if s := team(lead, "team-02"); s != 200 {
		t.Fatalf("lead-01 on team-02 after the move: %d, want 200", s)
	}
	var names struct{ Names map[string]string }
	if s := call(t, p, agent, "GET", "/v1/people/names", nil, &names); s != 200 || names.Names["lead-01"] != "Ana Lima" {
		t.Fatalf("names: %d %+v", s, names)
	}
	var me struct {
		Role  string
		Teams []string
		Name  string
	}
	if s := call(t, p, lead, "GET", "/v1/me", nil, &me); s != 200 || me.Role != "supervisor" || len(me.Teams) != 1 || me.Teams[0] != "team-02" || me.Name != "Ana Lima" {
		t.Fatalf("me: %d %+v", s, me)
	}

	if s := call(t, p, admin, "PUT", "/v1/roster/mode", map[string]string{"mode": "roster"}, nil); s != 409 {
		t.Fatalf("roster mode with boss unlisted: %d, want 409", s)
	}
	if s := call(t, p, admin, "PUT", "/v1/roster/people/boss", map[string]any{"role": "admin"}, nil); s != 201 {
		t.Fatalf("PUT boss: %d", s)
	}
	if s := call(t, p, admin, "PUT", "/v1/roster/mode", map[string]string{"mode": "roster"}, nil); s != 200 {
		t.Fatalf("roster mode: %d", s)
	}
	// agent-0001 is not listed: refused with 403 naming the rule.
	var refusal struct{ Error, Field string }
	if s := call(t, p, agent, "GET", "/v1/agents/agent-0001/models", nil, &refusal); s != 403 || refusal.Field != "sub" || !strings.Contains(refusal.Error, "roster") {
		t.Fatalf("unlisted agent in roster mode: %d %+v", s, refusal)
	}
	start = time.Now()
	if s := call(t, p, admin, "DELETE", "/v1/roster/people/lead-01", nil, nil); s != 200 {
		t.Fatalf("DELETE lead-01: %d", s)
	}
	_ = c.SetReadDeadline(time.Now().Add(10 * time.Second))
	for {
		_, _, err := c.ReadMessage()
		if err == nil {
			continue
		}
		var ce *websocket.CloseError
		if !errors.As(err, &ce) || ce.Code != ws.DisconnectAccessRevoked.Code {
			t.Fatalf("after the removal: %v, want close %d", err, ws.DisconnectAccessRevoked.Code)
		}
		break
	}
	t.Logf("removal closed the open websocket %s after the DELETE began", time.Since(start))
	if s := team(lead, "team-02"); s != 403 {
		t.Fatalf("removed lead-01: %d, want 403", s)
	}

	want := map[string]int{audit.RoleChanged: 2, audit.RosterModeChanged: 1, audit.PersonRemoved: 1}
	deadline := time.Now().Add(10 * time.Second)
	for {
		got := map[string]int{}
		for _, e := range p.Audit.Query(p.Tenant, "", time.Time{}, 100) {
			got[e.Action]++
			if e.Action == audit.PersonRemoved && (e.Actor != "boss" || e.Target != "lead-01" || !strings.Contains(e.Detail, "team-02")) {
				t.Fatalf("removal event %+v", e)
			}
		}
		if got[audit.RoleChanged] == want[audit.RoleChanged] && got[audit.RosterModeChanged] == 1 && got[audit.PersonRemoved] == 1 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("audit events %v, want %v", got, want)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
