package live_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/gorilla/websocket"

	"github.com/agentpulse/agentpulse/auth"
	"github.com/agentpulse/agentpulse/ingest"
	"github.com/agentpulse/agentpulse/ingest/broker"
	"github.com/agentpulse/agentpulse/processor"
	"github.com/agentpulse/agentpulse/processor/store/embedded"
	"github.com/agentpulse/agentpulse/server/api"
	"github.com/agentpulse/agentpulse/server/feed"
	"github.com/agentpulse/agentpulse/server/live"
	"github.com/agentpulse/agentpulse/server/ws"
	"github.com/agentpulse/agentpulse/views"
	"github.com/agentpulse/agentpulse/views/storeview"
)

var secret = []byte("0123456789abcdef0123456789abcdef")

var groups atomic.Int64

// pipeline is the whole product in one test: the embedded broker, the
// processor over the embedded store, one HTTP server with the ingest
// endpoint, the read API and the websocket hub, and the updates feed
// driving the hub.
type pipeline struct {
	srv       *httptest.Server
	hub       *ws.Hub
	views     *storeview.Views
	ingestTok string
	seq       atomic.Int64
}

func startPipeline(t testing.TB) *pipeline {
	t.Helper()
	quiet := slog.New(slog.DiscardHandler)
	b, err := broker.StartEmbedded(broker.EmbeddedConfig{Addr: "127.0.0.1:0", Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(b.Close)
	seeds := []string{b.Addr()}
	if err := broker.EnsureTopics(context.Background(), seeds, broker.Topics{InteractionsPartitions: 4, UpdatesPartitions: 4}); err != nil {
		t.Fatal(err)
	}
	st := embedded.New()
	proc, err := processor.New(processor.Config{Brokers: seeds, Group: fmt.Sprintf("live-%d", groups.Add(1)), Logger: quiet}, st)
	if err != nil {
		t.Fatal(err)
	}
	producer, err := ingest.NewProducer(ingest.ProducerConfig{Brokers: seeds})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(producer.Close)
	v := auth.Verifier{Secret: secret}
	ih, err := ingest.NewHTTPHandler(ingest.HTTPConfig{MaxInFlight: 256}, producer, v)
	if err != nil {
		t.Fatal(err)
	}
	// As cmd/agentpulse wires it: the overlay of updates over the store
	// and the benchmark cache, fed before the hub.
	overlay := storeview.NewOverlay(st)
	sv := storeview.New(overlay, views.DefaultParams(), storeview.WithCache(storeview.CacheConfig{}))
	a := api.New(api.Config{Views: sv, Verifier: v})
	rules, err := live.New(live.Config{Views: sv, API: a})
	if err != nil {
		t.Fatal(err)
	}
	hub, err := ws.New(ws.Config{Verifier: v, Authorize: rules.Authorize, Snapshot: rules.Snapshot, ScoreData: live.ScoreData(sv), MaxQueueBytes: 64 << 20})
	if err != nil {
		t.Fatal(err)
	}
	updates, err := feed.New(feed.Config{Brokers: seeds, Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	updates.Handle(sv.OnUpdate)
	updates.Handle(hub.OnUpdate)
	r := chi.NewRouter()
	ih.Routes(r)
	a.Routes(r)
	hub.Routes(r)
	srv := httptest.NewServer(r)
	ctx, cancel := context.WithCancel(context.Background())
	pruneOverlay := func(ctx context.Context) error { return overlay.Run(ctx, time.Second) }
	done := make(chan struct{}, 4)
	for _, run := range []func(context.Context) error{proc.Run, updates.Run, hub.Run, pruneOverlay} {
		go func() {
			_ = run(ctx)
			done <- struct{}{}
		}()
	}
	t.Cleanup(func() {
		cancel()
		for range 4 {
			<-done
		}
		srv.Close()
	})
	tok, err := auth.Mint(secret, auth.Claims{Tenant: "acme", Subject: "feed", Role: auth.RoleIngest}, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	return &pipeline{srv: srv, hub: hub, views: sv, ingestTok: tok}
}

// interaction returns a new canonical interaction of agent as NDJSON,
// and its id.
func (p *pipeline) interaction(agent, team string) (string, []byte) {
	n := p.seq.Add(1)
	id := fmt.Sprintf("it-%d", n)
	end := time.Date(2026, 11, 26, 10, 0, 0, 0, time.UTC).Add(time.Duration(n) * time.Second)
	return id, fmt.Appendf(nil, `{"tenant_id":"acme","interaction_id":%q,"revision":1,"model":"voice","agent_id":%q,"team_id":%q,"inquiry":"billing","started_at":%q,"ended_at":%q,"handle_time_s":300,"predicted_satisfaction":0.8,"predicted_resolution":0.9,"source":"api"}`+"\n",
		id, agent, team, end.Add(-5*time.Minute).Format(time.RFC3339), end.Format(time.RFC3339))
}

// post sends one NDJSON body to the ingest endpoint and checks that every
// record was accepted.
func (p *pipeline) post(t testing.TB, body []byte) {
	req, _ := http.NewRequest(http.MethodPost, p.srv.URL+"/v1/ingest/interactions", bytes.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+p.ingestTok)
	req.Header.Set("Content-Type", "application/x-ndjson")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Error(err)
		return
	}
	defer resp.Body.Close()
	var out struct{ Accepted int }
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil || resp.StatusCode != 200 || out.Accepted != bytes.Count(body, []byte("\n")) {
		t.Errorf("ingest answered %d, accepted %d: %v", resp.StatusCode, out.Accepted, err)
	}
}

func (p *pipeline) dial(t testing.TB, c auth.Claims) *websocket.Conn {
	t.Helper()
	tok, err := auth.Mint(secret, c, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	conn, _, err := websocket.DefaultDialer.Dial("ws"+strings.TrimPrefix(p.srv.URL, "http")+ws.Path+"?access_token="+tok, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	return conn
}

type serverMsg struct {
	Channel string       `json:"channel"`
	Seq     uint64       `json:"seq"`
	Type    string       `json:"type"`
	Error   string       `json:"error"`
	Data    ws.ScoreData `json:"data"`
}

func subscribe(t testing.TB, c *websocket.Conn, channel string) {
	t.Helper()
	if err := c.WriteJSON(map[string]string{"op": "subscribe", "channel": channel}); err != nil {
		t.Fatal(err)
	}
	_ = c.SetReadDeadline(time.Now().Add(10 * time.Second))
	var m struct {
		Type, Error string
	}
	if err := c.ReadJSON(&m); err != nil || m.Type != ws.TypeSnapshot {
		t.Fatalf("subscribe %s: %+v %v", channel, m, err)
	}
}

// TestEndToEndScore: an interaction POSTed to /v1/ingest/interactions goes
// through the broker, the processor, the updates topic and the feed, and
// arrives as a score message on agent:{id} for that agent's own token.
func TestEndToEndScore(t *testing.T) {
	p := startPipeline(t)
	deadline := time.Now().Add(30 * time.Second)
	for attempt := 0; time.Now().Before(deadline); attempt++ {
		c := p.dial(t, auth.Claims{Tenant: "acme", Subject: "ag-1", Role: auth.RoleAgent})
		subscribe(t, c, "agent:ag-1")
		id, body := p.interaction("ag-1", "team-1")
		p.post(t, body)
		_ = c.SetReadDeadline(time.Now().Add(2 * time.Second))
		var m serverMsg
		if err := c.ReadJSON(&m); err != nil {
			t.Logf("attempt %d: no score yet (the feed may still be fetching its start offsets): %v", attempt, err)
			continue
		}
		if m.Channel != "agent:ag-1" || m.Type != ws.TypeScore || m.Data.Agent != "ag-1" || m.Data.Model != "voice" ||
			len(m.Data.Interactions) != 1 || m.Data.Interactions[0].ID != id || m.Data.Teams[0] != "team-1" ||
			len(m.Data.Buckets) != 1 || m.Data.Buckets[0].Figures.Volume < 1 {
			t.Fatalf("score message %+v", m)
		}
		return
	}
	t.Fatal("no score message within 30 s")
}

// TestScoreFiguresFromTheCache: once the figures cache is warm, every
// score message carries the agent's new overall figures over the default
// range, exact (hand-computed: every interaction of the harness has
// handle time 300 s, psat 0.8 and pres 0.9), without a store read.
func TestScoreFiguresFromTheCache(t *testing.T) {
	p := startPipeline(t)
	c := p.dial(t, auth.Claims{Tenant: "acme", Subject: "ag-2", Role: auth.RoleAgent})
	subscribe(t, c, "agent:ag-2")
	sent := 0
	// The feed starts at the topic's end once it has fetched its offsets:
	// post until the first score arrives.
	deadline := time.Now().Add(30 * time.Second)
	for {
		_, body := p.interaction("ag-2", "team-1")
		p.post(t, body)
		sent++
		_ = c.SetReadDeadline(time.Now().Add(2 * time.Second))
		var m serverMsg
		if err := c.ReadJSON(&m); err == nil && m.Type == ws.TypeScore {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("no score message within 30 s")
		}
	}
	if err := p.views.Warm(context.Background()); err != nil {
		t.Fatal(err)
	}
	for range 3 {
		_, body := p.interaction("ag-2", "team-1")
		p.post(t, body)
		sent++
		_ = c.SetReadDeadline(time.Now().Add(10 * time.Second))
		var m serverMsg
		for m.Type != ws.TypeScore {
			if err := c.ReadJSON(&m); err != nil {
				t.Fatal(err)
			}
		}
		f := m.Data.Figures
		if f == nil || m.Data.FiguresRange == nil {
			t.Fatalf("score message without figures after the warm-up: %+v", m.Data)
		}
		// Every interaction sends 0.8 and 0.9: means on the sums' grid.
		aes := 300 / (views.OnPredictionGrid(0.8) * views.OnPredictionGrid(0.9))
		if f.Volume < int64(sent-1) || f.Volume > int64(sent) || *f.AHT != 300 || *f.AES != aes {
			t.Fatalf("figures %+v (volume %d) after %d interactions, want volume %d, AHT 300, AES %g", f, f.Volume, sent, sent, aes)
		}
	}
}
