package main

import (
	"fmt"
	"slices"
	"syscall"
	"testing"
	"time"
)

// TestProcessStaticMembership runs two `agentpulse process --instance-id`
// as OS processes in one group with a 30 s session timeout. Processor A,
// killed with SIGKILL and started again with its id, gets its partitions
// back without the group waiting the session out (a dynamic member's
// restart waits for the dead member's 30 s); processor B, stopped with
// SIGTERM, leaves the group, so A owns every partition well before the
// session timeout too.
func TestProcessStaticMembership(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary; skipped with -short")
	}
	bin, err := buildAgentpulse(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	const partitions, session = 4, 30 * time.Second
	brokerAddr := freeAddr(t)
	startProc(t, bin, "broker", "broker", "--broker-addr", brokerAddr, "--data-dir", t.TempDir(),
		"--partitions", fmt.Sprint(partitions), "--log-level", "warn")
	waitTCP(t, brokerAddr, 20*time.Second)
	adm := newAdmin(t, brokerAddr)
	ctx := t.Context()
	// Each instance has its own data directory, as in production: the
	// learner's directory is locked by the learner that runs on it.
	dataDirs := map[string]string{"processor-a": t.TempDir(), "processor-b": t.TempDir()}
	args := func(id string) []string {
		return []string{"process", "--data-dir", dataDirs[id], "--brokers", brokerAddr, "--store", "embedded", "--group", "static",
			"--instance-id", id, "--partitions", fmt.Sprint(partitions), "--session-timeout", session.String(), "--log-level", "info"}
	}
	// owns reports whether the group is stable with two members and p has
	// loaded exactly one member's assignment (its own).
	owns := func(p *osProc) bool {
		state, m, err := groupMembers(ctx, adm, "static")
		if err != nil || state != "Stable" || len(m) != 2 || len(m[0]) == 0 || len(m[1]) == 0 {
			return false
		}
		loaded := distinct(p.loadedPartitions())
		return slices.Equal(distinct(m[0]), loaded) || slices.Equal(distinct(m[1]), loaded)
	}
	a := startProc(t, bin, "process-a", args("processor-a")...)
	waitFor(t, "processor A owning every partition", 30*time.Second, func() bool {
		return len(distinct(a.loadedPartitions())) == partitions
	})
	b := startProc(t, bin, "process-b", args("processor-b")...)
	waitFor(t, "both processors in the group", 30*time.Second, func() bool { return owns(b) })

	a.stop(syscall.SIGKILL, 0)
	killed := time.Now()
	a = startProc(t, bin, "process-a-again", args("processor-a")...)
	waitFor(t, "processor A, restarted with its instance id, owning its partitions again", session*2/3, func() bool { return owns(a) })
	t.Logf("processor A killed with SIGKILL and restarted: it loaded its partitions again %s after the kill (session timeout %s)",
		time.Since(killed).Round(time.Millisecond), session)

	b.stop(syscall.SIGTERM, 20*time.Second)
	if b.err != nil {
		t.Fatalf("processor B after SIGTERM: %v", b.err)
	}
	stopped := time.Now()
	waitFor(t, "processor A owning every partition after B left", session*2/3, func() bool {
		state, m, err := groupMembers(ctx, adm, "static")
		return err == nil && state == "Stable" && len(m) == 1 && len(distinct(a.loadedPartitions())) == partitions
	})
	t.Logf("processor B stopped with SIGTERM left the group: A owned every partition %s after B exited", time.Since(stopped).Round(time.Millisecond))
}
