package main

import (
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/agentpulse/agentpulse/auth"
	"github.com/agentpulse/agentpulse/processor/store"
	"github.com/agentpulse/agentpulse/processor/store/clickhouse"
	"github.com/agentpulse/agentpulse/processor/store/clickhouse/chtest"
	"github.com/agentpulse/agentpulse/views"
	"github.com/agentpulse/agentpulse/views/reference"
	"github.com/agentpulse/agentpulse/views/storeview"
)

// chaosLong reports whether the long form of the chaos suite runs
// (AGENTPULSE_CHAOS=long, as `make chaos` sets): longer outages.
func chaosLong() bool { return os.Getenv("AGENTPULSE_CHAOS") == "long" }

// TestChaos injects faults into a product running as OS processes (the
// harness of TestMultiProcessOneMachine) and checks that nothing is lost
// nor counted twice: every figure equals views/reference over exactly what
// was sent. Each scenario logs its recovery time; none asserts timings.
// The short form runs in `make test`; AGENTPULSE_CHAOS=long (`make chaos`)
// runs the long one.
func TestChaos(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary and runs ClickHouse; skipped with -short")
	}
	if _, err := chtest.FreePort(); err != nil {
		t.Fatal(err)
	}
	bin, err := buildAgentpulse(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Run("ClickHouseRestartMidStream", func(t *testing.T) { chaosClickHouseRestart(t, bin) })
	t.Run("ServerKilledUnderSubscribers", func(t *testing.T) { chaosServerKilled(t, bin) })
	t.Run("BrokerFaults", chaosBrokerFaults)
	t.Run("RollingRestart", func(t *testing.T) { chaosRollingRestart(t, bin) })
}

// chaosRig is a broker, one processor on ClickHouse and an ingest server,
// each an OS process.
type chaosRig struct {
	t                      *testing.T
	bin, chAddr, db        string
	brokerAddr, ingestAddr string
	secret                 string
	proc                   *osProc
}

const chaosPartitions = 4

func startChaosRig(t *testing.T, bin, chAddr string) *chaosRig {
	r := &chaosRig{t: t, bin: bin, chAddr: chAddr, db: fmt.Sprintf("chaos_%d", time.Now().UnixNano()),
		brokerAddr: freeAddr(t), ingestAddr: freeAddr(t), secret: "chaos-test-secret-0123456789abcdef"}
	startProc(t, bin, "broker", "broker", "--broker-addr", r.brokerAddr, "--data-dir", t.TempDir(),
		"--partitions", fmt.Sprint(chaosPartitions), "--log-level", "warn")
	waitTCP(t, r.brokerAddr, 20*time.Second)
	adm := newAdmin(t, r.brokerAddr)
	waitFor(t, "topics created by the broker", 20*time.Second, func() bool {
		ends, err := endOffsetsOf(t.Context(), adm)
		return err == nil && len(ends) == chaosPartitions
	})
	r.proc = startProc(t, bin, "process", "process", "--learn=false", "--data-dir", t.TempDir(), "--brokers", r.brokerAddr, "--store", "clickhouse",
		"--clickhouse-addr", chAddr, "--clickhouse-database", r.db, "--group", "chaos-processors",
		"--partitions", fmt.Sprint(chaosPartitions), "--session-timeout", "3s", "--flush-interval", "50ms", "--log-level", "info")
	waitFor(t, "processor owning every partition", 30*time.Second, func() bool {
		return len(distinct(r.proc.loadedPartitions())) == chaosPartitions
	})
	startProc(t, bin, "ingest", "ingest", "--brokers", r.brokerAddr, "--http-addr", r.ingestAddr, "--auth-secret", r.secret,
		"--data-dir", t.TempDir(), "--log-level", "warn")
	waitFor(t, "ingest ready", 60*time.Second, func() bool { return ready("http://" + r.ingestAddr + "/readyz") })
	return r
}

func (r *chaosRig) mint(c auth.Claims) string {
	return mintToken(r.t, r.secret, c, time.Hour)
}

func (r *chaosRig) serve(addr string) *osProc {
	return startProc(r.t, r.bin, "serve-"+addr, "serve", "--brokers", r.brokerAddr, "--http-addr", addr, "--auth-secret", r.secret,
		"--data-dir", r.t.TempDir(), "--clickhouse-addr", r.chAddr, "--clickhouse-database", r.db,
		"--partitions", fmt.Sprint(chaosPartitions), "--log-level", "warn")
}

// waitDrained waits until the store's checkpoints reach the end of the
// interactions topic, which must hold want records, and returns the time
// it took.
func (r *chaosRig) waitDrained(st *clickhouse.Store, want int, limit time.Duration) time.Duration {
	t := r.t
	adm := newAdmin(t, r.brokerAddr)
	ends, err := endOffsetsOf(t.Context(), adm)
	if err != nil {
		t.Fatal(err)
	}
	var total int64
	for _, e := range ends {
		total += e
	}
	if total != int64(want) {
		t.Errorf("the interactions topic holds %d records, want the %d sent", total, want)
	}
	return waitFor(t, "consumer lag 0", limit, func() bool {
		lag, err := behind(t.Context(), st, ends)
		return err == nil && lag == 0
	})
}

// checkStoreFigures compares storeview over the store with the reference:
// every agent, every model it works, presets 3m/1w/24h.
func checkStoreFigures(t *testing.T, st store.Reader, ref *reference.Dataset) {
	t.Helper()
	v := storeview.New(st, views.DefaultParams())
	agents := map[string]bool{}
	for _, it := range ref.Records() {
		if it.AgentID != learnSentinel { // a closing record's: its own day is never sealed by the learner
			agents[it.AgentID] = true
		}
	}
	compared := 0
	for agent := range agents {
		for _, m := range ref.Models("acme", agent) {
			for _, preset := range []views.Preset{views.Preset3M, views.Preset1W, views.Preset24H} {
				spec := views.RangeSpec{Preset: preset}
				want, err := ref.AgentPerformance("acme", agent, m.Model, spec, views.SortSpec{})
				if err != nil {
					t.Fatal(err)
				}
				got, err := v.AgentPerformance(t.Context(), "acme", agent, m.Model, spec, views.SortSpec{})
				if err != nil {
					t.Fatalf("storeview %s %s %s: %v", agent, m.Model, preset, err)
				}
				if diff := views.ExactDiff(got, want); len(diff) > 0 {
					t.Errorf("agent %s model %s range %s differs from the reference:\n  %s", agent, m.Model, preset, strings.Join(diff[:min(len(diff), 10)], "\n  "))
				}
				compared++
			}
		}
	}
	t.Logf("store figures: %d performance answers (%d agents × their models × 3m/1w/24h) equal the reference (zero lost, zero double counted)", compared, len(agents))
}

// chaosClickHouseRestart stops ClickHouse mid-stream for 10 s (30 s in the
// long form) while interactions keep arriving, restarts it on the same
// directory and port, and checks that the processor kept running, its lag
// drains and the store equals the reference.
func chaosClickHouseRestart(t *testing.T, bin string) {
	outage := 10 * time.Second
	if chaosLong() {
		outage = 30 * time.Second
	}
	if os.Getenv("AGENTPULSE_TEST_CLICKHOUSE_ADDR") != "" {
		t.Skip("stops and restarts its own ClickHouse; not with AGENTPULSE_TEST_CLICKHOUSE_ADDR")
	}
	dir := t.TempDir()
	port, err := chtest.FreePort()
	if err != nil {
		t.Fatal(err)
	}
	srv, err := chtest.StartServerWith(dir, chtest.Options{TCPPort: port})
	if err != nil {
		if errors.Is(err, chtest.ErrNoBinary) && !chtest.Required() {
			t.Skipf("skipping: %v", err)
		}
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = srv.Close() })
	r := startChaosRig(t, bin, srv.Addr)

	feed := simulatedFeed(t)
	// reference.New: the processes run with --learn=false; learned cells in
	// the stores are compared with NewWithOutcomes in processor/learn and,
	// whole-process, in TestProcessLearnsOverClickHouse.
	ref := reference.New(feed, views.DefaultParams())
	tok := r.mint(auth.Claims{Tenant: "acme", Subject: "chaos-feed", Role: auth.RoleIngest})
	const chunks, stopAfter, during = 12, 3, 6 // chunks sent before, during and after the outage
	size := (len(feed) + chunks - 1) / chunks
	send := func(i int) { postInteractions(t, "http://"+r.ingestAddr, tok, feed[i*size:min((i+1)*size, len(feed))]) }
	for i := range stopAfter {
		send(i)
		time.Sleep(200 * time.Millisecond)
	}
	if err := srv.Close(); err != nil {
		t.Fatal(err)
	}
	stopped := time.Now()
	t.Logf("ClickHouse stopped after %d of %d chunks (%d records); ingesting on for %s", stopAfter, chunks, stopAfter*size, outage)
	for i := stopAfter; i < stopAfter+during; i++ {
		send(i)
		time.Sleep(outage / during)
	}
	if r.proc.exited() {
		t.Fatalf("the processor exited while ClickHouse was down: %v", r.proc.err)
	}
	srv, err = chtest.StartServerWith(dir, chtest.Options{TCPPort: port})
	if err != nil {
		t.Fatalf("restart ClickHouse on port %d: %v", port, err)
	}
	restarted := time.Now()
	t.Logf("ClickHouse restarted on the same directory and port after %s down", restarted.Sub(stopped).Round(time.Millisecond))
	for i := stopAfter + during; i < chunks; i++ {
		send(i)
	}
	st, err := clickhouse.Open(t.Context(), clickhouse.Config{Addr: []string{srv.Addr}, Database: r.db})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	r.waitDrained(st, len(feed), 90*time.Second)
	retries := strings.Count(r.proc.output(), "store write failed; retrying")
	t.Logf("recovered: consumer lag 0 over %d records %s after ClickHouse came back (%s after it stopped); the processor logged %d store-write retries and kept running",
		len(feed), (time.Since(restarted)).Round(time.Millisecond), time.Since(stopped).Round(time.Millisecond), retries)
	if r.proc.exited() {
		t.Fatalf("the processor exited: %v", r.proc.err)
	}
	if retries == 0 {
		t.Errorf("the processor logged no store-write retry during a %s ClickHouse outage", outage)
	}
	checkStoreFigures(t, st, ref)
}
