package main

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/agentpulse/agentpulse/ingest/broker"
)

// TestProcessServesProbesAndMetrics runs `agentpulse process --http-addr`
// against an embedded broker: /healthz, /readyz and /metrics answer (what
// orchestrators probe and Prometheus scrapes), and it stops cleanly.
func TestProcessServesProbesAndMetrics(t *testing.T) {
	b, err := broker.StartEmbedded(broker.EmbeddedConfig{Addr: "127.0.0.1:0", Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	addr := freeAddr(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	go func() {
		done <- runProcess(ctx, []string{"--http-addr", addr, "--brokers", b.Addr(), "--partitions", "2", "--log-level", "error"}, io.Discard)
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
	resp, err := http.Get(base + "/healthz")
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("/healthz: %v %v", resp, err)
	}
	resp.Body.Close()
	resp, err = http.Get(base + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	metrics, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	for _, want := range []string{"agentpulse_processor_lag_records", "agentpulse_processor_partitions", "go_goroutines"} {
		if !strings.Contains(string(metrics), want) {
			t.Errorf("/metrics lacks %q", want)
		}
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("runProcess: %v", err)
	}
}
