package processor

import (
	"os"
	"runtime"
	"runtime/debug"
	"strconv"
	"sync/atomic"
	"testing"
	"time"
)

// BenchmarkKeyFilterBuild measures a rebuild of one partition's static key
// filter from n keys (AGENTPULSE_BENCH_KEYS, default 10^6) streamed as
// store.Keys streams them (every tenth key twice: a second revision),
// told the bound a rebuild is told (the offset below: n + n/10). It
// reports peak_heap_MB, the most heap the build held above what was held
// before it (sampled every millisecond, GOGC 20 so that the heap follows
// what is live), filter_MB (what the filter keeps), shards, and
// spill_MB (what the build wrote to its scratch directory).
func BenchmarkKeyFilterBuild(b *testing.B) {
	n := 1_000_000
	if v, err := strconv.Atoi(os.Getenv("AGENTPULSE_BENCH_KEYS")); err == nil && v > 0 {
		n = v
	}
	dir := b.TempDir()
	defer debug.SetGCPercent(debug.SetGCPercent(20))
	var peakMB, filterMB float64
	var shards int
	for b.Loop() {
		runtime.GC()
		base := heapBytes()
		peak := sampleHeap(time.Millisecond)
		kb := newKeyFilterBuilder(dir, int64(n+n/10), 0)
		key := []byte("acme\x00i-")
		for i := range n {
			k := strconv.AppendInt(key, int64(i), 10)
			kb.add(keyHash64(k))
			if i%10 == 0 {
				kb.add(keyHash64(k))
			}
		}
		kf, err := kb.build()
		if err != nil {
			b.Fatal(err)
		}
		peakMB = float64(peak()-base) / 1e6
		filterMB = float64(kf.size()) / 1e6
		shards = len(kf.shards)
		if kf.keys != uint64(n) {
			b.Fatalf("filter of %d keys, want %d", kf.keys, n)
		}
	}
	b.ReportMetric(peakMB, "peak_heap_MB")
	b.ReportMetric(filterMB, "filter_MB")
	b.ReportMetric(float64(shards), "shards")
	spill := 0.0
	if shards > 1 {
		spill = float64(8*(n+n/10)) / 1e6
	}
	b.ReportMetric(spill, "spill_MB")
}

// sampleHeap samples heapBytes every interval until the returned function
// is called, which returns the highest sample.
func sampleHeap(every time.Duration) func() uint64 {
	var peak atomic.Uint64
	peak.Store(heapBytes())
	done, stopped := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(stopped)
		t := time.NewTicker(every)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
				if h := heapBytes(); h > peak.Load() {
					peak.Store(h)
				}
			}
		}
	}()
	return func() uint64 {
		close(done)
		<-stopped
		if h := heapBytes(); h > peak.Load() {
			peak.Store(h)
		}
		return peak.Load()
	}
}
