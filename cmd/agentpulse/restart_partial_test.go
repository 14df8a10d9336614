package main

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/agentpulse/agentpulse/auth"
	"github.com/agentpulse/agentpulse/ingest/simulator"
	"github.com/agentpulse/agentpulse/schemas"
	"github.com/agentpulse/agentpulse/views"
	"github.com/agentpulse/agentpulse/views/reference"
)

// TestRestartNeverPartial restarts `agentpulse all` (embedded store: the
// restart rebuilds it from the broker's whole log) while a client reads
// an agent's performance and a team's agents continuously: every 200
// answer must equal the reference over the full history; while the
// store catches up, the answer is 503 with Retry-After. It also checks
// that the restart adds (almost) nothing to the updates topic's data.
func TestRestartNeverPartial(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary; skipped with -short")
	}
	bin, err := buildAgentpulse(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	secret := "restart-partial-test-secret-0123456789abcdef"
	dataDir := t.TempDir()
	httpAddr, brokerAddr := freeAddr(t), freeAddr(t)
	args := []string{"all", "--learn=false", "--data-dir", dataDir, "--http-addr", httpAddr, "--broker-addr", brokerAddr,
		"--auth-secret", secret, "--partitions", "2", "--api-rate", "-1", "--log-level", "info"}
	base := "http://" + httpAddr
	first := startProc(t, bin, "all-1", args...)
	waitFor(t, "first start ready", 60*time.Second, func() bool { return ready(base + "/readyz") })

	// A history well past the catch-up distance (5,000 records per
	// partition), so the restart's replay is a catch-up.
	cfg := simulator.DefaultConfig(time.Now().UTC().Truncate(time.Hour))
	cfg.Agents, cfg.Days, cfg.Seed = 40, 14, 12
	cfg.DuplicateRate, cfg.RevisionRate, cfg.LateRate = 0.02, 0.02, 0.02
	g, err := simulator.New(cfg, 1)
	if err != nil {
		t.Fatal(err)
	}
	var feed []schemas.Interaction
	if _, err := g.Each(t.Context(), func(it *schemas.Interaction) error {
		feed = append(feed, *it)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	token := mintToken(t, secret, auth.Claims{Tenant: "acme", Subject: "admin", Role: auth.RoleAdmin}, time.Hour)
	for i := 0; i < len(feed); i += 20_000 {
		postInteractions(t, base, token, feed[i:min(len(feed), i+20_000)])
	}
	// reference.New: the processes run with --learn=false; learned cells in
	// the stores are compared with NewWithOutcomes in processor/learn and,
	// whole-process, in TestProcessLearnsOverClickHouse.
	ref := reference.New(feed, views.DefaultParams())
	agent := busiestAgent(ref)
	model := ref.Models("acme", agent)[0].Model
	var team string
	for _, it := range ref.Records() {
		if it.AgentID == agent {
			team = it.TeamID
		}
	}
	wantPerf, err := ref.AgentPerformance("acme", agent, model, views.RangeSpec{Preset: views.Preset3M}, views.SortSpec{})
	if err != nil {
		t.Fatal(err)
	}
	wantTeam, err := ref.TeamAgents("acme", team, model, views.RangeSpec{Preset: views.Preset3M})
	if err != nil {
		t.Fatal(err)
	}
	perfURL := fmt.Sprintf("%s/v1/agents/%s/performance?model=%s&range=3m", base, agent, model)
	teamURL := fmt.Sprintf("%s/v1/teams/%s/agents?model=%s&range=3m", base, team, model)
	client := &http.Client{Timeout: 30 * time.Second}
	// check reads url once: status, whether a 200 equals want, the diff.
	check := func(url string, want any, decode func([]byte) (any, error)) (int, []string, time.Duration, http.Header) {
		req, _ := http.NewRequest(http.MethodGet, url, nil)
		req.Header.Set("Authorization", "Bearer "+token)
		began := time.Now()
		resp, err := client.Do(req)
		if err != nil {
			return 0, nil, time.Since(began), nil
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		took := time.Since(began)
		if resp.StatusCode != http.StatusOK {
			return resp.StatusCode, nil, took, resp.Header
		}
		got, err := decode(b)
		if err != nil {
			return resp.StatusCode, []string{err.Error()}, took, resp.Header
		}
		return resp.StatusCode, views.ExactDiff(got, want), took, resp.Header
	}
	decodePerf := func(b []byte) (any, error) {
		var p views.Performance
		return p, json.Unmarshal(b, &p)
	}
	decodeTeam := func(b []byte) (any, error) {
		var out struct {
			Agents []views.TeamAgent `json:"agents"`
		}
		return out.Agents, json.Unmarshal(b, &out)
	}
	var lastFirst string
	func() {
		defer func() {
			if t.Failed() {
				t.Logf("last answers on the first start: %s", lastFirst)
			}
		}()
		waitFor(t, "the complete figures on the first start", 120*time.Second, func() bool {
			c1, d1, _, _ := check(perfURL, wantPerf, decodePerf)
			c2, d2, _, _ := check(teamURL, wantTeam, decodeTeam)
			lastFirst = fmt.Sprintf("performance %d %q; team %d %q", c1, d1[:min(5, len(d1))], c2, d2[:min(5, len(d2))])
			return c1 == 200 && len(d1) == 0 && c2 == 200 && len(d2) == 0
		})
	}()
	updatesBefore := dirSize(t, filepath.Join(dataDir, "broker"), "updates")
	brokerBefore := dirSize(t, filepath.Join(dataDir, "broker"), "")

	// Read continuously across the restart.
	type sample struct {
		at     time.Time
		code   int
		diff   []string
		took   time.Duration
		url    string
		retryA string
	}
	var mu sync.Mutex
	var samples []sample
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for _, q := range []struct {
		url    string
		want   any
		decode func([]byte) (any, error)
	}{{perfURL, wantPerf, decodePerf}, {teamURL, wantTeam, decodeTeam}} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				at := time.Now()
				code, diff, took, h := check(q.url, q.want, q.decode)
				s := sample{at: at, code: code, diff: diff, took: took, url: q.url}
				if h != nil {
					s.retryA = h.Get("Retry-After")
				}
				mu.Lock()
				samples = append(samples, s)
				mu.Unlock()
				time.Sleep(20 * time.Millisecond)
			}
		}()
	}
	time.Sleep(300 * time.Millisecond)
	first.stop(syscall.SIGTERM, 30*time.Second)
	restarted := time.Now()
	startProc(t, bin, "all-2", args...)
	var firstGood time.Time
	waitFor(t, "complete figures after the restart", 120*time.Second, func() bool {
		mu.Lock()
		defer mu.Unlock()
		good := map[string]bool{}
		for _, s := range samples {
			if s.at.After(restarted) && s.code == 200 && len(s.diff) == 0 {
				if firstGood.IsZero() {
					firstGood = s.at
				}
				good[s.url] = true
			}
		}
		return len(good) == 2
	})
	time.Sleep(2 * time.Second) // and a while after
	close(stop)
	wg.Wait()

	var n200, n503, nDown, nOther int
	var slowest time.Duration
	var wrong []string
	for _, s := range samples {
		switch {
		case s.code == 200 && len(s.diff) > 0:
			wrong = append(wrong, fmt.Sprintf("%s at +%.1fs: %s", s.url, s.at.Sub(restarted).Seconds(), strings.Join(s.diff[:min(3, len(s.diff))], "; ")))
		case s.code == 200:
			n200++
		case s.code == 503:
			n503++
			if s.retryA == "" {
				t.Errorf("503 without Retry-After at +%.1fs", s.at.Sub(restarted).Seconds())
			}
		case s.code == 0:
			nDown++
		default:
			nOther++
			t.Errorf("%s answered %d at +%.1fs", s.url, s.code, s.at.Sub(restarted).Seconds())
		}
		if s.code != 0 {
			slowest = max(slowest, s.took)
		}
	}
	if len(wrong) > 0 {
		t.Fatalf("%d answers 200 from part of the history, e.g.\n  %s", len(wrong), strings.Join(wrong[:min(5, len(wrong))], "\n  "))
	}
	updatesAfter := dirSize(t, filepath.Join(dataDir, "broker"), "updates")
	brokerAfter := dirSize(t, filepath.Join(dataDir, "broker"), "")
	t.Logf("history %d records; restart: first complete 200 %.1fs after the restart; %d complete 200s, %d 503s, %d refused connections, slowest answer %s",
		len(feed), firstGood.Sub(restarted).Seconds(), n200, n503, nDown, slowest.Round(time.Millisecond))
	t.Logf("broker data %d → %d bytes (updates topic %d → %d) across the restart", brokerBefore, brokerAfter, updatesBefore, updatesAfter)

	// The replay is a catch-up: a marker per partition and updates for
	// the last records only (less than the catch-up distance), not a copy
	// of the history's updates (about 60% of the interactions' bytes).
	interactions := dirSize(t, filepath.Join(dataDir, "broker"), "interactions")
	if grew := updatesAfter - updatesBefore; grew > interactions/4 {
		t.Errorf("the updates topic's data grew by %d bytes over a restart (interactions: %d bytes)", grew, interactions)
	}
}

// dirSize sums the sizes of the files under dir whose path contains sub.
func dirSize(t *testing.T, dir, sub string) int64 {
	t.Helper()
	var n int64
	err := filepath.Walk(dir, func(path string, info os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		if !info.IsDir() && strings.Contains(path, sub) {
			n += info.Size()
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return n
}
