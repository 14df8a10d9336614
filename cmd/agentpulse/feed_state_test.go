package main

import (
	"context"
	"log/slog"
	"testing"
	"time"

	"github.com/agentpulse/agentpulse/ingest"
	"github.com/agentpulse/agentpulse/ingest/broker"
)

// TestSimulatedBackfillResumes checks that an interrupted first start
// leaves the history marked undone, that the next start sends the same
// period again (same ids: the processor counts them once) and marks it
// done, and that a start after that does not backfill.
func TestSimulatedBackfillResumes(t *testing.T) {
	quiet := slog.New(slog.DiscardHandler)
	b, err := broker.StartEmbedded(broker.EmbeddedConfig{Addr: "127.0.0.1:0", Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	seeds := []string{b.Addr()}
	if err := broker.EnsureTopics(context.Background(), seeds, broker.Topics{InteractionsPartitions: 2, UpdatesPartitions: 2}); err != nil {
		t.Fatal(err)
	}
	p, err := ingest.NewProducer(ingest.ProducerConfig{Brokers: seeds})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	f := &allFlags{simAgents: 3, simDays: 2, simRate: 1}
	f.ingest.dataDir = t.TempDir()
	st := historyState{End: time.Date(2026, 11, 2, 0, 0, 0, 0, time.UTC), Days: 2, Agents: 3}
	if err := st.save(f.ingest.dataDir); err != nil {
		t.Fatal(err)
	}

	// Interrupted: nothing marked done.
	stopped, cancel := context.WithCancel(context.Background())
	cancel()
	if err := backfillSimulated(stopped, f, st, p, quiet); err != nil {
		t.Fatalf("interrupted backfill: %v", err)
	}
	if got, _, _ := loadHistoryState(f.ingest.dataDir); got.Done {
		t.Fatal("an interrupted backfill was marked done")
	}

	// Resumed by runFeed: the whole period is sent and marked done.
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- runFeed(ctx, f, seeds, nil, p, quiet) }()
	deadline := time.Now().Add(30 * time.Second)
	for {
		got, _, err := loadHistoryState(f.ingest.dataDir)
		if err != nil {
			t.Fatal(err)
		}
		if got.Done {
			if !got.End.Equal(st.End) || got.Days != 2 || got.Agents != 3 {
				t.Fatalf("state after the resumed backfill = %+v, want the period of the first start", got)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the resumed backfill never finished")
		}
		time.Sleep(10 * time.Millisecond)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("runFeed: %v", err)
	}
	n, err := broker.Records(context.Background(), seeds, "interactions")
	if err != nil || n == 0 {
		t.Fatalf("records on the broker after the backfill: %d, %v", n, err)
	}

	// A later start with the history done backfills nothing more.
	ctx2, cancel2 := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel2()
	if err := runFeed(ctx2, f, seeds, nil, p, quiet); err != nil {
		t.Fatalf("runFeed with a done history: %v", err)
	}
	n2, err := broker.Records(context.Background(), seeds, "interactions")
	if err != nil {
		t.Fatal(err)
	}
	if n2-n > 10 { // the live feed at 1/s may add a record or two
		t.Fatalf("a start with the history done added %d records", n2-n)
	}
}
