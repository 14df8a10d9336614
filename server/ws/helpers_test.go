package ws_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/gorilla/websocket"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/agentpulse/agentpulse/auth"
	"github.com/agentpulse/agentpulse/schemas"
	"github.com/agentpulse/agentpulse/server/ws"
)

var secret = []byte("0123456789abcdef0123456789abcdef")

// testHub is a hub behind an httptest server. Its authorizer forbids
// every channel whose id starts with "secret" and admits the rest; its
// snapshots are {"snap": n} with n counting snapshots.
type testHub struct {
	hub   *ws.Hub
	srv   *httptest.Server
	reg   *prometheus.Registry
	snaps atomic.Int64
}

func newTestHub(t testing.TB, mod func(*ws.Config)) *testHub {
	t.Helper()
	th := &testHub{reg: prometheus.NewRegistry()}
	cfg := ws.Config{
		Verifier: auth.Verifier{Secret: secret},
		Authorize: func(_ context.Context, _ auth.Claims, ch ws.Channel) error {
			if strings.HasPrefix(ch.ID, "secret") {
				return ws.ErrForbidden
			}
			if strings.HasPrefix(ch.ID, "broken") {
				return errors.New("store down")
			}
			return nil
		},
		Snapshot: func(_ context.Context, c auth.Claims, ch ws.Channel) (any, error) {
			return map[string]any{"snap": th.snaps.Add(1), "channel": ch.String(), "tenant": c.Tenant}, nil
		},
		Registerer: th.reg,
	}
	if mod != nil {
		mod(&cfg)
	}
	h, err := ws.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	th.hub = h
	r := chi.NewRouter()
	h.Routes(r)
	th.srv = httptest.NewServer(r)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = h.Run(ctx)
	}()
	t.Cleanup(func() {
		cancel()
		<-done
		th.srv.Close()
	})
	return th
}

func token(t testing.TB, c auth.Claims) string {
	t.Helper()
	tok, err := auth.Mint(secret, c, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

var admin = auth.Claims{Tenant: "acme", Subject: "boss", Role: auth.RoleAdmin}

func (th *testHub) url() string { return "ws" + strings.TrimPrefix(th.srv.URL, "http") + ws.Path }

// dial connects with tok in the Authorization header.
func (th *testHub) dial(t testing.TB, tok string) *websocket.Conn {
	t.Helper()
	c, resp, err := websocket.DefaultDialer.Dial(th.url(), http.Header{"Authorization": {"Bearer " + tok}})
	if err != nil {
		t.Fatalf("dial: %v (%v)", err, resp)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// msg is any server message.
type msg struct {
	Op      string          `json:"op"`
	Channel string          `json:"channel"`
	Epoch   string          `json:"epoch"`
	Seq     uint64          `json:"seq"`
	Type    string          `json:"type"`
	Data    json.RawMessage `json:"data"`
	Error   string          `json:"error"`
	Message string          `json:"message"`
}

func send(t testing.TB, c *websocket.Conn, v any) {
	t.Helper()
	var b []byte
	switch x := v.(type) {
	case string:
		b = []byte(x)
	default:
		var err error
		if b, err = json.Marshal(v); err != nil {
			t.Fatal(err)
		}
	}
	if err := c.WriteMessage(websocket.TextMessage, b); err != nil {
		t.Fatal(err)
	}
}

func read(t testing.TB, c *websocket.Conn) msg {
	t.Helper()
	_ = c.SetReadDeadline(time.Now().Add(5 * time.Second))
	_, b, err := c.ReadMessage()
	if err != nil {
		t.Fatalf("read: %v", err)
	}
	var m msg
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatalf("server message %s is not JSON: %v", b, err)
	}
	return m
}

// subscribe subscribes and returns the snapshot.
func subscribe(t testing.TB, c *websocket.Conn, channel string) msg {
	t.Helper()
	send(t, c, map[string]any{"op": "subscribe", "channel": channel})
	m := read(t, c)
	if m.Type != ws.TypeSnapshot || m.Channel != channel {
		t.Fatalf("first message of %s = %+v, want a snapshot", channel, m)
	}
	return m
}

// closeCode reads until the connection ends and returns its close code.
func closeCode(t testing.TB, c *websocket.Conn, within time.Duration) int {
	t.Helper()
	_ = c.SetReadDeadline(time.Now().Add(within))
	for {
		if _, _, err := c.ReadMessage(); err != nil {
			var ce *websocket.CloseError
			if errors.As(err, &ce) {
				return ce.Code
			}
			t.Fatalf("connection ended without a close frame: %v", err)
		}
	}
}

func update(tenant, agent, team, model string, n int) schemas.Update {
	h := time.Date(2026, 11, 1, 10, 0, 0, 0, time.UTC)
	return schemas.Update{Tenant: tenant, Model: model, Agent: agent,
		Buckets:      []schemas.UpdateBucket{{Team: team, Inquiry: "billing", Hour: h, Version: int64(n), Sums: schemas.UpdateSums{Volume: int64(n), HandleSum: float64(300 * n)}}},
		Interactions: []schemas.UpdateInteraction{{ID: fmt.Sprintf("i%d", n), Revision: 1, Inquiry: "billing", EndedAt: h.Add(time.Minute)}}}
}

func counter(t testing.TB, reg *prometheus.Registry, name, label, value string) float64 {
	t.Helper()
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() != name {
			continue
		}
		for _, m := range mf.GetMetric() {
			for _, l := range m.GetLabel() {
				if l.GetName() == label && l.GetValue() == value {
					return m.GetCounter().GetValue()
				}
			}
		}
	}
	return 0
}

// rawJSON is data already encoded.
func rawJSON(s string) json.RawMessage { return json.RawMessage(s) }
