package processor

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"runtime"
	rtmetrics "runtime/metrics"
	"runtime/pprof"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	ch "github.com/ClickHouse/clickhouse-go/v2"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/agentpulse/agentpulse/ingest"
	"github.com/agentpulse/agentpulse/ingest/broker"
	"github.com/agentpulse/agentpulse/ingest/simulator"
	"github.com/agentpulse/agentpulse/processor/store"
	"github.com/agentpulse/agentpulse/processor/store/clickhouse"
	"github.com/agentpulse/agentpulse/processor/store/clickhouse/chtest"
	"github.com/agentpulse/agentpulse/schemas"
)

// replaySizes are the numbers of interactions BenchmarkReplayToClickHouse
// replays, one sub-benchmark each: 10^5 and 10^6 by default, plus 10^7
// with AGENTPULSE_BENCH_SCALE=full (about ten minutes on 2 cores);
// AGENTPULSE_BENCH_RECORDS=N replays N only.
func replaySizes() []int {
	if v, err := strconv.Atoi(os.Getenv("AGENTPULSE_BENCH_RECORDS")); err == nil && v > 0 {
		return []int{v}
	}
	sizes := []int{100_000, 1_000_000}
	if os.Getenv("AGENTPULSE_BENCH_SCALE") == "full" {
		sizes = append(sizes, 10_000_000)
	}
	return sizes
}

// replayAgents is the replay's center: ~3,600 interactions a day.
const replayAgents = 100

// replayHeaps are the processor_heap_MB figures of this run by size, for
// the ratio DESIGN.md §4 bounds (processor memory at 10^7 interactions of
// history ÷ at 10^6, same daily rate: ≤ 1.3).
var replayHeaps = map[int]float64{}

// rawApplyMax is the largest size whose raw-apply rate is measured too: at
// 10^7 it would add minutes for a ratio that 10^6 already shows.
const rawApplyMax = 1_000_000

// simulatedStream calls fn with chunks of at most chunk simulated
// interactions (no faults), n in all, without holding more than one chunk:
// 10^7 interactions would not fit the test's memory next to the broker's
// log. The stream is the same on every call.
func simulatedStream(b *testing.B, n, chunk int, fn func([]schemas.Interaction)) {
	cfg := simulator.DefaultConfig(time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC))
	// A fixed daily rate (DESIGN.md §4 compares memory at the same daily
	// rate): n interactions of a center of a agents take about n/(36a)
	// days (n/(30a) asked, so that n fit), so more history is more days:
	// with the default 100 agents, 10^6 is 334 days and 10^7 3,334.
	a := replayAgents
	if v, err := strconv.Atoi(os.Getenv("AGENTPULSE_BENCH_AGENTS")); err == nil && v > 0 {
		a = v
	}
	cfg.Agents, cfg.Days = a, n/(30*a)+1
	g, err := simulator.New(cfg, 2)
	if err != nil {
		b.Fatal(err)
	}
	buf := make([]schemas.Interaction, 0, chunk)
	sent := 0
	_, _ = g.Each(context.Background(), func(it *schemas.Interaction) error {
		if sent == n {
			return context.Canceled
		}
		buf = append(buf, *it)
		sent++
		if len(buf) == chunk {
			fn(buf)
			buf = buf[:0]
		}
		return nil
	})
	if len(buf) > 0 {
		fn(buf)
	}
	if sent != n {
		b.Fatalf("simulated %d interactions, want %d", sent, n)
	}
}

// BenchmarkReplayToClickHouse replays n interactions already on the broker
// (4 partitions, its log on disk) through the processor into a real
// ClickHouse, for each n of replaySizes, at a fixed daily rate (so more
// interactions are more days of history). It reports:
//   - interactions/s: replay rate, processor start to every checkpoint at
//     the log end;
//   - raw_interactions/s: the same rows folded and written straight
//     through the store's Apply in batches of 50,000 (no Kafka, no
//     decode, no updates), up to 10^6; replay/raw is the ratio;
//   - peak_heap_MB: the most Go heap (live and not yet collected objects)
//     the test process held during the replay, less what it held before
//     the processor started (the embedded broker's log, the producer):
//     the processor's peak;
//   - state_heap_MB: the live heap after the replay and a GC, less the
//     same baseline: the processor's retained state (fold index, buckets)
//     plus the updates it published into the in-process broker;
//   - processor_heap_MB: what stopping the processor frees (live heap
//     after the replay less live heap after the stop, each after a GC):
//     the processor's own retained state, without the broker's;
//     processor_heap_vs_tenth, at 10^7 and above when n/10 ran before in
//     the same run: its ratio to n/10's (DESIGN.md §4: ≤ 1.3).
//   - rows/interaction: rows the replay's inserts stored in every table
//     (the parts inserts made, before merges), per interaction;
//   - cpu_us/interaction: CPU time (user and system) of the test process
//     during the replay per interaction: the processor's, plus the
//     embedded broker serving its fetches and keeping its updates; and
//     ch_cpu_us/interaction, the ClickHouse server's, when the benchmark
//     started it (raw_ch_cpu_us/interaction: the same during the raw
//     apply, generating the chunks included). Unlike the rates, these hardly move when other work
//     loads the machine.
func BenchmarkReplayToClickHouse(b *testing.B) {
	chAddr, chPid := os.Getenv("AGENTPULSE_TEST_CLICKHOUSE_ADDR"), 0
	if chAddr == "" {
		srv, err := chtest.StartServer(b.TempDir())
		if err != nil {
			if errors.Is(err, chtest.ErrNoBinary) && !chtest.Required() {
				b.Skipf("skipping: %v", err)
			}
			b.Fatalf("start clickhouse: %v", err)
		}
		b.Cleanup(func() { _ = srv.Close() })
		chAddr, chPid = srv.Addr, srv.Pid()
	}
	for _, n := range replaySizes() {
		b.Run(fmt.Sprintf("n=%d", n), func(b *testing.B) { benchReplay(b, chAddr, chPid, n) })
	}
}

func benchReplay(b *testing.B, chAddr string, chPid, n int) {
	b.ReportAllocs()
	addr := startDiskBroker(b)
	cl, err := kgo.NewClient(kgo.SeedBrokers(addr), kgo.DefaultProduceTopic("interactions"), kgo.ProducerLinger(0))
	if err != nil {
		b.Fatal(err)
	}
	simulatedStream(b, n, 100_000, func(its []schemas.Interaction) {
		recs := make([]*kgo.Record, len(its))
		for i := range its {
			recs[i] = &kgo.Record{Key: ingest.Key(&its[i]), Value: its[i].AppendJSON(nil)}
		}
		if err := cl.ProduceSync(context.Background(), recs...).FirstErr(); err != nil {
			b.Fatal(err)
		}
	})
	cl.Close()
	ends := endOffsets(b, addr)
	ctx := context.Background()

	var replayRate, rawRate, rawCHCPUUS, peakMB, stateMB, procMB, cpuUS, chCPUUS, rowsPer float64
	for i := 0; b.Loop(); i++ {
		if n <= rawApplyMax {
			chCPU0 := pidCPU(chPid)
			rawRate = rawApply(b, chAddr, fmt.Sprintf("raw_%d_%d", n, i), n)
			rawCHCPUUS = float64((pidCPU(chPid) - chCPU0).Microseconds()) / float64(n)
		}

		db := fmt.Sprintf("replay_%d_%d", n, i)
		st, err := clickhouse.Open(ctx, clickhouse.Config{Addr: []string{chAddr}, Database: db})
		if err != nil {
			b.Fatal(err)
		}
		runtime.GC()
		base := heapBytes()
		peak := watchHeap()
		stopProfile := replayCPUProfile(b)
		cpu0, chCPU0 := processCPU(), pidCPU(chPid)
		began := time.Now()
		w := &watchedWriter{Writer: st, stored: map[int32]int64{}, changed: make(chan struct{}, 1)}
		stop := runProcessorB(b, addr, w, fmt.Sprintf("bench_%d_%d", n, i))
		// A shared machine can give the replay a few thousand interactions
		// a second: allow 1 ms per interaction beyond 30 minutes.
		w.waitFor(b, ends, 30*time.Minute+time.Duration(n)*time.Millisecond)
		replayRate = float64(n) / time.Since(began).Seconds()
		cpuUS = float64((processCPU() - cpu0).Microseconds()) / float64(n)
		chCPUUS = float64((pidCPU(chPid) - chCPU0).Microseconds()) / float64(n)
		stopProfile()
		peakMB = float64(peak()-base) / 1e6
		runtime.GC()
		live := heapBytes()
		if path := os.Getenv("AGENTPULSE_BENCH_HEAPPROFILE"); path != "" {
			if f, err := os.Create(path); err == nil {
				_ = pprof.WriteHeapProfile(f)
				f.Close()
			}
		}
		stateMB = float64(live-base) / 1e6
		stop()
		st.Close()
		runtime.GC()
		procMB = float64(int64(live)-int64(heapBytes())) / 1e6
		rowsPer = float64(storedRows(b, chAddr, db)) / float64(n)
		dropDatabase(b, chAddr, db)
	}
	b.ReportMetric(replayRate, "interactions/s")
	if rawRate > 0 {
		b.ReportMetric(rawRate, "raw_interactions/s")
		b.ReportMetric(replayRate/rawRate, "replay/raw")
		if chPid != 0 {
			b.ReportMetric(rawCHCPUUS, "raw_ch_cpu_us/interaction")
		}
	}
	b.ReportMetric(cpuUS, "cpu_us/interaction")
	if chPid != 0 {
		b.ReportMetric(chCPUUS, "ch_cpu_us/interaction")
	}
	b.ReportMetric(peakMB, "peak_heap_MB")
	b.ReportMetric(stateMB, "state_heap_MB")
	b.ReportMetric(procMB, "processor_heap_MB")
	b.ReportMetric(rowsPer, "rows/interaction")
	replayHeaps[n] = procMB
	if small := replayHeaps[n/10]; n >= 10_000_000 && small > 0 {
		b.ReportMetric(procMB/small, "processor_heap_vs_tenth")
	}
}

// replayCPUProfile starts a CPU profile of the replay alone (not the
// producing or the raw apply) into AGENTPULSE_BENCH_CPUPROFILE when it is
// set, and returns the function that stops it. With
// AGENTPULSE_BENCH_ALLOCPROFILE=path it also writes the heap profile at
// the replay's start (path.base) and end (path): `go tool pprof
// -sample_index=alloc_space -diff_base path.base` shows what the replay
// allocated.
func replayCPUProfile(b *testing.B) func() {
	alloc := os.Getenv("AGENTPULSE_BENCH_ALLOCPROFILE")
	writeHeap := func(path string) {
		if f, err := os.Create(path); err == nil {
			_ = pprof.Lookup("allocs").WriteTo(f, 0)
			f.Close()
		}
	}
	if alloc != "" {
		writeHeap(alloc + ".base")
	}
	stop := func() {
		if alloc != "" {
			writeHeap(alloc)
		}
	}
	path := os.Getenv("AGENTPULSE_BENCH_CPUPROFILE")
	if path == "" {
		return stop
	}
	f, err := os.Create(path)
	if err != nil {
		b.Fatal(err)
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		b.Fatal(err)
	}
	return func() {
		pprof.StopCPUProfile()
		f.Close()
		stop()
	}
}

// storedRows is how many rows the replay stored in db's tables, merged or
// not (the rows every insert sent): what one interaction costs the server.
func storedRows(b *testing.B, chAddr, db string) uint64 {
	conn, err := ch.Open(&ch.Options{Addr: []string{chAddr}})
	if err != nil {
		b.Fatal(err)
	}
	defer conn.Close()
	rs, err := conn.Query(context.Background(),
		"SELECT table, sum(rows) AS n FROM system.parts WHERE database = ? AND level = 0 GROUP BY table ORDER BY n DESC", db)
	if err != nil {
		b.Logf("count stored rows of %s: %v", db, err)
		return 0
	}
	defer rs.Close()
	var total uint64
	var per []string
	for rs.Next() {
		var table string
		var n uint64
		if err := rs.Scan(&table, &n); err != nil {
			b.Logf("count stored rows of %s: %v", db, err)
			return 0
		}
		total += n
		per = append(per, fmt.Sprintf("%s %d", table, n))
	}
	b.Logf("stored rows: %s", strings.Join(per, ", "))
	return total
}

// startDiskBroker starts the embedded broker with its log in a directory
// (the OS page cache) rather than in the Go heap, as the product's broker
// runs: at 10^7 interactions the in-memory log alone took ~10 GB of the
// test's heap, more than the machine held next to ClickHouse, and it blurred
// the heap figures.
func startDiskBroker(b *testing.B) string {
	b.Helper()
	br, err := broker.StartEmbedded(broker.EmbeddedConfig{Addr: "127.0.0.1:0", DataDir: b.TempDir(), Logger: quietLogger()})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(br.Close)
	if err := broker.EnsureTopics(context.Background(), []string{br.Addr()}, broker.Topics{InteractionsPartitions: 4}); err != nil {
		b.Fatal(err)
	}
	return br.Addr()
}

// watchedWriter tells when the processor stored every partition up to
// the log end by watching its Apply calls, so that waiting costs the
// server no query (polling Checkpoint every 50ms took a share of the
// server's CPU in a long replay).
type watchedWriter struct {
	store.Writer
	mu      sync.Mutex
	stored  map[int32]int64 // the highest checkpoint stored, by partition
	changed chan struct{}
}

func (w *watchedWriter) Apply(ctx context.Context, b store.Batch) error {
	return w.ApplyAll(ctx, []store.Batch{b})
}

func (w *watchedWriter) ApplyAll(ctx context.Context, bs []store.Batch) error {
	err := w.Writer.ApplyAll(ctx, bs)
	if err == nil {
		w.mu.Lock()
		for _, b := range bs {
			w.stored[b.Partition] = max(w.stored[b.Partition], b.Next)
		}
		w.mu.Unlock()
		select {
		case w.changed <- struct{}{}:
		default:
		}
	}
	return err
}

// waitFor waits until every partition's stored checkpoint reaches its end
// offset.
func (w *watchedWriter) waitFor(b *testing.B, ends map[int32]int64, limit time.Duration) {
	deadline := time.After(limit)
	for {
		w.mu.Lock()
		behind := 0
		for p, end := range ends {
			if w.stored[p] < end {
				behind++
			}
		}
		w.mu.Unlock()
		if behind == 0 {
			return
		}
		select {
		case <-w.changed:
		case <-deadline:
			b.Fatalf("%d partitions still behind after %s", behind, limit)
		}
	}
}

// rawApply folds the same n interactions in chunks of 50,000 and writes
// each chunk straight through the store's Apply, and returns the rate;
// generating the chunks is not timed.
func rawApply(b *testing.B, chAddr, db string, n int) float64 {
	ctx := context.Background()
	raw, err := clickhouse.Open(ctx, clickhouse.Config{Addr: []string{chAddr}, Database: db})
	if err != nil {
		b.Fatal(err)
	}
	var took time.Duration
	off := 0
	simulatedStream(b, n, 50_000, func(its []schemas.Interaction) {
		began := time.Now()
		f := newFold(0)
		for k := range its {
			f.apply(&its[k], int64(off+k))
		}
		off += len(its)
		if err := raw.Apply(ctx, f.takeBatch(int64(off))); err != nil {
			b.Fatal(err)
		}
		took += time.Since(began)
	})
	raw.Close()
	dropDatabase(b, chAddr, db)
	return float64(n) / took.Seconds()
}

// dropDatabase frees the server's disk and merges between sizes.
func dropDatabase(b *testing.B, chAddr, db string) {
	conn, err := ch.Open(&ch.Options{Addr: []string{chAddr}})
	if err == nil {
		err = conn.Exec(context.Background(), "DROP DATABASE IF EXISTS "+db)
		conn.Close()
	}
	if err != nil {
		b.Logf("drop database %s: %v", db, err)
	}
}

// processCPU is the test process's CPU time so far, user and system.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// pidCPU is a process's CPU time so far, user and system, read from
// /proc (Linux); 0 when unknown.
func pidCPU(pid int) time.Duration {
	if pid == 0 {
		return 0
	}
	stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0
	}
	// Fields after the command's closing parenthesis: utime and stime are
	// the 12th and 13th, in clock ticks (100 per second on Linux).
	i := bytes.LastIndexByte(stat, ')')
	if i < 0 {
		return 0
	}
	f := strings.Fields(string(stat[i+1:]))
	if len(f) < 13 {
		return 0
	}
	ut, _ := strconv.ParseInt(f[11], 10, 64)
	st, _ := strconv.ParseInt(f[12], 10, 64)
	return time.Duration(ut+st) * 10 * time.Millisecond
}

// heapBytes is the Go heap's live and not yet collected objects, in bytes.
func heapBytes() uint64 {
	s := []rtmetrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	rtmetrics.Read(s)
	return s[0].Value.Uint64()
}

// watchHeap samples heapBytes every 20ms until the returned function is
// called, which returns the highest sample.
func watchHeap() func() uint64 {
	var peak atomic.Uint64
	peak.Store(heapBytes())
	done := make(chan struct{})
	stopped := make(chan struct{})
	go func() {
		defer close(stopped)
		t := time.NewTicker(20 * time.Millisecond)
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

func runProcessorB(b *testing.B, addr string, st store.Writer, group string) func() {
	reg := prometheus.NewRegistry()
	p, err := New(Config{Brokers: []string{addr}, Group: group, Logger: quietLogger(), Registerer: reg}, st)
	if err != nil {
		b.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- p.Run(ctx) }()
	return func() {
		cancel()
		<-done
		filterBytes := 0.0
		for _, v := range gaugeValues(b, reg, "agentpulse_processor_evicted_filter_bytes") {
			filterBytes += v
		}
		b.Logf("evicted %.0f interactions, %.0f store lookups, %.0f snapshots, %.0f static key filters built; evicted filters %.2f MB at the end",
			counter(b, reg, "agentpulse_processor_evicted_interactions_total"),
			counter(b, reg, "agentpulse_processor_store_lookups_total"),
			counter(b, reg, "agentpulse_processor_snapshots_total"),
			counter(b, reg, "agentpulse_processor_key_filters_total"), filterBytes/1e6)
	}
}
