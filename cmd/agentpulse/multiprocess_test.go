package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/agentpulse/agentpulse/auth"
	"github.com/agentpulse/agentpulse/ingest/simulator"
	"github.com/agentpulse/agentpulse/outcomes"
	"github.com/agentpulse/agentpulse/processor/store/clickhouse"
	"github.com/agentpulse/agentpulse/schemas"
	"github.com/agentpulse/agentpulse/views"
	"github.com/agentpulse/agentpulse/views/reference"
)

const (
	mpPartitions = 8
	mpChunks     = 10 // ingest requests
	mpKillAfter  = 4  // processor A is killed after this many chunks
)

// TestMultiProcessOneMachine runs every part as its own OS process, as an
// operator would on one machine: `agentpulse broker`, two `agentpulse
// process --store clickhouse` in one consumer group, two `agentpulse
// serve` over the same ClickHouse database and secret, and `agentpulse
// ingest`. A simulated feed goes in through the ingest server; one
// processor is killed with SIGKILL mid-ingest and the other takes its
// partitions over. A websocket on server A receives score messages for
// interactions folded by both processors, and at the end every figure of
// GET /v1/agents/{a}/performance, on both servers and for every preset,
// equals views/reference over exactly what was sent.
//
// Processor B runs the outcome learner (A, killed, runs none: one learner
// per deployment, as the README says); the feed's chat records carry no
// predictions, survey outcomes go in through the ingest server, and a
// closing record 15 days after the feed (a model of its own) makes the
// learner, with a lateness of 7 days covering the feed's late records and
// corrections, seal every day: the figures equal
// reference.NewWithOutcomes, learned psat/pres and the AES they give
// included.
func TestMultiProcessOneMachine(t *testing.T) { multiProcess(t, false) }

// TestMultiProcessOneMachineSecure is TestMultiProcessOneMachine with
// transport security everywhere (issue 15, item 4): the broker serves TLS
// (a test CA) and requires SCRAM-SHA-512, ClickHouse is reached on its
// TLS port, and every part connects with --kafka-tls-ca,
// --kafka-sasl-* and --clickhouse-tls-ca.
func TestMultiProcessOneMachineSecure(t *testing.T) { multiProcess(t, true) }

func multiProcess(t *testing.T, secure bool) {
	if testing.Short() {
		t.Skip("builds the binary and runs ClickHouse; skipped with -short")
	}
	began := time.Now()
	step := time.Now()
	lap := func(what string, args ...any) {
		t.Logf("[%5.1fs +%4.1fs] %s", time.Since(began).Seconds(), time.Since(step).Seconds(), fmt.Sprintf(what, args...))
		step = time.Now()
	}
	ctx := t.Context()

	bin, sec := mpSetup(t, secure)
	chAddr := sec.chAddr
	lap("built %s and started ClickHouse on %s (secure: %v)", bin, chAddr, secure)

	secret := "multiprocess-test-secret-0123456789abcdef"
	db := fmt.Sprintf("mp_%d", time.Now().UnixNano())
	group := "mp-processors"
	brokerAddr := freeAddr(t)
	startProc(t, bin, "broker", append([]string{"broker", "--broker-addr", brokerAddr, "--data-dir", t.TempDir(),
		"--partitions", fmt.Sprint(mpPartitions), "--log-level", "warn"}, sec.brokerArgs...)...)
	waitTCP(t, brokerAddr, 20*time.Second)
	adm := newAdmin(t, brokerAddr, sec.kopts...)
	waitFor(t, "topics created by the broker", 20*time.Second, func() bool {
		ends, err := endOffsetsOf(ctx, adm)
		return err == nil && len(ends) == mpPartitions
	})
	lap("broker listening on %s with %d partitions", brokerAddr, mpPartitions)

	// Each instance has its own --data-dir; only B runs the learner.
	procArgs := func(learn ...string) []string {
		args := []string{"process", "--data-dir", t.TempDir(), "--brokers", brokerAddr, "--store", "clickhouse", "--clickhouse-addr", chAddr,
			"--clickhouse-database", db, "--group", group, "--partitions", fmt.Sprint(mpPartitions),
			"--session-timeout", "3s", "--flush-interval", "50ms", "--log-level", "info"}
		return append(append(append(args, learn...), sec.kafkaArgs...), sec.chArgs...)
	}
	procA := startProc(t, bin, "process-a", procArgs("--learn=false")...)
	waitFor(t, "processor A owning every partition", 30*time.Second, func() bool {
		return len(distinct(procA.loadedPartitions())) == mpPartitions
	})
	procB := startProc(t, bin, "process-b", procArgs("--learn-lateness", "168h")...)
	// Who owns what: the group's two assignments, B's being the one it
	// has loaded every partition of (its log says so after loading).
	var ownedA, ownedB []int32
	waitFor(t, "processor B joining the group and loading its partitions", 30*time.Second, func() bool {
		state, m, err := groupMembers(ctx, adm, group)
		if err != nil || state != "Stable" || len(m) != 2 || len(m[0]) == 0 || len(m[1]) == 0 {
			return false
		}
		loaded := distinct(procB.loadedPartitions())
		for i := range m {
			if slices.Equal(distinct(m[i]), loaded) {
				ownedB, ownedA = loaded, distinct(m[1-i])
				return true
			}
		}
		return false
	})
	lap("processors in group %s (stable, 2 members): A owns %v, B owns %v", group, ownedA, ownedB)

	serveArgs := func(addr string) []string {
		args := []string{"serve", "--brokers", brokerAddr, "--http-addr", addr, "--auth-secret", secret,
			"--data-dir", t.TempDir(), "--clickhouse-addr", chAddr, "--clickhouse-database", db,
			"--partitions", fmt.Sprint(mpPartitions), "--log-level", "warn"}
		return append(append(args, sec.kafkaArgs...), sec.chArgs...)
	}
	serveA, serveB, ingestAddr := freeAddr(t), freeAddr(t), freeAddr(t)
	startProc(t, bin, "serve-a", serveArgs(serveA)...)
	startProc(t, bin, "serve-b", serveArgs(serveB)...)
	startProc(t, bin, "ingest", append([]string{"ingest", "--brokers", brokerAddr, "--http-addr", ingestAddr, "--auth-secret", secret,
		"--data-dir", t.TempDir(), "--log-level", "warn"}, sec.kafkaArgs...)...)
	for _, base := range []string{serveA, serveB, ingestAddr} {
		waitFor(t, base+"/readyz", 60*time.Second, func() bool { return ready("http://" + base + "/readyz") })
	}
	lap("serve A on %s, serve B on %s, ingest on %s: all ready", serveA, serveB, ingestAddr)

	// The feed: 20 agents × 7 days with duplicates, revisions and late
	// records, in stream order, chat without predictions, with survey
	// outcomes; then the closing record; and the reference over exactly
	// that.
	feed, outs := learnedSimulatedFeed(t)
	closing := closingOwnModel(feed)
	ref := reference.NewWithOutcomes(append(slices.Clone(feed), closing...), outs, views.DefaultParams(), outcomes.Config{})
	mint := func(c auth.Claims) string { return mintToken(t, secret, c, time.Hour) }
	watched := busiestAgent(ref)
	var watchedIDs []*schemas.Interaction
	for _, it := range ref.Records() {
		if it.AgentID == watched {
			watchedIDs = append(watchedIDs, &it)
		}
	}
	lap("feed: %d records (%d after deduplication); watching agent %s (%d interactions)", len(feed), ref.Len(), watched, len(watchedIDs))

	// A websocket on server A, subscribed to the watched agent.
	scores := watchScores(t, serveA, watched, mint(auth.Claims{Tenant: "acme", Subject: watched, Role: auth.RoleAgent}))

	// Ingest in chunks; SIGKILL processor A after mpKillAfter of them.
	ingestTok := mint(auth.Claims{Tenant: "acme", Subject: "mp-feed", Role: auth.RoleIngest})
	size := (len(feed) + mpChunks - 1) / mpChunks
	var killedAt time.Time
	sentAfterKill := map[string]bool{}
	outsSent := 0
	for i := range mpChunks {
		chunk := feed[i*size : min((i+1)*size, len(feed))]
		postInteractions(t, "http://"+ingestAddr, ingestTok, chunk)
		outsSent += postOutcomesUntil(t, "http://"+ingestAddr, ingestTok, outs[outsSent:], chunk, i+1 == mpChunks)
		if !killedAt.IsZero() {
			for _, it := range chunk {
				sentAfterKill[it.InteractionID] = true
			}
		}
		if i+1 == mpKillAfter {
			// Kill A once it has visibly folded some of the watched
			// agent's interactions (a score message for one of its
			// partitions), so that A's work before the kill is known.
			parts, err := partitionsOf(ctx, brokerAddr, adm, sec.kopts...)
			if err != nil {
				t.Fatal(err)
			}
			waitFor(t, "a score message for an interaction on processor A's partitions", 20*time.Second, func() bool {
				got, _, _ := scores.snapshot()
				for id := range got {
					if slices.Contains(ownedA, parts[id]) {
						return true
					}
				}
				return false
			})
			procA.stop(syscall.SIGKILL, 0)
			if ws, ok := procA.cmd.ProcessState.Sys().(syscall.WaitStatus); !ok || ws.Signal() != syscall.SIGKILL {
				t.Fatalf("processor A ended with %v, want killed by SIGKILL", procA.err)
			}
			killedAt = time.Now()
			lap("ingested %d chunks (%d records); processor A (pid %d) killed with SIGKILL", i+1, (i+1)*size, procA.cmd.Process.Pid)
		}
		time.Sleep(100 * time.Millisecond)
	}
	postInteractions(t, "http://"+ingestAddr, ingestTok, closing)
	feed = append(feed, closing...)
	lap("ingested %d records and %d outcomes in %d requests through the ingest server", len(feed), len(outs), mpChunks+1)

	// Processor B takes A's partitions over.
	waitFor(t, "processor B owning every partition", 45*time.Second, func() bool {
		return len(distinct(procB.loadedPartitions())) == mpPartitions
	})
	tookOver := time.Now()
	t.Logf("processor B loaded A's partitions %s after the kill", tookOver.Sub(killedAt).Round(time.Millisecond))

	// Consumer lag 0: the store's checkpoints reach the end offsets.
	st, err := clickhouse.Open(ctx, clickhouse.Config{Addr: []string{chAddr}, Database: db, TLS: sec.chTLS})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	ends, total := topicEnd(t, ctx, adm)
	var lag int64
	waitFor(t, "consumer lag 0", 45*time.Second, func() bool {
		lag, err = behind(ctx, st, ends)
		return err == nil && lag == 0
	})
	lap("consumer lag 0: the store's checkpoints reach the %d records of the interactions topic (%s after B's takeover)",
		total, time.Since(tookOver).Round(time.Millisecond))
	if total != int64(len(feed)) {
		t.Errorf("the interactions topic holds %d records, want the %d sent", total, len(feed))
	}
	if procB.exited() {
		t.Fatalf("processor B exited: %v", procB.err)
	}

	// The websocket received a score message for every interaction of the
	// watched agent, from partitions of both processors.
	parts, err := partitionsOf(ctx, brokerAddr, adm, sec.kopts...)
	if err != nil {
		t.Fatal(err)
	}
	checkScores(t, scores, watchedIDs, parts, ownedA, ownedB, killedAt, sentAfterKill)
	lap("websocket checked")

	// Every figure on both servers equals the reference, learned ones
	// included once the learner (in B) has sealed the feed.
	waitLearned(t, ref, mint(auth.Claims{Tenant: "acme", Subject: "mp-admin", Role: auth.RoleAdmin}), watched, 90*time.Second, serveA, serveB)
	lap("learned figures served")
	checkPerformance(t, ref, mint(auth.Claims{Tenant: "acme", Subject: "mp-admin", Role: auth.RoleAdmin}), watched, serveA, serveB)
	lap("figures checked")
}

func newAdmin(t testing.TB, addr string, opts ...kgo.Opt) *kadm.Client {
	cl, err := kgo.NewClient(append([]kgo.Opt{kgo.SeedBrokers(addr)}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(cl.Close)
	return kadm.NewClient(cl)
}

func distinct(ps []int32) []int32 {
	out := slices.Clone(ps)
	slices.Sort(out)
	return slices.Compact(out)
}

// simulatedFeed is one tenant (acme), 20 agents, 7 days ending at the
// current hour, with duplicates, revisions and late records.
func simulatedFeed(t *testing.T) []schemas.Interaction {
	cfg := simulator.DefaultConfig(time.Now().UTC().Truncate(time.Hour))
	cfg.Agents, cfg.Days, cfg.Seed = 20, 7, 11
	cfg.DuplicateRate, cfg.RevisionRate, cfg.LateRate = 0.03, 0.03, 0.03
	g, err := simulator.New(cfg, 2)
	if err != nil {
		t.Fatal(err)
	}
	var out []schemas.Interaction
	if _, err := g.Each(t.Context(), func(it *schemas.Interaction) error {
		out = append(out, *it)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return out
}

// busiestAgent returns the agent with the most interactions.
func busiestAgent(ref *reference.Dataset) string {
	n := map[string]int{}
	best := ""
	for _, it := range ref.Records() {
		n[it.AgentID]++
		if best == "" || n[it.AgentID] > n[best] || (n[it.AgentID] == n[best] && it.AgentID < best) {
			best = it.AgentID
		}
	}
	return best
}

// postInteractions sends its as NDJSON and checks every record is
// accepted.
func postInteractions(t *testing.T, base, token string, its []schemas.Interaction) {
	t.Helper()
	var body []byte
	for i := range its {
		body = append(its[i].AppendJSON(body), '\n')
	}
	postNDJSON(t, base+"/v1/ingest/interactions", token, body, len(its))
}

// postNDJSON posts an NDJSON body of n records to an ingest route and
// checks every record is accepted.
func postNDJSON(t *testing.T, url, token string, body []byte, n int) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/x-ndjson")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var got struct {
		Accepted int               `json:"accepted"`
		Rejected []json.RawMessage `json:"rejected"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&got); err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("POST %s: %d, %v", url, resp.StatusCode, err)
	}
	if got.Accepted != n || len(got.Rejected) != 0 {
		t.Fatalf("POST %s: ingest accepted %d of %d, rejected %s", url, got.Accepted, n, got.Rejected)
	}
}

// checkPerformance compares GET /v1/agents/{a}/performance on both servers
// with the reference, for the watched agent and three more, every model
// they work and every preset, retrying for a while in case a server's
// cache is still catching up.
func checkPerformance(t *testing.T, ref *reference.Dataset, token, watched string, servers ...string) {
	t.Helper()
	agents := []string{watched}
	for _, it := range ref.Records() {
		if len(agents) == 4 {
			break
		}
		if !slices.Contains(agents, it.AgentID) && it.AgentID != learnSentinel {
			agents = append(agents, it.AgentID)
		}
	}
	presets := []views.Preset{views.Preset3M, views.Preset1M, views.Preset1W, views.Preset24H}
	compared, inquiries, retried := 0, 0, 0
	for _, agent := range agents {
		for _, m := range ref.Models("acme", agent) {
			for _, preset := range presets {
				want, err := ref.AgentPerformance("acme", agent, m.Model, views.RangeSpec{Preset: preset}, views.SortSpec{})
				if err != nil {
					t.Fatal(err)
				}
				for _, srv := range servers {
					url := fmt.Sprintf("http://%s/v1/agents/%s/performance?model=%s&range=%s", srv, agent, m.Model, preset)
					var diff []string
					limit := time.Now().Add(10 * time.Second)
					for {
						code, body := call(t, http.MethodGet, url, token, nil)
						var got views.Performance
						if code != http.StatusOK {
							diff = []string{fmt.Sprintf("status %d: %s", code, body)}
						} else if err := json.Unmarshal(body, &got); err != nil {
							diff = []string{err.Error()}
						} else {
							diff = views.ExactDiff(got, want)
						}
						if len(diff) == 0 || time.Now().After(limit) {
							break
						}
						retried++
						time.Sleep(100 * time.Millisecond)
					}
					if len(diff) > 0 {
						t.Errorf("%s differs from the reference:\n  %s", url, strings.Join(diff[:min(len(diff), 10)], "\n  "))
					}
					compared++
					inquiries += len(want.Inquiries)
				}
			}
		}
	}
	t.Logf("performance: %d answers (agents %v × their models × presets 3m/1m/1w/24h × %d servers, %d inquiry rows) equal the reference within 1e-9 (%d retries of an answer that differed)",
		compared, agents, len(servers), inquiries, retried)
}
