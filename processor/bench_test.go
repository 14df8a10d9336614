package processor

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/agentpulse/agentpulse/ingest/simulator"
	"github.com/agentpulse/agentpulse/processor/store"
	"github.com/agentpulse/agentpulse/processor/store/clickhouse"
	"github.com/agentpulse/agentpulse/processor/store/clickhouse/chtest"
	"github.com/agentpulse/agentpulse/schemas"
)

// benchRecords is how many interactions the replay benchmark replays;
// AGENTPULSE_BENCH_RECORDS overrides it (default 1,000,000).
func benchRecords() int {
	if v, err := strconv.Atoi(os.Getenv("AGENTPULSE_BENCH_RECORDS")); err == nil && v > 0 {
		return v
	}
	return 1_000_000
}

// simulatedN returns at least n simulated interactions (no faults).
func simulatedN(b *testing.B, n int) []schemas.Interaction {
	cfg := simulator.DefaultConfig(time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC))
	cfg.Agents, cfg.Days = max(10, n/(56*64)), 90
	g, err := simulator.New(cfg, 2)
	if err != nil {
		b.Fatal(err)
	}
	out := make([]schemas.Interaction, 0, n)
	_, _ = g.Each(context.Background(), func(it *schemas.Interaction) error {
		if len(out) == n {
			return context.Canceled
		}
		out = append(out, *it)
		return nil
	})
	return out
}

// BenchmarkReplayToClickHouse replays interactions already on the broker
// through the processor into a real ClickHouse, and in the same run writes
// the same rows straight through the store's Apply (no Kafka, no fold) for
// the ratio. Reports interactions/s for both.
func BenchmarkReplayToClickHouse(b *testing.B) {
	n := benchRecords()
	its := simulatedN(b, n)
	chAddr := chtest.Start(b)
	addr := startBroker(b)
	for i := 0; i < len(its); i += 100_000 {
		produce(b, addr, its[i:min(i+100_000, len(its))])
	}
	ends := endOffsets(b, addr)
	ctx := context.Background()

	var replayRate, rawRate float64
	for i := 0; b.Loop(); i++ {
		// Raw: the same rows, batches of 50,000, straight into the store.
		raw, err := clickhouse.Open(ctx, clickhouse.Config{Addr: []string{chAddr}, Database: fmt.Sprintf("raw%d", i)})
		if err != nil {
			b.Fatal(err)
		}
		began := time.Now()
		for j := 0; j < len(its); j += 50_000 {
			f := newFold(0)
			for k := j; k < min(j+50_000, len(its)); k++ {
				f.apply(&its[k], int64(k))
			}
			if err := raw.Apply(ctx, f.takeBatch(int64(min(j+50_000, len(its))))); err != nil {
				b.Fatal(err)
			}
		}
		rawRate = float64(len(its)) / time.Since(began).Seconds()
		raw.Close()

		// Replay: broker → processor → ClickHouse.
		st, err := clickhouse.Open(ctx, clickhouse.Config{Addr: []string{chAddr}, Database: fmt.Sprintf("replay%d", i)})
		if err != nil {
			b.Fatal(err)
		}
		began = time.Now()
		stop := runProcessorB(b, addr, st, fmt.Sprintf("bench%d", i))
		waitCaughtUp(b, st, ends, 10*time.Minute)
		replayRate = float64(len(its)) / time.Since(began).Seconds()
		stop()
		st.Close()
	}
	b.ReportMetric(replayRate, "replay_interactions/s")
	b.ReportMetric(rawRate, "raw_apply_interactions/s")
	b.ReportMetric(replayRate/rawRate, "replay/raw")
}

func runProcessorB(b *testing.B, addr string, st store.Writer, group string) func() {
	p, err := New(Config{Brokers: []string{addr}, Group: group, Logger: quietLogger()}, st)
	if err != nil {
		b.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- p.Run(ctx) }()
	return func() { cancel(); <-done }
}
