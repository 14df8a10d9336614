package planlog

import (
	"log/slog"
	"path/filepath"
	"sync"
	"testing"

	"github.com/agentpulse/agentpulse/ingest/broker"
	"github.com/agentpulse/agentpulse/processor/store"
	"github.com/agentpulse/agentpulse/processor/store/embedded"
	"github.com/agentpulse/agentpulse/processor/store/storetest"
)

// TestConformance runs the plan store suite over a Log on an embedded
// broker with a data dir; the restart case stops the broker and starts a
// new one on the same data dir, with a new, empty embedded store.
func TestConformance(t *testing.T) {
	var mu sync.Mutex
	dirs := map[*testing.T]string{}
	brokers := map[*testing.T]*broker.Embedded{}
	storetest.RunPlans(t, func(t *testing.T) store.PlanStore {
		mu.Lock()
		dir, ok := dirs[t]
		if !ok {
			dir = filepath.Join(t.TempDir(), "broker")
			dirs[t] = dir
		}
		if b := brokers[t]; b != nil {
			b.Close() // a restart: the broker flushes its log
		}
		mu.Unlock()
		b, err := broker.StartEmbedded(broker.EmbeddedConfig{Addr: "127.0.0.1:0", DataDir: dir, Logger: slog.New(slog.DiscardHandler)})
		if err != nil {
			t.Fatal(err)
		}
		mu.Lock()
		brokers[t] = b
		mu.Unlock()
		l, err := Open(t.Context(), Config{Brokers: []string{b.Addr()}}, embedded.New())
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = l.Close(); b.Close() })
		return l
	}, storetest.Durable())
}
