package processor

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/agentpulse/agentpulse/processor/store/clickhouse"
	"github.com/agentpulse/agentpulse/processor/store/clickhouse/chtest"
)

// buildBinary builds cmd/agentpulse into a temp dir.
func buildBinary(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "agentpulse")
	cmd := exec.Command("go", "build", "-o", bin, "github.com/agentpulse/agentpulse/cmd/agentpulse")
	cmd.Stderr = os.Stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("build agentpulse: %v", err)
	}
	return bin
}

// TestCrashKill9DuringIngest runs the processor as its own OS process on
// ClickHouse and kills it with SIGKILL at random moments while interactions
// (with duplicates, revisions and late arrivals) are being produced, then
// restarts it each time. Once it has caught up, the store must equal the
// reference exactly: nothing lost, nothing counted twice. It belongs to the
// chaos suite: AGENTPULSE_CHAOS=long (`make chaos`) feeds 4 times as much
// and kills at least 25 times.
func TestCrashKill9DuringIngest(t *testing.T) {
	if testing.Short() {
		t.Skip("crash test builds the binary and runs ClickHouse; skipped with -short")
	}
	chAddr := chtest.Start(t)
	bin := buildBinary(t)
	addr := startBroker(t)
	agents, minKills := 20, 5
	if os.Getenv("AGENTPULSE_CHAOS") == "long" {
		agents, minKills = 80, 25
	}
	its := simulated(t, agents, 14)
	db := "crash"

	// Each restart joins a consumer group of its own. Where a partition
	// resumes comes from the store's checkpoint, never from the group, so
	// this changes nothing the test checks; it keeps the test from waiting
	// on kfake to expire the killed members, which under a loaded machine
	// stalled rejoins for minutes (real Kafka expires them after the
	// session timeout).
	restarts := 0
	start := func() *exec.Cmd {
		restarts++
		cmd := exec.Command(bin, "process", "--brokers", addr, "--store", "clickhouse", "--group", fmt.Sprintf("crash-%d", restarts),
			"--clickhouse-addr", chAddr, "--clickhouse-database", db, "--partitions", "4",
			"--flush-records", "2000", "--session-timeout", "6s", "--flush-interval", "30ms", "--log-level", "warn")
		cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
		cmd.Env = append(os.Environ(), "AGENTPULSE_STORE=") // flags only
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		return cmd
	}

	// Produce in chunks while killing the processor at random moments.
	rng := rand.New(rand.NewPCG(1, 2))
	const chunks = 12
	produced := make(chan struct{})
	go func() {
		defer close(produced)
		step := (len(its) + chunks - 1) / chunks
		for i := 0; i < len(its); i += step {
			produce(t, addr, its[i:min(i+step, len(its))])
			time.Sleep(150 * time.Millisecond)
		}
	}()
	kills := 0
	proc := start()
	for done := false; !done; {
		select {
		case <-produced:
			done = true
		case <-time.After(time.Duration(200+rng.IntN(500)) * time.Millisecond):
			_ = proc.Process.Signal(syscall.SIGKILL)
			_ = proc.Wait()
			kills++
			proc = start()
		}
	}
	for kills < minKills {
		// The feed ended early: keep killing during catch-up.
		time.Sleep(time.Duration(50+rng.IntN(200)) * time.Millisecond)
		_ = proc.Process.Signal(syscall.SIGKILL)
		_ = proc.Wait()
		kills++
		proc = start()
	}
	defer func() {
		_ = proc.Process.Signal(syscall.SIGTERM)
		_ = proc.Wait()
	}()

	st, err := clickhouse.Open(context.Background(), clickhouse.Config{Addr: []string{chAddr}, Database: db})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	began := time.Now()
	waitCaughtUp(t, st, endOffsets(t, addr), 120*time.Second)
	t.Logf("caught up %s after the last kill", time.Since(began).Round(time.Millisecond))
	t.Logf("processor killed with SIGKILL %d times during ingest of %d records", kills, len(its))
	checkAgainstReference(t, st, its)
}
