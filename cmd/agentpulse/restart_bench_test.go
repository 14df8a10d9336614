package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/agentpulse/agentpulse/auth"
	"github.com/agentpulse/agentpulse/processor/store/clickhouse"
	"github.com/agentpulse/agentpulse/processor/store/clickhouse/chtest"
	"github.com/agentpulse/agentpulse/schemas"
	"github.com/agentpulse/agentpulse/views"
)

// benchEnvInt reads a positive integer from the environment, or def.
func benchEnvInt(name string, def int) int {
	if v, err := strconv.Atoi(os.Getenv(name)); err == nil && v > 0 {
		return v
	}
	return def
}

const restartBenchPartitions = 8 // the product's default

// restartSize is one history of the restart benchmark: agents ×
// perAgent interactions. An agent's interactions go back 7 hours per 8,
// so perAgent sets the days of history and agents the daily rate.
type restartSize struct{ agents, perAgent int }

// restartSizes are the histories BenchmarkProcessorRestart measures, at
// one daily rate (1,000 agents, ~27,000 interactions a day): 10^6 (36
// days) and, with AGENTPULSE_BENCH_SCALE=full, 10^7 (a year).
// AGENTPULSE_BENCH_AGENTS and AGENTPULSE_BENCH_PER_AGENT measure that one
// size only.
func restartSizes() []restartSize {
	if os.Getenv("AGENTPULSE_BENCH_AGENTS") != "" || os.Getenv("AGENTPULSE_BENCH_PER_AGENT") != "" {
		return []restartSize{{benchEnvInt("AGENTPULSE_BENCH_AGENTS", 1000), benchEnvInt("AGENTPULSE_BENCH_PER_AGENT", 1000)}}
	}
	sizes := []restartSize{{1000, 1000}}
	if os.Getenv("AGENTPULSE_BENCH_SCALE") == "full" {
		sizes = append(sizes, restartSize{1000, 10_000})
	}
	return sizes
}

// BenchmarkProcessorRestart measures DESIGN.md §4 "restart: kill -9 of the
// processor → serving fresh figures again ≤ 10 s at 10^7 interactions of
// history, ≤ 1.5 × the 10^6 figure", one sub-benchmark per size of
// restartSizes. Set up once per size: agents × perAgent interactions on
// the broker and in ClickHouse as a processor would have
// stored them (loadRestartState, without snapshots: folding them through
// the processor would take minutes); a broker, ingest and a server as OS
// processes, and a first processor (OS process, ClickHouse store, product
// defaults plus --instance-id) that loads the partitions' history from the
// store — the path of a first start after an upgrade — and writes a
// snapshot of its hot state (the days within --state-horizon). The
// benchmark waits for those snapshots in the store, so every measured
// restart is the product's: the snapshot and the log after it, not the
// history (it fails if a restarted processor loads a partition otherwise).
// Each iteration SIGKILLs the processor, starts it again, and right after
// the kill ingests one new interaction of a watched agent; it ends when
// both a websocket subscribed to that agent has received the score message
// naming it and GET /v1/agents/{agent}/performance counts it.
//
// Metrics: restart_s (kill → both), process_start_s (kill → the new
// process has loaded every partition's snapshot), ws_fresh_s and
// api_fresh_s (kill → each of the two), the state's size
// (state_interactions: the history), and what a restart loads:
// hot_interactions (in the snapshots) and snapshot_MB; at 10^7 and above,
// when a tenth of the history ran before in the same run,
// restart_vs_tenth (DESIGN.md §4: ≤ 1.5). Of the set-up's first load
// (the history from the store, no snapshot): first_load_peak_rss_MB, the
// first processor's peak resident memory (VmHWM; it runs without the
// outcome learner, then stops, and one with the learner starts), and
// first_load_peak_interactions, the most interactions one partition's
// state held at once while loading (bounded by the horizon's days, not
// the history); key_filter_MB, the static key filters it stored (every
// partition's, encoded: what a restart reads beside the snapshots).
func BenchmarkProcessorRestart(b *testing.B) {
	bin, err := buildAgentpulse(b.TempDir())
	if err != nil {
		b.Fatal(err)
	}
	restarts := map[int]float64{} // restart_s by history
	for _, size := range restartSizes() {
		history := size.agents * size.perAgent
		b.Run(fmt.Sprintf("history=%d", history), func(b *testing.B) {
			restarts[history] = benchRestart(b, bin, size.agents, size.perAgent)
			if tenth := restarts[history/10]; history >= 10_000_000 && tenth > 0 {
				b.ReportMetric(restarts[history]/tenth, "restart_vs_tenth")
			}
		})
	}
}

// benchRestart is BenchmarkProcessorRestart at one size; it returns the
// mean restart_s.
func benchRestart(b *testing.B, bin string, agents, perAgent int) float64 {
	b.ReportAllocs()
	began := time.Now()
	chAddr := chtest.Start(b)
	ctx := b.Context()
	secret := "restart-bench-secret-0123456789abcdef"
	db := fmt.Sprintf("restart_%d", time.Now().UnixNano())
	brokerAddr, ingestAddr, serveAddr := freeAddr(b), freeAddr(b), freeAddr(b)
	parts := fmt.Sprint(restartBenchPartitions)
	startProc(b, bin, "broker", "broker", "--broker-addr", brokerAddr, "--data-dir", b.TempDir(), "--partitions", parts, "--log-level", "warn")
	waitTCP(b, brokerAddr, 20*time.Second)
	adm := newAdmin(b, brokerAddr)
	waitFor(b, "topics created by the broker", 20*time.Second, func() bool {
		ends, err := endOffsetsOf(ctx, adm)
		return err == nil && len(ends) == restartBenchPartitions
	})

	// The state: on the interactions topic, and straight in the store
	// as the processor would have left it (folding it through the
	// processor would take minutes).
	setUp := time.Now()
	end := time.Now().UTC().Truncate(time.Hour)
	st, err := clickhouse.Open(ctx, clickhouse.Config{Addr: []string{chAddr}, Database: db})
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	total := loadRestartState(b, brokerAddr, st, agents, perAgent, end)
	produced := time.Now()

	procArgs := []string{"process", "--data-dir", b.TempDir(), "--brokers", brokerAddr, "--store", "clickhouse", "--clickhouse-addr", chAddr,
		"--clickhouse-database", db, "--partitions", parts, "--instance-id", "processor-0", "--log-level", "info"}
	// The first processor runs without the outcome learner (which reads
	// the whole interactions topic into its own state), so that its peak
	// memory is the load's; the learner starts with the next one.
	proc := startProc(b, bin, "process-load", append(slices.Clone(procArgs), "--learn=false")...)
	// Loading the history from the store (first start) and writing the
	// first snapshots: 10 minutes, plus 0.1 ms per interaction.
	loadLimit := 10*time.Minute + time.Duration(total)*100*time.Microsecond
	waitFor(b, "the processor loading its state", loadLimit, func() bool {
		return len(distinct(proc.loadedPartitions())) == restartBenchPartitions
	})
	folded := time.Now()
	// The first start wrote a snapshot per partition right after loading
	// the history: wait for them, so that the first kill cannot land
	// before and every measured restart reads a snapshot.
	waitFor(b, "the first processor's snapshots", loadLimit, func() bool {
		for p := range int32(restartBenchPartitions) {
			if _, snap, err := st.Snapshot(ctx, p); err != nil || snap == nil {
				return false
			}
		}
		return true
	})

	// What the first load (no snapshot: the history from the store) held:
	// the process's peak resident memory, and the most interactions a
	// partition's state held at once while loading.
	firstRSS := peakRSSMB(proc.cmd.Process.Pid)
	var filterBytes int
	for p := range int32(restartBenchPartitions) {
		if _, data, err := st.KeyFilter(ctx, p); err == nil {
			filterBytes += len(data)
		}
	}
	var firstPeak int64
	for _, l := range restartLoads(proc.output()) {
		firstPeak = max(firstPeak, l.peak)
	}
	proc.stop(syscall.SIGTERM, time.Minute)
	proc = startProc(b, bin, "process-run0", procArgs...)
	waitFor(b, "the processor with the learner loading its snapshots", loadLimit, func() bool {
		return len(distinct(proc.loadedPartitions())) == restartBenchPartitions
	})

	startProc(b, bin, "serve", "serve", "--brokers", brokerAddr, "--http-addr", serveAddr, "--auth-secret", secret,
		"--data-dir", b.TempDir(), "--clickhouse-addr", chAddr, "--clickhouse-database", db, "--partitions", parts, "--log-level", "warn")
	startProc(b, bin, "ingest", "ingest", "--brokers", brokerAddr, "--http-addr", ingestAddr, "--auth-secret", secret,
		"--data-dir", b.TempDir(), "--log-level", "warn")
	for _, a := range []string{serveAddr, ingestAddr} {
		waitFor(b, a+"/readyz", 5*time.Minute, func() bool { return ready("http://" + a + "/readyz") })
	}
	b.Logf("set-up: ClickHouse started in %s; state of %d agents × %d interactions = %d on the broker and in ClickHouse in %s, loaded by the first processor in %s; server and ingest ready %s later",
		setUp.Sub(began).Round(time.Millisecond), agents, perAgent, total, produced.Sub(setUp).Round(time.Millisecond),
		folded.Sub(produced).Round(time.Millisecond), time.Since(folded).Round(time.Millisecond))

	watched := "agent-00000"
	mint := func(c auth.Claims) string { return mintToken(b, secret, c, 24*time.Hour) }
	agentTok := mint(auth.Claims{Tenant: "acme", Subject: watched, Role: auth.RoleAgent})
	ingestTok := mint(auth.Claims{Tenant: "acme", Subject: "restart-bench", Role: auth.RoleIngest})
	scores := newWSResumer(watched, agentTok, []string{serveAddr})
	wsCtx, stopWS := context.WithCancel(ctx)
	defer stopWS()
	go scores.run(wsCtx)
	waitFor(b, "the websocket snapshot", 60*time.Second, func() bool { return scores.snapshots() > 0 })
	perfURL := fmt.Sprintf("http://%s/v1/agents/%s/performance?model=voice", serveAddr, watched)
	lastAnswer := ""
	volume := func() int64 {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, perfURL, nil)
		req.Header.Set("Authorization", "Bearer "+agentTok)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			lastAnswer = err.Error()
			return -1
		}
		defer resp.Body.Close()
		var p views.Performance
		if resp.StatusCode != http.StatusOK {
			body, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
			lastAnswer = fmt.Sprintf("%s: %s", resp.Status, body)
			return -1
		}
		if err := json.NewDecoder(resp.Body).Decode(&p); err != nil {
			lastAnswer = err.Error()
			return -1
		}
		return p.Overall.Volume
	}
	// The server answers 503 while it catches up with the store after the
	// first processor's load (never a partial figure): wait for a 200.
	var baseVolume int64
	if _, ok := waitForOK(5*time.Minute, func() bool { baseVolume = volume(); return baseVolume > 0 }); !ok {
		b.Fatalf("GET %s before the first kill: no figure after 5 minutes; last answer %s", perfURL, lastAnswer)
	}

	var restart, start, wsFresh, apiFresh time.Duration
	var hot, snapBytes int64
	var lastKill time.Time
	n := 0
	for b.Loop() {
		n++
		proc.stop(syscall.SIGKILL, 0)
		killed := time.Now()
		lastKill = killed
		proc = startProc(b, bin, fmt.Sprintf("process-run%d", n), procArgs...)
		probe := restartBenchInteraction(watched, fmt.Sprintf("probe-%d", n), n, end.Add(-2*time.Hour).Add(time.Duration(n)*time.Second))
		fd := newRetryFeeder("http://"+ingestAddr, ingestTok, []schemas.Interaction{probe}, 1)
		if err := fd.send(ctx, fd.feed); err != nil {
			b.Fatal(err)
		}
		key := revKey(probe.InteractionID, probe.Revision)
		var loadedAt, wsAt, apiAt time.Time
		waitFor(b, "fresh figures after the restart", 5*time.Minute, func() bool {
			now := time.Now()
			if loadedAt.IsZero() && len(distinct(proc.loadedPartitions())) == restartBenchPartitions {
				loadedAt = now
			}
			if wsAt.IsZero() {
				scores.mu.Lock()
				if scores.named[key] {
					wsAt = now
				}
				scores.mu.Unlock()
			}
			if apiAt.IsZero() && volume() == baseVolume+int64(n) {
				apiAt = time.Now()
			}
			if proc.exited() {
				b.Fatalf("the restarted processor exited: %v", proc.err)
			}
			return !loadedAt.IsZero() && !wsAt.IsZero() && !apiAt.IsZero()
		})
		loads := restartLoads(proc.output())
		for _, l := range loads {
			if l.from != "snapshot" {
				b.Fatalf("restart %d loaded partition %d from %s, not from its snapshot", n, l.partition, l.from)
			}
			hot += l.interactions
			snapBytes += l.snapshotBytes
		}
		start += loadedAt.Sub(killed)
		wsFresh += wsAt.Sub(killed)
		apiFresh += apiAt.Sub(killed)
		restart += laterOf(wsAt, apiAt).Sub(killed)
	}
	secs := func(d time.Duration) float64 { return d.Seconds() / float64(n) }
	b.ReportMetric(secs(restart), "restart_s")
	b.ReportMetric(secs(start), "process_start_s")
	b.ReportMetric(secs(wsFresh), "ws_fresh_s")
	b.ReportMetric(secs(apiFresh), "api_fresh_s")
	b.ReportMetric(float64(agents), "agents")
	b.ReportMetric(float64(total), "state_interactions")
	b.ReportMetric(float64(hot)/float64(n), "hot_interactions")
	b.ReportMetric(float64(snapBytes)/float64(n)/1e6, "snapshot_MB")
	b.ReportMetric(firstRSS, "first_load_peak_rss_MB")
	b.ReportMetric(float64(firstPeak), "first_load_peak_interactions")
	b.ReportMetric(float64(filterBytes)/1e6, "key_filter_MB")
	b.StopTimer()
	// Where the last restart's time went: its start and each partition's load.
	var steps []string
	for _, line := range strings.Split(proc.output(), "\n") {
		if strings.Contains(line, `msg="processor starting"`) || strings.Contains(line, `msg="clickhouse schema applied"`) ||
			strings.Contains(line, `msg="partition loaded"`) {
			steps = append(steps, line)
		}
	}
	b.Logf("last restart, killed at %s:\n%s", lastKill.UTC().Format(time.RFC3339Nano), strings.Join(steps, "\n"))
	scores.mu.Lock()
	problems := strings.Join(scores.problems, "; ")
	scores.mu.Unlock()
	if problems != "" {
		b.Errorf("websocket: %s", problems)
	}
	return secs(restart)
}

// peakRSSMB returns a process's peak resident memory (VmHWM) in MB, 0
// when /proc cannot tell.
func peakRSSMB(pid int) float64 {
	status, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0
	}
	for line := range strings.SplitSeq(string(status), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, _ := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 64)
			return kb / 1024
		}
	}
	return 0
}

// laterOf returns the later of two instants.
func laterOf(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

// partitionLoad is one "partition loaded" line of a processor's log.
type partitionLoad struct {
	partition                   int
	from                        string
	interactions, snapshotBytes int64
	peak                        int64 // peak_interactions
}

// restartLoads returns the "partition loaded" lines of a processor's log
// (slog text: key=value fields).
func restartLoads(log string) []partitionLoad {
	var out []partitionLoad
	for _, line := range strings.Split(log, "\n") {
		if !strings.Contains(line, `msg="partition loaded"`) {
			continue
		}
		var l partitionLoad
		for _, f := range strings.Fields(line) {
			k, v, ok := strings.Cut(f, "=")
			if !ok {
				continue
			}
			switch k {
			case "partition":
				l.partition, _ = strconv.Atoi(v)
			case "from":
				l.from = v
			case "interactions":
				l.interactions, _ = strconv.ParseInt(v, 10, 64)
			case "snapshot_bytes":
				l.snapshotBytes, _ = strconv.ParseInt(v, 10, 64)
			case "peak_interactions":
				l.peak, _ = strconv.ParseInt(v, 10, 64)
			}
		}
		out = append(out, l)
	}
	return out
}

// waitForOK polls cond every 50 ms until it holds (true) or limit passes
// (false), and returns how long it waited.
func waitForOK(limit time.Duration, cond func() bool) (time.Duration, bool) {
	began := time.Now()
	for !cond() {
		if time.Since(began) > limit {
			return time.Since(began), false
		}
		time.Sleep(50 * time.Millisecond)
	}
	return time.Since(began), true
}
