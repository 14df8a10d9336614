package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/agentpulse/agentpulse/ingest/simulator"
	"github.com/agentpulse/agentpulse/outcomes"
	"github.com/agentpulse/agentpulse/schemas"
	"github.com/agentpulse/agentpulse/views"
	"github.com/agentpulse/agentpulse/views/reference"
)

// learnedSimulatedFeed is simulatedFeed with the simulator's survey
// outcomes (sorted by observed_at) and no predictions on chat records:
// chat's psat/pres are learned, voice's come from the feed.
func learnedSimulatedFeed(t *testing.T) ([]schemas.Interaction, []schemas.Outcome) {
	cfg := simulator.DefaultConfig(time.Now().UTC().Truncate(time.Hour))
	cfg.Agents, cfg.Days, cfg.Seed = 20, 7, 11
	cfg.DuplicateRate, cfg.RevisionRate, cfg.LateRate = 0.03, 0.03, 0.03
	g, err := simulator.New(cfg, 2)
	if err != nil {
		t.Fatal(err)
	}
	var its []schemas.Interaction
	var outs []schemas.Outcome
	if _, err := g.Run(t.Context(), func(b simulator.Batch) error {
		for _, it := range b.Records {
			if it.Model == "chat" {
				it.PredictedSatisfaction, it.PredictedResolution = nil, nil
			}
			its = append(its, it)
		}
		outs = append(outs, b.Outcomes...)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	slices.SortStableFunc(outs, func(a, b schemas.Outcome) int { return a.ObservedAt.Compare(b.ObservedAt) })
	return its, outs
}

// closingOwnModel is closingRecords in a model of their own (learnSentinel):
// they move each tenant's event time 15 days past the feed, so the
// learner seals every day of it, without moving the latest data (and so
// the presets) of the feed's models.
func closingOwnModel(its []schemas.Interaction) []schemas.Interaction {
	out := closingRecords(its)
	for i := range out {
		out[i].Model = learnSentinel
	}
	return out
}

// postOutcomesUntil posts the leading outcomes of outs observed before the
// newest ended_at of chunk (all of them when last) and returns how many
// it posted.
func postOutcomesUntil(t *testing.T, base, token string, outs []schemas.Outcome, chunk []schemas.Interaction, last bool) int {
	t.Helper()
	var reached time.Time
	for _, it := range chunk {
		if it.EndedAt.After(reached) {
			reached = it.EndedAt
		}
	}
	n := 0
	for n < len(outs) && (last || outs[n].ObservedAt.Before(reached)) {
		n++
	}
	if n == 0 {
		return 0
	}
	var body []byte
	for i := range outs[:n] {
		body = append(outs[i].AppendJSON(body), '\n')
	}
	postNDJSON(t, base+"/v1/ingest/outcomes", token, body, n)
	return n
}

// waitLearned waits until agent's 3-month performance on every model the
// agent works equals the reference on every server, and fails unless one
// of them has a learned psat or pres (the test would be vacuous).
func waitLearned(t *testing.T, ref *reference.Dataset, token, agent string, limit time.Duration, servers ...string) {
	t.Helper()
	var diffs []string
	learned := 0
	equal := func() bool {
		diffs, learned = nil, 0
		for _, m := range ref.Models("acme", agent) {
			want, err := ref.AgentPerformance("acme", agent, m.Model, views.RangeSpec{Preset: views.Preset3M}, views.SortSpec{})
			if err != nil {
				t.Fatal(err)
			}
			for _, srv := range servers {
				code, body := call(t, http.MethodGet, fmt.Sprintf("http://%s/v1/agents/%s/performance?model=%s", srv, agent, m.Model), token, nil)
				var got views.Performance
				if code != http.StatusOK || json.Unmarshal(body, &got) != nil {
					diffs = append(diffs, fmt.Sprintf("%s %s: %d %.200s", srv, m.Model, code, body))
					continue
				}
				if d := views.ApproxDiff(got, want); len(d) > 0 {
					diffs = append(diffs, fmt.Sprintf("%s %s: %s", srv, m.Model, strings.Join(d[:min(len(d), 4)], "; ")))
				}
				if got.Overall.PSATBasis == outcomes.BasisLearned || got.Overall.PRESBasis == outcomes.BasisLearned {
					learned++
				}
			}
		}
		return len(diffs) == 0
	}
	began := time.Now()
	for !equal() {
		if time.Since(began) > limit {
			t.Fatalf("agent %s's figures never equalled reference.NewWithOutcomes in %s:\n%s", agent, limit, strings.Join(diffs, "\n"))
		}
		time.Sleep(200 * time.Millisecond)
	}
	if learned == 0 {
		t.Fatalf("agent %s has no learned psat or pres on any server: vacuous", agent)
	}
	t.Logf("agent %s: every model's performance on %d servers equals reference.NewWithOutcomes (%d with learned figures), %s after ingest",
		agent, len(servers), learned, time.Since(began).Round(time.Millisecond))
}
