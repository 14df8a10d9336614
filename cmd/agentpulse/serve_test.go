package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"math"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/agentpulse/agentpulse/auth"
	"github.com/agentpulse/agentpulse/ingest"
	"github.com/agentpulse/agentpulse/ingest/broker"
	"github.com/agentpulse/agentpulse/processor/store/clickhouse/chtest"
	"github.com/agentpulse/agentpulse/schemas"
	"github.com/agentpulse/agentpulse/views"
	"github.com/agentpulse/agentpulse/views/reference"
)

func TestServeFlagErrorsNameTheFlag(t *testing.T) {
	cases := []struct {
		args []string
		flag string
	}{
		{[]string{"--brokers", " , "}, "--brokers"},
		{[]string{"--api-rate", "0"}, "--api-rate"},
		{[]string{"--api-max-body-bytes", "0"}, "--api-max-body-bytes"},
		{[]string{"--retention-days", "7"}, "--retention-days"},
		{[]string{"--retention-interval", "0s"}, "--retention-interval"},
		{[]string{"--auth-secret", "short"}, "--auth-secret"},
		{[]string{"--erasure-secret", "short"}, "--erasure-secret"},
		{[]string{"--log-level", "loud"}, "--log-level"},
		{[]string{"extra"}, "every setting is a flag"},
	}
	for _, tc := range cases {
		err := runServe(context.Background(), append(tc.args, "--data-dir", t.TempDir()), io.Discard)
		if err == nil || !strings.Contains(err.Error(), tc.flag) || exitCode(err) != 2 {
			t.Errorf("%v: err = %v (exit %d), want a usage error naming %s", tc.args, err, exitCode(err), tc.flag)
		}
	}
}

// serveFeed is a small voice feed ending just before now, so that plans
// have a Start: six agents of team t1 with 8 billing interactions each.
func serveFeed(now time.Time) []schemas.Interaction {
	var out []schemas.Interaction
	psat, pres := 0.8, 0.9
	for a := range 6 {
		for i := range 8 {
			end := now.Add(-time.Duration(a*8+i+1) * 7 * time.Minute).Truncate(time.Second)
			p, r := psat-float64(a)/20, pres-float64(i)/40
			out = append(out, schemas.Interaction{
				TenantID: "acme", InteractionID: fmt.Sprintf("serve-%d-%d", a, i), Revision: 1,
				Model: "voice", AgentID: fmt.Sprintf("agent-%d", a), TeamID: "t1", Inquiry: "billing",
				StartedAt: end.Add(-5 * time.Minute), EndedAt: end,
				HandleTimeS: float64(200 + 20*a + 3*i), PredictedSatisfaction: &p, PredictedResolution: &r,
				Source: "api",
			})
		}
	}
	return out
}

// TestServeOverClickHouse runs `agentpulse process` and `agentpulse serve`
// as two parts over one embedded broker and one ClickHouse: interactions
// produced to the broker are folded by the processor into ClickHouse, and
// the server answers the read API (equal to views/reference), takes a
// coaching plan, and pushes a score message to a websocket subscriber.
func TestServeOverClickHouse(t *testing.T) {
	chAddr := chtest.Start(t)
	b, err := broker.StartEmbedded(broker.EmbeddedConfig{Addr: "127.0.0.1:0", Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	dataDir := t.TempDir()
	secret, err := auth.ResolveSecret("", dataDir)
	if err != nil {
		t.Fatal(err)
	}
	db := fmt.Sprintf("serve_%d", time.Now().UnixNano())
	addr := freeAddr(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 2)
	go func() {
		done <- runProcess(ctx, []string{"--learn=false", "--data-dir", t.TempDir(), "--brokers", b.Addr(), "--store", "clickhouse", "--clickhouse-addr", chAddr,
			"--clickhouse-database", db, "--group", db, "--flush-interval", "50ms", "--log-level", "error"}, io.Discard)
	}()
	go func() {
		done <- runServe(ctx, []string{"--brokers", b.Addr(), "--http-addr", addr, "--data-dir", dataDir,
			"--clickhouse-addr", chAddr, "--clickhouse-database", db, "--log-level", "error"}, io.Discard)
	}()
	base := "http://" + addr
	waitHTTP(t, base+"/readyz", 60*time.Second)

	now := time.Now().UTC()
	feed := serveFeed(now)
	producer, err := ingest.NewProducer(ingest.ProducerConfig{Brokers: []string{b.Addr()}})
	if err != nil {
		t.Fatal(err)
	}
	defer producer.Close()
	if err := producer.Produce(ctx, feed); err != nil {
		t.Fatal(err)
	}
	token := func(c auth.Claims) string {
		tok, err := auth.Mint(secret, c, time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		return tok
	}
	agentTok := token(auth.Claims{Tenant: "acme", Subject: "agent-2", Role: auth.RoleAgent})

	// The read API over ClickHouse equals the reference once the
	// processor has folded the feed.
	// reference.New: the processes run with --learn=false; learned cells in
	// the stores are compared with NewWithOutcomes in processor/learn and,
	// whole-process, in TestProcessLearnsOverClickHouse.
	ref := reference.New(feed, views.DefaultParams())
	want, err := ref.AgentPerformance("acme", "agent-2", "voice", views.RangeSpec{Preset: views.Preset3M}, views.SortSpec{})
	if err != nil {
		t.Fatal(err)
	}
	var got views.Performance
	deadline := time.Now().Add(60 * time.Second)
	for {
		code, body := call(t, http.MethodGet, base+"/v1/agents/agent-2/performance?model=voice", agentTok, nil)
		if code == 200 {
			got = views.Performance{}
			if err := json.Unmarshal(body, &got); err != nil {
				t.Fatal(err)
			}
			if got.Overall.Volume == want.Overall.Volume {
				break
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("performance never reached volume %d: %d %s", want.Overall.Volume, code, body)
		}
		time.Sleep(50 * time.Millisecond)
	}
	if math.Abs(*got.Overall.AES-*want.Overall.AES) > 1e-9 || len(got.Inquiries) != 1 || *got.Inquiries[0].AES.Label != *want.Inquiries[0].AES.Label {
		t.Errorf("performance over ClickHouse = %+v, want %+v", got.Overall, want.Overall)
	}

	// A coaching plan is taken and read back from ClickHouse.
	in := fmt.Sprintf(`{"model":"voice","inquiry":"billing","metric":"aht","improvement_pct":10,"target_date":%q,"actions":["shorter wrap-up"],"assistance":["side-by-side coaching"]}`,
		now.AddDate(0, 1, 0).Format(views.DateLayout))
	code, body := call(t, http.MethodPost, base+"/v1/agents/agent-2/plans", agentTok, []byte(in))
	if code != http.StatusCreated {
		t.Fatalf("POST plan: %d %s", code, body)
	}
	var plan views.Plan
	if err := json.Unmarshal(body, &plan); err != nil {
		t.Fatal(err)
	}
	if code, body := call(t, http.MethodGet, base+"/v1/plans/"+plan.ID, agentTok, nil); code != 200 || !bytes.Contains(body, []byte(`"status":"in_progress"`)) {
		t.Fatalf("GET plan: %d %s", code, body)
	}

	// An admin sets the tenant's retention and erases a customer
	// (server/retention over ClickHouse): the feed is within 30 days, so
	// the pass keeps every figure.
	adminTok := token(auth.Claims{Tenant: "acme", Subject: "dpo", Role: auth.RoleAdmin})
	if code, body := call(t, http.MethodPut, base+"/v1/retention", adminTok, []byte(`{"days":30}`)); code != 200 || !bytes.Contains(body, []byte(`"days":30`)) {
		t.Fatalf("PUT retention: %d %s", code, body)
	}
	if code, body := call(t, http.MethodPost, base+"/v1/erasures", adminTok, []byte(`{"kind":"customer","customer_key":"c-1"}`)); code != 200 || !bytes.Contains(body, []byte(`"done":true`)) {
		t.Fatalf("POST erasure: %d %s", code, body)
	}
	if code, body := call(t, http.MethodGet, base+"/v1/agents/agent-2/performance?model=voice", agentTok, nil); code != 200 || !bytes.Contains(body, []byte(fmt.Sprintf(`"volume":%d`, want.Overall.Volume))) {
		t.Fatalf("performance after the retention pass: %d %s", code, body)
	}

	// A websocket subscriber gets its snapshot, then a score message for a
	// new interaction.
	ws, _, err := websocket.DefaultDialer.Dial("ws://"+addr+"/v1/ws?access_token="+agentTok, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer ws.Close()
	_ = ws.SetReadDeadline(time.Now().Add(30 * time.Second))
	if err := ws.WriteJSON(map[string]string{"op": "subscribe", "channel": "agent:agent-2"}); err != nil {
		t.Fatal(err)
	}
	var msg struct{ Channel, Type string }
	if err := ws.ReadJSON(&msg); err != nil || msg.Type != "snapshot" {
		t.Fatalf("first message %+v, %v; want the snapshot", msg, err)
	}
	extra := feed[2*8]
	extra.InteractionID, extra.EndedAt = "serve-extra", now.Truncate(time.Second)
	extra.StartedAt = extra.EndedAt.Add(-time.Minute)
	if err := producer.Produce(ctx, []schemas.Interaction{extra}); err != nil {
		t.Fatal(err)
	}
	for {
		if err := ws.ReadJSON(&msg); err != nil {
			t.Fatalf("no score message after a new interaction: %v", err)
		}
		if msg.Type == "score" && msg.Channel == "agent:agent-2" {
			break
		}
	}
	cancel()
	for range 2 {
		if err := <-done; err != nil {
			t.Errorf("part returned %v after cancel", err)
		}
	}
}

// waitHTTP waits until url answers 200.
func waitHTTP(t *testing.T, url string, limit time.Duration) {
	t.Helper()
	deadline := time.Now().Add(limit)
	for {
		resp, err := http.Get(url)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s never answered 200 (last error %v)", url, err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// call sends one request with a bearer token and returns status and body.
func call(t *testing.T, method, url, token string, body []byte) (int, []byte) {
	t.Helper()
	req, err := http.NewRequest(method, url, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, b
}
