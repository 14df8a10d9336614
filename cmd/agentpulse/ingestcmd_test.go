package main

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/agentpulse/agentpulse/ingest/broker"
	"github.com/agentpulse/agentpulse/schemas"
)

func TestIngestFlagErrorsNameTheFlag(t *testing.T) {
	cases := []struct {
		args []string
		flag string
	}{
		{nil, "--brokers"},
		{[]string{"--brokers", " , "}, "--brokers"},
		{[]string{"--brokers", "x:1", "--max-records", "0"}, "--max-records"},
		{[]string{"--brokers", "x:1", "--max-body-bytes", "-1"}, "--max-body-bytes"},
		{[]string{"--brokers", "x:1", "--auth-secret", "short"}, "--auth-secret"},
		{[]string{"--brokers", "x:1", "--log-level", "loud"}, "--log-level"},
	}
	for _, tc := range cases {
		err := runIngest(context.Background(), tc.args, io.Discard)
		if err == nil || !strings.Contains(err.Error(), tc.flag) || exitCode(err) != 2 {
			t.Errorf("%v: err = %v (exit %d), want a usage error naming %s", tc.args, err, exitCode(err), tc.flag)
		}
	}
}

// freeAddr returns a loopback address with a port free a moment ago.
func freeAddr(t testing.TB) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

// TestIngestCommandServesUntilCancelled runs `agentpulse ingest` against an
// embedded broker with a token from `agentpulse token` (same data dir).
func TestIngestCommandServesUntilCancelled(t *testing.T) {
	b, err := broker.StartEmbedded(broker.EmbeddedConfig{Addr: "127.0.0.1:0", Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	dataDir := t.TempDir()
	addr := freeAddr(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	go func() {
		done <- runIngest(ctx, []string{"--http-addr", addr, "--brokers", b.Addr(), "--data-dir", dataDir, "--log-level", "error"}, io.Discard)
	}()
	base := "http://" + addr
	deadline := time.Now().Add(30 * time.Second)
	for {
		resp, err := http.Get(base + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				break
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("/readyz never answered 200 (last error %v)", err)
		}
		time.Sleep(20 * time.Millisecond)
	}
	tok, err := mintCmd(t, "--tenant", "acme", "--sub", "feed", "--role", "ingest", "--data-dir", dataDir)
	if err != nil {
		t.Fatal(err)
	}
	start := time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC)
	it := schemas.Interaction{TenantID: "acme", InteractionID: "c1", Revision: 1, Model: "email", AgentID: "a1",
		TeamID: "t1", Inquiry: "billing", StartedAt: start, EndedAt: start.Add(time.Minute), HandleTimeS: 60, Source: "api"}
	req, _ := http.NewRequest(http.MethodPost, base+"/v1/ingest/interactions", bytes.NewReader(append(it.AppendJSON(nil), '\n')))
	req.Header.Set("Content-Type", "application/x-ndjson")
	req.Header.Set("Authorization", "Bearer "+tok)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(string(body), `"accepted":1`) {
		t.Fatalf("ingest: %d %s", resp.StatusCode, body)
	}
	resp, err = http.Get(base + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	metrics, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	for _, want := range []string{`agentpulse_ingest_records_total{result="accepted"} 1`, "go_goroutines"} {
		if !strings.Contains(string(metrics), want) {
			t.Errorf("/metrics lacks %q", want)
		}
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("runIngest: %v", err)
	}
}
