package learn

import (
	"context"
	"encoding/json"
	"log/slog"
	"path/filepath"
	"testing"
	"time"
)

// TestPublishedModelsReachReader: the summaries a learner publishes on the
// outcome-models topic are what a reader in another process answers, equal
// to the learner's own Models.
func TestPublishedModelsReachReader(t *testing.T) {
	addr, total := feed(t)
	log := slog.New(slog.DiscardHandler)
	cfg := Config{Brokers: []string{addr}, Lateness: 48 * time.Hour, Checkpoint: filepath.Join(t.TempDir(), "cp.json"), Logger: log}
	l, err := consumeWith(t, cfg, total)
	if err != nil {
		t.Fatal(err)
	}
	sums := l.Summaries()
	if len(sums) == 0 {
		t.Fatal("no summaries")
	}
	ctx := context.Background()
	if err := EnsureModelsTopic(ctx, []string{addr}); err != nil {
		t.Fatal(err)
	}
	if err := EnsureModelsTopic(ctx, []string{addr}); err != nil {
		t.Fatalf("second ensure: %v", err)
	}
	pctx, stop := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- Publish(pctx, l, []string{addr}, 50*time.Millisecond, log) }()
	r := NewModelsReader([]string{addr}, log)
	rctx, stopR := context.WithCancel(ctx)
	defer stopR()
	go func() { _ = r.Run(rctx) }()
	deadline := time.Now().Add(20 * time.Second)
	for _, s := range sums {
		want, _ := json.Marshal(s.Models)
		for {
			got, ok := r.Models(s.Tenant, s.Models.Model)
			gb, _ := json.Marshal(got)
			if ok && string(gb) == string(want) {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("%s/%s: reader has %v %s, want %s", s.Tenant, s.Models.Model, ok, gb, want)
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	if _, ok := r.Models("acme", "nope"); ok {
		t.Fatal("an unknown model answered")
	}
	stop()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}
