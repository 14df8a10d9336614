package learn

import (
	"bytes"
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/agentpulse/agentpulse/processor/store/embedded"
)

// erasures is an Erasures of listed keys (server/retention's
// CustomerErasures matches the data policy's keyed subjects instead).
type erasures struct {
	mu   sync.Mutex
	keys map[string]bool
	ch   chan struct{}
}

func newErasures() *erasures { return &erasures{keys: map[string]bool{}, ch: make(chan struct{})} }

func (e *erasures) CustomerErased(tenant, key string) bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.keys[tenant+"/"+key]
}

func (e *erasures) Changed() <-chan struct{} {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.ch
}

func (e *erasures) add(tenant, key string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.keys[tenant+"/"+key] = true
	close(e.ch)
	e.ch = make(chan struct{})
}

// TestErasureReachesTheLearner: the learner's checkpoint holds the
// customer keys of the customers' recent contacts; an erasure made while
// the learner is stopped is applied at its start, and one made while it
// runs (idle, caught up) is applied at once: in both cases a checkpoint
// is written and neither it nor the cells archive holds the key's bytes,
// while other customers' keys stay.
func TestErasureReachesTheLearner(t *testing.T) {
	c := feedCenter(t, 12, 20, 3, nil)
	// Three customers with contacts in the last days (in the stream's state).
	var keys []string
	seen := map[string]bool{}
	for i := len(c.its) - 1; i >= 0 && len(keys) < 3; i-- {
		if k := c.its[i].CustomerKey; k != "" && !seen[k] && c.its[i].TenantID == "acme" {
			seen[k] = true
			keys = append(keys, k)
		}
	}
	if len(keys) < 3 {
		t.Fatalf("the simulated center has %d customers with a key", len(keys))
	}
	dir := t.TempDir()
	er := newErasures()
	cfg := Config{Brokers: []string{c.addr}, Lateness: 48 * time.Hour, CheckpointRecords: 500, Logger: slog.New(slog.DiscardHandler),
		Checkpoint: filepath.Join(dir, "learn", "checkpoint.bin"), Store: embedded.New(), Erasures: er}
	if err := os.MkdirAll(filepath.Dir(cfg.Checkpoint), 0o700); err != nil {
		t.Fatal(err)
	}
	files := func() (cp, arch []byte) {
		t.Helper()
		cp, err := os.ReadFile(cfg.Checkpoint)
		if err != nil {
			t.Fatal(err)
		}
		arch, err = os.ReadFile(archivePath(cfg.Checkpoint))
		if err != nil {
			t.Fatal(err)
		}
		return cp, arch
	}
	holds := func(b []byte, key string) bool { return bytes.Contains(b, []byte(key)) }

	if err := consume(t, cfg, c.total); err != nil {
		t.Fatal(err)
	}
	cp, _ := files()
	for _, k := range keys {
		if !holds(cp, k) {
			t.Fatalf("the checkpoint does not hold customer key %q before any erasure: the test shows nothing", k)
		}
	}

	// Erased while stopped: applied at start, before any record.
	er.add("acme", keys[0])
	l, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- l.Run(ctx) }()
	defer func() {
		cancel()
		if err := <-done; err != nil {
			t.Error(err)
		}
	}()
	waitFor := func(what string, ok func(cp, arch []byte) bool) {
		t.Helper()
		deadline := time.Now().Add(10 * time.Second)
		for {
			cp, arch := files()
			if ok(cp, arch) {
				return
			}
			if time.Now().After(deadline) {
				t.Fatalf("%s: not within 10 s", what)
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	start := time.Now()
	waitFor("the erasure made while stopped", func(cp, arch []byte) bool { return !holds(cp, keys[0]) })
	t.Logf("erasure made while stopped: checkpoint without the key %s after start", time.Since(start))

	// Erased while running and idle.
	start = time.Now()
	er.add("acme", keys[1])
	waitFor("the erasure made while running", func(cp, arch []byte) bool { return !holds(cp, keys[1]) })
	t.Logf("erasure made while running: checkpoint without the key %s after it", time.Since(start))

	cp, arch := files()
	for _, k := range keys[:2] {
		if holds(cp, k) || holds(arch, k) {
			t.Errorf("key %q: in the checkpoint %v, in the archive %v", k, holds(cp, k), holds(arch, k))
		}
	}
	if !holds(cp, keys[2]) {
		t.Errorf("customer %q, not erased, lost from the checkpoint", keys[2])
	}
	// Later records of an erased customer are blanked as read: a replay
	// from the start (the log still holds the key) keeps none either.
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	done <- nil
	replay := cfg
	replay.Checkpoint = filepath.Join(dir, "replay", "checkpoint.bin")
	replay.Store = embedded.New()
	if err := os.MkdirAll(filepath.Dir(replay.Checkpoint), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := consume(t, replay, c.total); err != nil {
		t.Fatal(err)
	}
	rcp, err := os.ReadFile(replay.Checkpoint)
	if err != nil {
		t.Fatal(err)
	}
	if holds(rcp, keys[0]) || holds(rcp, keys[1]) || !holds(rcp, keys[2]) {
		t.Errorf("replay: erased keys in its checkpoint %v %v, the other customer's %v", holds(rcp, keys[0]), holds(rcp, keys[1]), holds(rcp, keys[2]))
	}
}
