package learn

import (
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/agentpulse/agentpulse/ingest/simulator"
	"github.com/agentpulse/agentpulse/outcomes"
	"github.com/agentpulse/agentpulse/views/reference"
)

// envInt reads a positive integer from the environment, else def.
func envInt(name string, def int) int {
	if v, err := strconv.Atoi(os.Getenv(name)); err == nil && v > 0 {
		return v
	}
	return def
}

// cpuTime is the process's user + system CPU time: on a shared machine
// it measures the work, where wall time measures the neighbours too
// (the garbage collector's background work included).
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkLearnerState feeds a simulated center (as `make run` does:
// feed predictions on voice and chat, none on email) through the
// learner's stream and cells as Run applies records, draining every
// 2 000 records, and reports the live heap the learner holds at the end
// (bytes per contact kept and per record of history) and the time and
// size of a checkpoint. Small by default; AGENTPULSE_LEARN_AGENTS and
// AGENTPULSE_LEARN_DAYS scale it (300 × 90 is `make run`).
func BenchmarkLearnerState(b *testing.B) {
	agents, days := envInt("AGENTPULSE_LEARN_AGENTS", 30), envInt("AGENTPULSE_LEARN_DAYS", 14)
	for b.Loop() {
		var m0 runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&m0)
		cp := newCheckpoint(outcomes.Config{}, time.Hour)
		records := 0
		cfg := simulator.DefaultConfig(time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC))
		cfg.Agents, cfg.Days = agents, days
		g, err := simulator.New(cfg, 1)
		if err != nil {
			b.Fatal(err)
		}
		drain := func() {
			out := cp.stream.Drain()
			for i := range out {
				cp.cells.score(&out[i])
			}
			cp.cells.flush()
		}
		_, err = g.Run(context.Background(), func(bt simulator.Batch) error {
			for i := range bt.Records {
				it := &bt.Records[i]
				cp.stream.AddContact(reference.ContactOf(it))
				cp.cells.place(it)
				if records++; records%2000 == 0 {
					drain()
				}
			}
			for i := range bt.Outcomes {
				if lo, ok := reference.OutcomeOf(&bt.Outcomes[i]); ok {
					cp.stream.AddOutcome(lo)
				}
				if records++; records%2000 == 0 {
					drain()
				}
			}
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
		drain()
		var m1 runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&m1)
		if p := os.Getenv("AGENTPULSE_LEARN_HEAPPROFILE"); p != "" {
			f, err := os.Create(p)
			if err != nil {
				b.Fatal(err)
			}
			if err := pprof.WriteHeapProfile(f); err != nil {
				b.Fatal(err)
			}
			f.Close()
		}
		live := float64(m1.HeapAlloc) - float64(m0.HeapAlloc)
		kept := cp.stream.Kept()
		b.ReportMetric(live/1e6, "live_MB")
		b.ReportMetric(float64(kept), "contacts_kept")
		b.ReportMetric(live/float64(max(kept, 1)), "B/contact_kept")
		b.ReportMetric(float64(records), "records")
		path := filepath.Join(b.TempDir(), "cp")
		start, cpu0 := time.Now(), cpuTime()
		n, synced, err := cp.save(path)
		if err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(float64(time.Since(start).Milliseconds()), "checkpoint_ms")
		b.ReportMetric(float64((cpuTime() - cpu0).Milliseconds()), "checkpoint_cpu_ms")
		b.ReportMetric(float64(synced.Milliseconds()), "checkpoint_sync_ms")
		b.ReportMetric(float64(n)/1e6, "checkpoint_MB")
		var m2 runtime.MemStats
		runtime.ReadMemStats(&m2)
		b.ReportMetric(float64(m2.TotalAlloc-m1.TotalAlloc)/1e6, "checkpoint_alloc_MB")
		start, cpu0 = time.Now(), cpuTime()
		if _, err := loadCheckpoint(path, outcomes.Config{}, time.Hour, slog.New(slog.DiscardHandler)); err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(float64(time.Since(start).Milliseconds()), "load_ms")
		b.ReportMetric(float64((cpuTime() - cpu0).Milliseconds()), "load_cpu_ms")
		runtime.KeepAlive(cp)
	}
}
