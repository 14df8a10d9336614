package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"net/http"
	"os"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/agentpulse/agentpulse/auth"
	"github.com/agentpulse/agentpulse/ingest/simulator"
	"github.com/agentpulse/agentpulse/processor/store/clickhouse"
	"github.com/agentpulse/agentpulse/schemas"
)

// soakConfig sizes one soak run.
type soakConfig struct {
	agents     int           // simulated agents (teams of 12)
	backfill   int           // days of history ingested before the load starts
	rate       float64       // live interactions per second during the load
	duration   time.Duration // length of the load phase
	interval   time.Duration // sampling interval
	warmSample int           // samples discarded as warm-up before the flatness comparison
	clients    int           // websocket clients
	readers    int           // API reader goroutines
}

// soakSettings returns the short form (`make test`: 2 days of history,
// then 60 s of load at 40 interactions/s sampled every 10 s; the
// warm-up is the first sample) or, with AGENTPULSE_SOAK=long (`make
// soak`), the long form: 7 days of history, then 30 minutes at 100
// interactions/s sampled each minute, the first three samples warm-up
// (AGENTPULSE_SOAK_DURATION=15m shortens it, to at least 10m). Both open
// 1,000 websocket clients; connecting them (a snapshot each, read from
// ClickHouse) dominates the short form's setup: ~1.5–2.5 min on the
// shared 2-core machine at load average 20–40, ~5 min for the whole test.
func soakSettings(t *testing.T) soakConfig {
	// The short form (make test) keeps 300 clients: enough for a leak of a
	// goroutine or a descriptor per connection or per message to break the
	// bands, while connecting 1,000 (each snapshot a store read) would
	// double make test on a 2-core machine.
	c := soakConfig{agents: 120, backfill: 2, rate: 40, duration: 60 * time.Second, interval: 10 * time.Second,
		warmSample: 1, clients: 300, readers: 4}
	if os.Getenv("AGENTPULSE_SOAK") == "long" {
		c.backfill, c.rate, c.duration, c.interval, c.warmSample, c.clients = 7, 100, 30*time.Minute, time.Minute, 3, 1000
		if d := os.Getenv("AGENTPULSE_SOAK_DURATION"); d != "" {
			v, err := time.ParseDuration(d)
			if err != nil || v < 10*time.Minute {
				t.Fatalf("AGENTPULSE_SOAK_DURATION=%q: want a duration of at least 10m (after 3 warm-up samples, two per third)", d)
			}
			c.duration = v
		}
	}
	return c
}

// soakAllowances is the memory each part keeps by design per interaction
// record accepted: state proportional to the data, not a leak.
//   - the embedded broker (kfake) keeps its log's index and recent
//     batches in memory;
//   - the processor keeps an index entry per interaction forever (its
//     revision and bucket, for exactly-once folding and corrections) and
//     the hourly buckets the interactions create.
//
// Measured in a 15-minute long form (87,000 live records): broker RSS
// +3.7 MB over the last 50,000 records (~80 B each), processor RSS +9.3 MB
// (~190 B each, heap in use within the collector's noise). The
// allowances are twice that, so a leak of a few hundred bytes per record
// in those two, or of anything per record in ingest and the server
// (allowance 0), breaks the limit over the long form.
const (
	soakBrokerBytesPerRecord    = 256
	soakProcessorBytesPerRecord = 384
)

// TestSoak runs the product as OS processes, as in production on one
// machine (`agentpulse broker`, `process --store clickhouse`, `ingest`,
// `serve` over ClickHouse), under mixed load: a simulated contact center
// ingested at a steady rate through the HTTP ingest API, 1,000 websocket
// clients on agent, team, wallboard and plan channels, and API readers.
// Each interval it samples every process's RSS and file descriptors
// (/proc) and goroutines and heap (/metrics), the consumer lag, and the
// load's counters, and prints the table. It requires:
//   - flat resources: after the warm-up, the last third's maxima within
//     the bounds of checkSoakFlat of the first third's;
//   - lag bounded (never a minute of feed behind) and drained at the end;
//   - every API answer 200, every ingest batch accepted whole;
//   - no websocket closed by the server, no seq gap, no error message;
//   - at the end every interaction counted exactly once: every agent's
//     volume equals views/reference over what was sent, and a few agents'
//     full performance answers equal the reference's.
//
// The short form runs in `make test`; AGENTPULSE_SOAK=long (`make soak`)
// runs 30 minutes. Nothing is timed.
func TestSoak(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary, runs ClickHouse and a minute of load; skipped with -short")
	}
	cfg := soakSettings(t)
	setupBegan := time.Now()
	raiseFDLimit(t, uint64(3*cfg.clients+1000))
	ctx := t.Context()
	bin, chAddr := buildWithClickHouse(t)
	rig := startSoakRig(t, bin, chAddr)
	t.Logf("setup: binary built, ClickHouse, broker, processor, ingest and server ready after %s", time.Since(setupBegan).Round(time.Millisecond))
	st, err := clickhouse.Open(ctx, clickhouse.Config{Addr: []string{chAddr}, Database: rig.db})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	adm := newAdmin(t, rig.brokerAddr)

	// The simulated contact center: history first, then the live feed.
	world := simulator.DefaultConfig(time.Now().UTC().Truncate(time.Hour))
	world.Agents, world.Days, world.Seed = cfg.agents, cfg.backfill, 23
	world.DuplicateRate, world.RevisionRate, world.LateRate = 0.02, 0.02, 0.02
	gen, err := simulator.New(world, 2)
	if err != nil {
		t.Fatal(err)
	}
	history, err := gen.All(ctx)
	if err != nil {
		t.Fatal(err)
	}
	ingestTok := rig.mint(auth.Claims{Tenant: "acme", Subject: "soak-feed", Role: auth.RoleIngest})
	for i := 0; i < len(history); i += 5000 {
		postInteractions(t, "http://"+rig.ingestAddr, ingestTok, history[i:min(i+5000, len(history))])
	}
	rig.waitLagZero(st, adm, 2*time.Minute)
	roster := gen.Tenants()[0].Agents
	t.Logf("setup: %d agents in %d teams; backfilled %d records (%d days) through ingest, folded into ClickHouse (%s since the start)",
		len(roster), len(teamsOf(roster)), len(history), cfg.backfill, time.Since(setupBegan).Round(time.Millisecond))

	load := &soakLoad{}
	plans := createSoakPlans(t, rig, history, 3)
	clients := connectSoakClients(t, rig, roster, plans, cfg.clients, load)
	defer func() {
		for _, c := range clients {
			c.close()
		}
	}()
	reqs := soakRequests(rig, roster, history, plans)

	// The load: the live feed and the readers, until stopLoad.
	loadCtx, stopLoad := context.WithCancel(ctx)
	defer stopLoad()
	feed := startSoakFeed(t, rig, world, cfg.rate, loadCtx)
	load.ingestRetries = func() int64 { return feed.sink.Stats().Retries }
	var readers sync.WaitGroup
	for i := range cfg.readers {
		readers.Go(func() {
			runSoakReader(loadCtx, "http://"+rig.serveAddr, reqs, 50*time.Millisecond, uint64(i+1), load)
		})
	}
	t.Logf("load: %.0f interactions/s through ingest, %d websocket clients, %d API readers (≤20 requests/s each) for %s, sampled every %s",
		cfg.rate, len(clients), cfg.readers, cfg.duration, cfg.interval)

	targets := rig.targets()
	scrape := &http.Client{Timeout: 30 * time.Second}
	began := time.Now()
	var samples []soakSample
	take := func() {
		s := soakSample{at: time.Since(began), records: int64(len(history)) + feed.records(), load: load.counters()}
		for _, tg := range targets {
			p, m := sampleProc(tg, scrape)
			if p.err != nil {
				t.Errorf("sample %s: %v", tg.name, p.err)
			}
			s.procs = append(s.procs, p)
			s.lagGauge += m["agentpulse_processor_lag_records"]
			s.wsConns += m["agentpulse_ws_connections"]
			s.wsDisc += m["agentpulse_ws_disconnects_total"]
		}
		if ends, err := endOffsetsOf(ctx, adm); err == nil {
			s.lagStore, err = behind(ctx, st, ends)
			if err != nil {
				t.Errorf("lag: %v", err)
			}
		}
		samples = append(samples, s)
		t.Logf("sample %2d at %s: %d records, store lag %d, ws messages %d, api ok %d", len(samples), s.at.Round(time.Second), s.records, s.lagStore, s.load.wsMessages, s.load.apiOK)
	}
	take()
	for next := cfg.interval; next <= cfg.duration; next += cfg.interval {
		time.Sleep(time.Until(began.Add(next)))
		take()
		if rig.anyExited() {
			t.Fatal("a process exited under load")
		}
	}
	sent := feed.stop(t)
	stopLoad()
	readers.Wait()
	drainedIn := rig.waitLagZero(st, adm, 3*time.Minute)
	take()
	logSoakTable(t, targets, samples)
	t.Logf("lag drained to 0 %s after the load stopped", drainedIn.Round(time.Millisecond))

	// Flatness over the load phase (the drained sample is left out).
	lines := checkSoakFlat(t, targets, samples[:len(samples)-1], cfg.warmSample)
	t.Logf("flatness (samples %d..%d, thirds compared; allowances: broker %d B and processor %d B per record accepted):\n  %s",
		cfg.warmSample+1, len(samples)-1, soakBrokerBytesPerRecord, soakProcessorBytesPerRecord, strings.Join(lines, "\n  "))
	lagLimit := int64(cfg.rate * 60)
	for _, s := range samples[cfg.warmSample:] {
		if s.lagStore > lagLimit {
			t.Errorf("at %s the store was %d records behind, more than a minute of feed (%d)", s.at.Round(time.Second), s.lagStore, lagLimit)
		}
	}

	// The load's counters.
	end := load.counters()
	st2 := feed.sink.Stats()
	t.Logf("load totals: ingest %d batches, %d records accepted, %d rejected, %d retries; API %d answers 200, %d not; websocket %d messages, %d seq gaps, %d server closes, %d error messages",
		st2.Batches, st2.Accepted, st2.Rejected, st2.Retries, end.apiOK, end.apiBad, end.wsMessages, end.wsGaps, end.wsCloses, end.wsErrors)
	if st2.Rejected != 0 || st2.Accepted != st2.Records {
		t.Errorf("ingest accepted %d of %d records sent (%d rejected)", st2.Accepted, st2.Records, st2.Rejected)
	}
	if end.apiBad != 0 || end.apiOK == 0 {
		t.Errorf("API readers: %d answers 200, %d not", end.apiOK, end.apiBad)
	}
	if end.wsGaps != 0 || end.wsCloses != 0 || end.wsErrors != 0 || end.wsMessages == 0 {
		t.Errorf("websockets: %d messages, %d seq gaps, %d closed by the server, %d error messages", end.wsMessages, end.wsGaps, end.wsCloses, end.wsErrors)
	}
	for _, p := range load.problems {
		t.Logf("problem: %s", p)
	}
	t.Logf("API and websocket-snapshot latency by route (logged, not asserted; the machine is shared; p99 ratio: to the performance page's p99, issue 13 wants ≤ 5):%s",
		load.latencyTable("performance 3m"))

	// Exactly once: every interaction sent counted once.
	checkSoakCounts(t, rig, adm, append(history, sent...), roster)
}

// raiseFDLimit raises the soft limit of open files to need (up to the
// hard limit); the processes the test starts inherit it.
func raiseFDLimit(t *testing.T, need uint64) {
	var l syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &l); err != nil {
		t.Fatal(err)
	}
	if l.Cur >= need {
		return
	}
	if l.Max < need {
		t.Fatalf("open-files hard limit %d: the soak needs %d (1,000 websockets on each side)", l.Max, need)
	}
	l.Cur = need
	if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &l); err != nil {
		t.Fatal(err)
	}
}

// soakFeed is the live feed: simulator.Live posting through an HTTPSink.
type soakFeed struct {
	sink *simulator.HTTPSink
	mu   sync.Mutex
	sent []schemas.Interaction
	quit chan struct{}
	done chan error
}

var errSoakStop = errors.New("soak: load over")

// startSoakFeed starts the live feed at rate interactions per second (and
// its duplicates, revisions and late records) into the ingest server.
func startSoakFeed(t *testing.T, rig *soakRig, world simulator.Config, rate float64, ctx context.Context) *soakFeed {
	live, err := simulator.NewLive(simulator.LiveConfig{World: world, Rate: rate, Interval: 250 * time.Millisecond, RunID: "soak"})
	if err != nil {
		t.Fatal(err)
	}
	sink, err := simulator.NewHTTPSink(simulator.HTTPSinkConfig{
		URL:   "http://" + rig.ingestAddr + "/v1/ingest/interactions",
		Token: rig.mint(auth.Claims{Tenant: "acme", Subject: "soak-live", Role: auth.RoleIngest}), Logger: slog.New(slog.DiscardHandler),
	})
	if err != nil {
		t.Fatal(err)
	}
	f := &soakFeed{sink: sink, quit: make(chan struct{}), done: make(chan error, 1)}
	go func() {
		// Send runs on the test's context, not ctx: a batch in flight when
		// the load stops is still answered, so what was sent is known.
		f.done <- live.Run(ctx, func(its []schemas.Interaction) error {
			select {
			case <-f.quit:
				return errSoakStop
			default:
			}
			if err := sink.Send(t.Context(), its); err != nil {
				return err
			}
			f.mu.Lock()
			f.sent = append(f.sent, its...)
			f.mu.Unlock()
			return nil
		})
	}()
	return f
}

func (f *soakFeed) records() int64 {
	f.mu.Lock()
	defer f.mu.Unlock()
	return int64(len(f.sent))
}

// stop ends the feed after the batch in flight and returns every record
// ingest accepted.
func (f *soakFeed) stop(t *testing.T) []schemas.Interaction {
	close(f.quit)
	if err := <-f.done; err != nil && !errors.Is(err, errSoakStop) {
		t.Errorf("live feed: %v", err)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.sent
}

// latencyTable is one line per route: answers, p50, p99, max, and p99 as
// a multiple of route base's p99.
func (l *soakLoad) latencyTable(base string) string {
	l.mu.Lock()
	defer l.mu.Unlock()
	latency := l.latency
	for _, x := range latency {
		slices.Sort(x.all)
	}
	var ref time.Duration
	if b := latency[base]; b != nil {
		ref = b.quantile(0.99)
	}
	var out strings.Builder
	for _, route := range slices.Sorted(maps.Keys(latency)) {
		x := latency[route]
		ratio := "-"
		if ref > 0 {
			ratio = fmt.Sprintf("%.1f", float64(x.quantile(0.99))/float64(ref))
		}
		fmt.Fprintf(&out, "\n  %-20s %5d answers, p50 %8s, p99 %8s, max %8s, p99 ratio %5s", route, len(x.all),
			x.quantile(0.5).Round(time.Millisecond), x.quantile(0.99).Round(time.Millisecond), x.all[len(x.all)-1].Round(time.Millisecond), ratio)
	}
	return out.String()
}
