package main

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/agentpulse/agentpulse/ingest/broker"
)

// TestProcessServesProbesAndMetrics: `agentpulse process --http-addr`
// answers /healthz, /readyz (the store answers) and /metrics with the
// processor's and its Kafka client's metrics, the lag gauge included, and
// the outcome learner's, and stops cleanly (the learner's checkpoint
// written in --data-dir/learn, mode 0700).
func TestProcessServesProbesAndMetrics(t *testing.T) {
	b, err := broker.StartEmbedded(broker.EmbeddedConfig{Addr: "127.0.0.1:0", Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	addr := freeAddr(t)
	dataDir := t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	go func() {
		done <- runProcess(ctx, []string{"--data-dir", dataDir, "--brokers", b.Addr(), "--http-addr", addr, "--group", "probe-test", "--log-level", "error"}, io.Discard)
	}()
	base := "http://" + addr
	waitHTTP(t, base+"/readyz", 30*time.Second)
	waitHTTP(t, base+"/healthz", 5*time.Second)
	resp, err := http.Get(base + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	for _, name := range []string{"agentpulse_processor_lag_records", "agentpulse_processor_queue_capacity_batches", "agentpulse_processor_kafka_", "agentpulse_learn_low_watermark_seconds"} {
		if !strings.Contains(string(body), name) {
			t.Errorf("/metrics of process has no %s", name)
		}
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("process after cancel: %v", err)
		}
		// The outcome learner ran: its directory is private and its
		// checkpoint was written on the clean stop.
		fi, err := os.Stat(filepath.Join(dataDir, "learn"))
		if err != nil || fi.Mode().Perm() != 0o700 {
			t.Fatalf("learner directory: %v %v, want mode 0700", fi, err)
		}
		if _, err := os.Stat(learnCheckpoint(dataDir)); err != nil {
			t.Fatalf("no learner checkpoint after a clean stop: %v", err)
		}
	case <-time.After(40 * time.Second):
		t.Fatal("process did not stop")
	}
}
