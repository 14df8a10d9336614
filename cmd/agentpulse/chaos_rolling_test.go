package main

import (
	"fmt"
	"slices"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/agentpulse/agentpulse/auth"
	"github.com/agentpulse/agentpulse/outcomes"
	"github.com/agentpulse/agentpulse/processor/store/clickhouse"
	"github.com/agentpulse/agentpulse/processor/store/clickhouse/chtest"
	"github.com/agentpulse/agentpulse/schemas"
	"github.com/agentpulse/agentpulse/views"
	"github.com/agentpulse/agentpulse/views/reference"
)

// rollingPart is one process of the rolling restart: how to start it and
// when it is ready again.
type rollingPart struct {
	name  string
	args  []string
	proc  *osProc
	ready func(p *osProc) bool
	runs  int
}

func (p *rollingPart) start(t *testing.T, bin string) {
	p.runs++
	p.proc = startProc(t, bin, fmt.Sprintf("%s-run%d", p.name, p.runs), p.args...)
}

// restart stops the part with SIGTERM, waits for it to exit, leaves it
// down for down, starts it again and waits until it is ready; it returns
// how long the stop took and how long from the restart until ready.
func (p *rollingPart) restart(t *testing.T, bin string, down time.Duration) (stopped, readyIn time.Duration) {
	began := time.Now()
	p.proc.stop(syscall.SIGTERM, 20*time.Second)
	stopped = time.Since(began)
	if ws, ok := p.proc.cmd.ProcessState.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
		t.Errorf("%s did not exit within 20 s of SIGTERM (ended by %v)", p.name, ws.Signal())
	} else if p.proc.err != nil {
		t.Errorf("%s exited with %v after SIGTERM", p.name, p.proc.err)
	}
	time.Sleep(down)
	restarted := time.Now()
	p.start(t, bin)
	waitFor(t, p.name+" ready again", 60*time.Second, func() bool {
		if p.proc.exited() {
			t.Fatalf("%s exited after its restart: %v", p.name, p.proc.err)
		}
		return p.ready(p.proc)
	})
	return stopped, time.Since(restarted)
}

// chaosRollingRestart restarts every process one after the other under
// sustained ingest — the broker (on its data directory), both processors
// of the consumer group, both servers (with websocket clients subscribed)
// and the ingest server — each with SIGTERM, waiting for it to exit, then
// starting it again and waiting until it is ready. Ingest clients retry
// any failed request, as a CCaaS connector would; the processors'
// deduplication keeps every retried interaction counted once. Websocket
// clients reconnect to whichever server is up and resume: each either
// gets a contiguous replay or a fresh snapshot, and every interaction of
// the watched agents is named by a score message or older than the
// client's last snapshot. After: lag drains and the store and both
// servers' figures equal the reference over exactly what was sent:
// reference.NewWithOutcomes, since processor B runs the outcome learner
// (chat without predictions: its satisfaction is learned from the
// surveys, sent after the feed, before a closing record), which is
// stopped and resumed from its checkpoint with B and runs through the
// broker's restart. Each process stays down 0.5 s before its restart; the long form
// (AGENTPULSE_CHAOS=long) makes three rounds, each process down 5 s.
func chaosRollingRestart(t *testing.T, bin string) {
	rounds, chunks, pace, down := 1, 300, 100*time.Millisecond, 500*time.Millisecond
	if chaosLong() {
		rounds, chunks, pace, down = 3, 900, 150*time.Millisecond, 5*time.Second
	}
	chAddr := chtest.Start(t)
	ctx := t.Context()
	secret := "rolling-test-secret-0123456789abcdef"
	db := fmt.Sprintf("rolling_%d", time.Now().UnixNano())
	group := "rolling-processors"
	brokerAddr, ingestAddr := freeAddr(t), freeAddr(t)
	serveAddrs := []string{freeAddr(t), freeAddr(t)}
	brokerDir := t.TempDir()
	adm := newAdmin(t, brokerAddr)

	broker := &rollingPart{name: "broker", args: []string{"broker", "--broker-addr", brokerAddr, "--data-dir", brokerDir,
		"--partitions", fmt.Sprint(chaosPartitions), "--log-level", "warn"},
		ready: func(*osProc) bool {
			ends, err := endOffsetsOf(ctx, adm)
			return err == nil && len(ends) == chaosPartitions
		}}
	// Each processor has its own --data-dir, kept across its restarts;
	// B runs the outcome learner (one per deployment), with a lateness
	// covering the feed's late records and corrections.
	procArgs := func(learn ...string) []string {
		return append([]string{"process", "--data-dir", t.TempDir(), "--brokers", brokerAddr, "--store", "clickhouse", "--clickhouse-addr", chAddr,
			"--clickhouse-database", db, "--group", group, "--partitions", fmt.Sprint(chaosPartitions),
			"--session-timeout", "3s", "--flush-interval", "50ms", "--log-level", "info"}, learn...)
	}
	// A processor is ready when the group is stable with two members,
	// each owning partitions, and it has loaded every partition of one
	// of the two assignments (its own).
	procReady := func(p *osProc) bool {
		state, m, err := groupMembers(ctx, adm, group)
		if err != nil || state != "Stable" || len(m) != 2 || len(m[0]) == 0 || len(m[1]) == 0 {
			return false
		}
		loaded := distinct(p.loadedPartitions())
		return slices.Equal(distinct(m[0]), loaded) || slices.Equal(distinct(m[1]), loaded)
	}
	procs := []*rollingPart{
		{name: "process-a", args: procArgs("--learn=false"), ready: procReady},
		{name: "process-b", args: procArgs("--learn-lateness", "168h"), ready: procReady},
	}
	httpReady := func(addr string) func(*osProc) bool {
		return func(*osProc) bool { return ready("http://" + addr + "/readyz") }
	}
	var servers []*rollingPart
	for i, addr := range serveAddrs {
		servers = append(servers, &rollingPart{name: fmt.Sprintf("serve-%c", 'a'+i), ready: httpReady(addr),
			args: []string{"serve", "--brokers", brokerAddr, "--http-addr", addr, "--auth-secret", secret,
				"--data-dir", t.TempDir(), "--clickhouse-addr", chAddr, "--clickhouse-database", db,
				"--partitions", fmt.Sprint(chaosPartitions), "--log-level", "warn"}})
	}
	ingestPart := &rollingPart{name: "ingest", ready: httpReady(ingestAddr),
		args: []string{"ingest", "--brokers", brokerAddr, "--http-addr", ingestAddr, "--auth-secret", secret,
			"--data-dir", t.TempDir(), "--log-level", "warn"}}

	began := time.Now()
	broker.start(t, bin)
	waitTCP(t, brokerAddr, 20*time.Second)
	waitFor(t, "topics created by the broker", 20*time.Second, func() bool { return broker.ready(nil) })
	procs[0].start(t, bin)
	waitFor(t, "processor A owning every partition", 30*time.Second, func() bool {
		return len(distinct(procs[0].proc.loadedPartitions())) == chaosPartitions
	})
	procs[1].start(t, bin)
	waitFor(t, "processor B in the group", 30*time.Second, func() bool { return procReady(procs[1].proc) })
	for _, p := range append(slices.Clone(servers), ingestPart) {
		p.start(t, bin)
	}
	for _, p := range append(slices.Clone(servers), ingestPart) {
		waitFor(t, p.name+" ready", 60*time.Second, func() bool { return p.ready(p.proc) })
	}
	t.Logf("broker, 2 processors, 2 servers and ingest running (%s)", time.Since(began).Round(time.Millisecond))

	// Chat without predictions (learned: resolution from repeat contacts;
	// no surveys here), closed by a record in its own model that makes
	// the learner seal every day.
	// The survey outcomes, then the closing record, are sent once every
	// chunk of the feed is acknowledged (no day is sealed before: the
	// lateness is longer than the feed): sent with the last chunk, the
	// closing record could be read before records of that chunk in other
	// partitions, and seal their days.
	feed, outs := learnedSimulatedFeed(t)
	closing := closingOwnModel(feed)
	ref := reference.NewWithOutcomes(append(slices.Clone(feed), closing...), outs, views.DefaultParams(), outcomes.Config{})
	mint := func(c auth.Claims) string { return mintToken(t, secret, c, time.Hour) }
	// Two websocket clients on the two busiest agents, one starting on
	// each server.
	watched := busiestAgents(ref, 2)
	var clients []*wsResumer
	for i, agent := range watched {
		c := newWSResumer(agent, mint(auth.Claims{Tenant: "acme", Subject: agent, Role: auth.RoleAgent}),
			[]string{serveAddrs[i], serveAddrs[1-i]})
		go c.run(ctx)
		clients = append(clients, c)
	}
	for _, c := range clients {
		waitFor(t, "first snapshot of "+c.channel, 20*time.Second, func() bool { return c.snapshots() > 0 })
	}

	// Sustained ingest, retrying every failed request, until the restarts
	// are over (then the rest of the feed at once).
	fd := newRetryFeeder("http://"+ingestAddr, mint(auth.Claims{Tenant: "acme", Subject: "rolling-feed", Role: auth.RoleIngest}), feed, chunks)
	restartsDone := make(chan struct{})
	feedDone := make(chan struct{})
	go func() {
		defer close(feedDone)
		fd.run(ctx, pace, restartsDone)
	}()

	type recovery struct {
		part              string
		stopped, readyIn  time.Duration
		retriesDuringDown int
	}
	var recoveries []recovery
	order := append([]*rollingPart{broker}, procs...)
	order = append(order, servers...)
	order = append(order, ingestPart)
	for round := range rounds {
		for _, p := range order {
			time.Sleep(500 * time.Millisecond) // some ingest between restarts
			before := fd.failedAttempts()
			stopped, readyIn := p.restart(t, bin, down)
			r := recovery{part: p.name, stopped: stopped, readyIn: readyIn, retriesDuringDown: fd.failedAttempts() - before}
			recoveries = append(recoveries, r)
			t.Logf("round %d: %-9s stopped in %6s, restarted after %s down, ready again %6s later (SIGTERM to ready: %6s); ingest requests failed and retried meanwhile: %d; sent so far %d of %d",
				round+1, p.name, r.stopped.Round(time.Millisecond), down, r.readyIn.Round(time.Millisecond),
				(r.stopped + down + r.readyIn).Round(time.Millisecond), r.retriesDuringDown, fd.sentRecords(), len(feed))
		}
	}
	close(restartsDone)
	select {
	case <-feedDone:
	case <-time.After(60 * time.Second):
		t.Fatal("the feed did not finish within 60 s of the last restart")
	}
	if err := fd.error(); err != nil {
		t.Fatal(err)
	}
	t.Logf("ingest: %d records sent in %d requests; %d attempts failed (%s) and were retried",
		len(feed), fd.chunks, fd.failedAttempts(), fd.failureKinds())
	ingestTok := mint(auth.Claims{Tenant: "acme", Subject: "rolling-feed", Role: auth.RoleIngest})
	postOutcomesUntil(t, "http://"+ingestAddr, ingestTok, outs, nil, true)
	postInteractions(t, "http://"+ingestAddr, ingestTok, closing)
	feed = append(feed, closing...)

	// Lag drains: the topic holds every record sent (more when a failed
	// attempt had reached the broker), and the store's checkpoints reach
	// its end.
	st, err := clickhouse.Open(ctx, clickhouse.Config{Addr: []string{chAddr}, Database: db})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	ends, total := topicEnd(t, ctx, adm)
	if total < int64(len(feed)) {
		t.Errorf("the interactions topic holds %d records, fewer than the %d accepted: the broker restart lost records", total, len(feed))
	}
	drained := waitFor(t, "consumer lag 0", 60*time.Second, func() bool {
		lag, err := behind(ctx, st, ends)
		return err == nil && lag == 0
	})
	t.Logf("consumer lag 0 over %d topic records (%d sent; %d duplicates from retried attempts) %s after the feed ended",
		total, len(feed), total-int64(len(feed)), drained.Round(time.Millisecond))
	for _, p := range append(append(slices.Clone(procs), servers...), broker, ingestPart) {
		if p.proc.exited() {
			t.Errorf("%s exited: %v", p.name, p.proc.err)
		}
	}

	// The learner (restarted with B, and across the broker's restart)
	// has sealed the feed once the watched agent's figures are the
	// reference's, learned ones included.
	waitLearned(t, ref, mint(auth.Claims{Tenant: "acme", Subject: "rolling-admin", Role: auth.RoleAdmin}), watched[0], 90*time.Second, serveAddrs...)
	checkStoreFigures(t, st, ref)
	for _, c := range clients {
		c.check(t, ref, fd)
	}
	checkPerformance(t, ref, mint(auth.Claims{Tenant: "acme", Subject: "rolling-admin", Role: auth.RoleAdmin}), watched[0], serveAddrs...)
}

// busiestAgents returns the n agents with the most interactions, busiest
// first.
func busiestAgents(ref *reference.Dataset, n int) []string {
	count := map[string]int{}
	for _, it := range ref.Records() {
		count[it.AgentID]++
	}
	var agents []string
	for a := range count {
		agents = append(agents, a)
	}
	slices.SortFunc(agents, func(a, b string) int {
		if count[a] != count[b] {
			return count[b] - count[a]
		}
		if a < b {
			return -1
		}
		return 1
	})
	return agents[:min(n, len(agents))]
}

// finalRevisions returns, for agent, the key id@revision of each of its
// interactions in the reference (the revision that counts).
func finalRevisions(ref *reference.Dataset, agent string) []string {
	var out []string
	for _, it := range ref.Records() {
		if it.AgentID == agent {
			out = append(out, revKey(it.InteractionID, it.Revision))
		}
	}
	return out
}

func revKey(id string, rev int64) string { return fmt.Sprintf("%s@%d", id, rev) }

// firstAttempts maps id@revision to when a request holding it was first
// attempted.
type firstAttempts struct {
	mu sync.Mutex
	at map[string]time.Time
}

func (f *firstAttempts) note(its []schemas.Interaction, now time.Time) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, it := range its {
		k := revKey(it.InteractionID, it.Revision)
		if _, ok := f.at[k]; !ok {
			f.at[k] = now
		}
	}
}

func (f *firstAttempts) get(k string) (time.Time, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	at, ok := f.at[k]
	return at, ok
}
