package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/agentpulse/agentpulse/auth"
	"github.com/agentpulse/agentpulse/ingest"
	"github.com/agentpulse/agentpulse/ingest/broker"
	"github.com/agentpulse/agentpulse/ingest/simulator"
	"github.com/agentpulse/agentpulse/outcomes"
	"github.com/agentpulse/agentpulse/processor/store/clickhouse/chtest"
	"github.com/agentpulse/agentpulse/schemas"
	"github.com/agentpulse/agentpulse/views"
	"github.com/agentpulse/agentpulse/views/reference"
)

// learnSentinel is the agent, team and inquiry of the record that closes
// the feed of TestProcessLearnsOverClickHouse (left out of comparisons).
const learnSentinel = "zz-sentinel"

// TestProcessLearnsOverClickHouse runs `agentpulse process` with the
// outcome learner on (the default) and `agentpulse serve` over one broker
// and one ClickHouse: a simulated center without predictions in its feed
// (customers, repeat contacts, surveys) is folded by the processor, learnt
// by the learner into its bucket parts, pushed to the server's cache by the
// learner's updates, and every agent's performance on every model read
// over REST equals reference.NewWithOutcomes: learned psat, pres and so
// AES, labels and impact.
//
// The feed ends days before now and is closed by one record per tenant
// 15 days after its end (own agent, team and inquiry), so the live learner
// seals (predicts, labels) every day of the feed, as the reference's Run
// does at the end of its records; the other whole-process tests' feeds end
// "now" and run with --learn=false.
func TestProcessLearnsOverClickHouse(t *testing.T) {
	chAddr := chtest.Start(t)
	b, err := broker.StartEmbedded(broker.EmbeddedConfig{Addr: "127.0.0.1:0", Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	if err := broker.EnsureTopics(ctx, []string{b.Addr()}, broker.Topics{InteractionsPartitions: 3}); err != nil {
		t.Fatal(err)
	}

	// The feed, produced before the processes start (the learner reads
	// it from the start: no record is late).
	cfg := simulator.DefaultConfig(time.Date(2026, 10, 20, 0, 0, 0, 0, time.UTC))
	cfg.Agents, cfg.Days, cfg.Seed, cfg.NoPredictions = 10, 12, 11, true
	g, err := simulator.New(cfg, 1)
	if err != nil {
		t.Fatal(err)
	}
	producer, err := ingest.NewProducer(ingest.ProducerConfig{Brokers: []string{b.Addr()}})
	if err != nil {
		t.Fatal(err)
	}
	defer producer.Close()
	var its []schemas.Interaction
	var outs []schemas.Outcome
	if _, err := g.Run(ctx, func(bt simulator.Batch) error {
		its, outs = append(its, bt.Records...), append(outs, bt.Outcomes...)
		if err := producer.Produce(ctx, bt.Records); err != nil {
			return err
		}
		return producer.ProduceOutcomes(ctx, bt.Outcomes)
	}); err != nil {
		t.Fatal(err)
	}
	closing := closingRecords(its)
	if err := producer.Produce(ctx, closing); err != nil {
		t.Fatal(err)
	}
	its = append(its, closing...)
	ref := reference.NewWithOutcomes(its, outs, views.DefaultParams(), outcomes.Config{})

	dataDir := t.TempDir()
	secret, err := auth.ResolveSecret("", dataDir)
	if err != nil {
		t.Fatal(err)
	}
	db := fmt.Sprintf("learnproc_%d", time.Now().UnixNano())
	addr := freeAddr(t)
	done := make(chan error, 2)
	go func() {
		done <- runProcess(ctx, []string{"--data-dir", t.TempDir(), "--brokers", b.Addr(), "--store", "clickhouse", "--clickhouse-addr", chAddr,
			"--clickhouse-database", db, "--group", db, "--flush-interval", "50ms", "--log-level", "error"}, io.Discard)
	}()
	go func() {
		done <- runServe(ctx, []string{"--brokers", b.Addr(), "--http-addr", addr, "--data-dir", dataDir,
			"--clickhouse-addr", chAddr, "--clickhouse-database", db, "--log-level", "error"}, io.Discard)
	}()
	base := "http://" + addr
	waitHTTP(t, base+"/readyz", 60*time.Second)
	admin := mintToken(t, string(secret), auth.Claims{Tenant: "acme", Subject: "admin", Role: auth.RoleAdmin}, time.Hour)

	type query struct{ agent, model string }
	var queries []query
	for _, it := range ref.Records() {
		if q := (query{it.AgentID, it.Model}); it.AgentID != learnSentinel && !slices.Contains(queries, q) {
			queries = append(queries, q)
		}
	}
	slices.SortFunc(queries, func(a, b query) int { return strings.Compare(a.agent+"/"+a.model, b.agent+"/"+b.model) })
	var diffs []string
	learned := 0
	equal := func() bool {
		diffs, learned = nil, 0
		for _, q := range queries {
			want, err := ref.AgentPerformance("acme", q.agent, q.model, views.RangeSpec{Preset: views.Preset3M}, views.SortSpec{})
			if err != nil {
				t.Fatal(err)
			}
			code, body := call(t, http.MethodGet, base+"/v1/agents/"+q.agent+"/performance?model="+q.model, admin, nil)
			var got views.Performance
			if code != http.StatusOK || json.Unmarshal(body, &got) != nil {
				diffs = append(diffs, fmt.Sprintf("%s %s: %d %.200s", q.agent, q.model, code, body))
				return false
			}
			if d := views.ExactDiff(got, want); len(d) > 0 {
				diffs = append(diffs, fmt.Sprintf("%s %s: %s", q.agent, q.model, strings.Join(d[:min(len(d), 4)], "; ")))
				return false
			}
			if got.Overall.PRESBasis == outcomes.BasisLearned {
				learned++
			}
		}
		return true
	}
	deadline := time.Now().Add(90 * time.Second)
	for !equal() {
		if time.Now().After(deadline) {
			t.Fatalf("the served figures never equalled reference.NewWithOutcomes: %s", strings.Join(diffs, "\n"))
		}
		time.Sleep(200 * time.Millisecond)
	}
	if learned < len(queries)/2 {
		t.Fatalf("only %d of %d performances have a learned pres: vacuous", learned, len(queries))
	}
	t.Logf("%d performances (%d agent × model pairs with learned pres, %d records, %d outcomes) equal reference.NewWithOutcomes",
		len(queries), learned, len(its), len(outs))
	cancel()
	for range 2 {
		if err := <-done; err != nil {
			t.Errorf("part returned %v after cancel", err)
		}
	}
}

// closingRecords is one interaction per tenant 15 days after its newest,
// in its own agent, team and inquiry: it moves the tenant's event time
// past every day of the feed, so the learner seals them all.
func closingRecords(its []schemas.Interaction) []schemas.Interaction {
	newest := map[string]schemas.Interaction{}
	for _, it := range its {
		if n, ok := newest[it.TenantID]; !ok || it.EndedAt.After(n.EndedAt) {
			newest[it.TenantID] = it
		}
	}
	tenants := make([]string, 0, len(newest))
	for tenant := range newest {
		tenants = append(tenants, tenant)
	}
	slices.Sort(tenants)
	var out []schemas.Interaction
	for _, tenant := range tenants {
		n := newest[tenant]
		end := n.EndedAt.Add(15 * 24 * time.Hour)
		out = append(out, schemas.Interaction{TenantID: tenant, InteractionID: learnSentinel, Revision: 1,
			AgentID: learnSentinel, TeamID: learnSentinel, Model: n.Model, Inquiry: learnSentinel,
			StartedAt: end.Add(-time.Minute), EndedAt: end, HandleTimeS: 60, Source: n.Source})
	}
	return out
}
