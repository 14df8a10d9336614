// Package apptest starts the whole product inside one test process, on
// real parts: the embedded Kafka-protocol broker, the processor over the
// embedded store, and one HTTP server with the ingest endpoint, the read
// API, plans, the websocket hub and the web dashboard, fed with a
// simulated contact center's history ending at the current hour (so that
// coaching plans, which look at the 3 months before now, have data).
// Browser and end-to-end tests use it; it is not part of the product.
package apptest

import (
	"context"
	"fmt"
	"log/slog"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/go-chi/chi/v5"

	"github.com/agentpulse/agentpulse/audit"
	"github.com/agentpulse/agentpulse/auth"
	"github.com/agentpulse/agentpulse/auth/apikeys"
	"github.com/agentpulse/agentpulse/auth/oidc"
	"github.com/agentpulse/agentpulse/auth/roster"
	"github.com/agentpulse/agentpulse/ingest"
	"github.com/agentpulse/agentpulse/ingest/broker"
	"github.com/agentpulse/agentpulse/ingest/simulator"
	"github.com/agentpulse/agentpulse/processor"
	"github.com/agentpulse/agentpulse/processor/store"
	"github.com/agentpulse/agentpulse/processor/store/clickhouse"
	"github.com/agentpulse/agentpulse/processor/store/clickhouse/chtest"
	"github.com/agentpulse/agentpulse/processor/store/embedded"
	"github.com/agentpulse/agentpulse/schemas"
	"github.com/agentpulse/agentpulse/server/api"
	"github.com/agentpulse/agentpulse/server/app"
	"github.com/agentpulse/agentpulse/server/dashboard"
	"github.com/agentpulse/agentpulse/server/notify"
	"github.com/agentpulse/agentpulse/views"
	"github.com/agentpulse/agentpulse/views/reference"
)

// Secret signs the product's tokens in tests.
var Secret = []byte("apptest-secret-apptest-secret-32b")

// Options sizes the simulated contact center. Zero values: 24 agents in
// teams of 8, 21 days, seed 1.
type Options struct {
	Agents, TeamSize, Days int
	Seed                   int64
	// DemoTokens offers the demo tokens on the sign-in page (GET
	// /v1/demo/tokens), as `agentpulse all --simulate` does.
	DemoTokens bool
	// ClickHouse runs the product on a throwaway ClickHouse (chtest: skips
	// without the binary, fails when services are required) instead of
	// the embedded store.
	ClickHouse bool
	// HoldProcessor starts everything but the processor: Start returns
	// once the history is on the broker, with the store empty and the
	// server catching up (its catch-up distance lowered to 100 records so
	// that a small history counts); StartProcessor then folds it.
	HoldProcessor bool
	// SSO, when set, turns single sign-on on: it is given the product's
	// URL before the server starts and returns the identity providers'
	// configuration (auth/oidc).
	SSO func(publicURL string) oidc.Config
	// SMTPAddr, when set, is the SMTP server notification e-mails go to.
	SMTPAddr string
	// StallAfter is app.Config.StallAfter (default 10 minutes).
	StallAfter time.Duration
	// OutcomeModels is app.Config.OutcomeModels (nil: 503).
	OutcomeModels api.OutcomeModelSource
}

// Product is a running product.
type Product struct {
	// URL is the HTTP server's base URL (http://127.0.0.1:port).
	URL string
	// Tenant is the simulated tenant ("acme").
	Tenant string
	// Brokers are the embedded broker's seeds (a second server, a test's
	// own client).
	Brokers []string
	// History is every interaction of the simulated history.
	History []schemas.Interaction
	// Server is the assembled server (its Views answer the API).
	Server *app.Server
	// Roster is the tenants' rosters of people (on the product's broker).
	Roster *roster.Log
	// Audit is the audit log (on the product's broker).
	Audit    *audit.Log
	producer *ingest.Producer
	seq      atomic.Int64
	// startProc runs the processor (once) and waits for the history.
	startProc func(tb testing.TB)
}

var groups atomic.Int64

// Start starts the product for tb and returns once the history is folded
// and the figures cache is warm. Everything stops when tb ends.
func Start(tb testing.TB, opt Options) *Product {
	tb.Helper()
	if opt.Agents == 0 {
		opt.Agents = 24
	}
	if opt.TeamSize == 0 {
		opt.TeamSize = 8
	}
	if opt.Days == 0 {
		opt.Days = 21
	}
	if opt.Seed == 0 {
		opt.Seed = 1
	}
	quiet := slog.New(slog.DiscardHandler)
	b, err := broker.StartEmbedded(broker.EmbeddedConfig{Addr: "127.0.0.1:0", Logger: quiet})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(b.Close)
	seeds := []string{b.Addr()}
	ctx := context.Background()
	if err := broker.EnsureTopics(ctx, seeds, broker.Topics{InteractionsPartitions: 4, UpdatesPartitions: 4}); err != nil {
		tb.Fatal(err)
	}
	var st store.Store = embedded.New()
	if opt.ClickHouse {
		ch, err := clickhouse.Open(ctx, clickhouse.Config{Addr: []string{chtest.Start(tb)}, Database: fmt.Sprintf("apptest_%d", time.Now().UnixNano())})
		if err != nil {
			tb.Fatal(err)
		}
		tb.Cleanup(func() { _ = ch.Close() })
		st = ch
	}
	proc, err := processor.New(processor.Config{Brokers: seeds, Group: fmt.Sprintf("apptest-%d", groups.Add(1)), FlushInterval: 50 * time.Millisecond, Logger: quiet}, st)
	if err != nil {
		tb.Fatal(err)
	}
	producer, err := ingest.NewProducer(ingest.ProducerConfig{Brokers: seeds})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(producer.Close)
	v := auth.Verifier{Secret: Secret}
	ih, err := ingest.NewHTTPHandler(ingest.HTTPConfig{}, producer, v)
	if err != nil {
		tb.Fatal(err)
	}
	planStore, closePlans, err := app.OpenPlanStore(ctx, st, seeds, quiet)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(closePlans)

	cfg := simulator.DefaultConfig(time.Now().UTC().Truncate(time.Hour))
	cfg.Agents, cfg.TeamSize, cfg.Days, cfg.Seed = opt.Agents, opt.TeamSize, opt.Days, opt.Seed
	tenant := simulator.TenantIDs(1)[0]
	p := &Product{Tenant: tenant, Brokers: seeds, producer: producer}
	var demo []dashboard.DemoToken
	if opt.DemoTokens {
		demo = DemoTokens(tb, tenant)
	}
	dash := dashboard.New(dashboard.Config{DemoTokens: demo})
	hs := httptest.NewUnstartedServer(nil)
	p.URL = "http://" + hs.Listener.Addr().String()
	var verifier auth.TokenVerifier = v
	mounts := []func(chi.Router){dash.Routes}
	people, err := roster.Open(ctx, roster.Config{Brokers: seeds, Logger: quiet})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(people.Close)
	p.Roster = people
	if opt.SSO != nil {
		scfg := opt.SSO(p.URL)
		scfg.Admits = people.Roster().Admits
		o, err := oidc.New(ctx, scfg, Secret, quiet)
		if err != nil {
			tb.Fatal(err)
		}
		verifier = oidc.Verifier{OIDC: o, Next: v}
		mounts = append(mounts, o.Routes)
	}
	auditLog, err := audit.New(audit.Config{Brokers: seeds, Logger: quiet})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(auditLog.Close)
	p.Audit = auditLog
	keys, err := apikeys.Open(ctx, apikeys.Config{Brokers: seeds, Logger: quiet})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(keys.Close)
	acfg := app.Config{Store: st, Plans: planStore, Brokers: seeds, Verifier: verifier, Mount: mounts, Roster: people, Audit: auditLog, Keys: keys,
		Notify: notify.Config{SMTPAddr: opt.SMTPAddr, SMTPFrom: "agentpulse@example.com", AllowPrivateWebhooks: true}, StallAfter: opt.StallAfter, OutcomeModels: opt.OutcomeModels}
	if opt.HoldProcessor {
		acfg.CatchUpMaxLag = 100
	}
	srv, err := app.New(acfg)
	if err != nil {
		tb.Fatal(err)
	}
	p.Server = srv
	r := chi.NewRouter()
	ih.Routes(r)
	srv.Routes(r)
	hs.Config.Handler = r
	hs.Start()

	runCtx, cancel := context.WithCancel(ctx)
	done := make(chan struct{}, 2)
	var procStarted atomic.Bool
	runProc := func() {
		if procStarted.CompareAndSwap(false, true) {
			go func() { _ = proc.Run(runCtx); done <- struct{}{} }()
		}
	}
	go func() { _ = srv.Run(runCtx); done <- struct{}{} }()
	rosterDone := make(chan struct{})
	auditDone := make(chan struct{})
	go func() { _ = people.Run(runCtx); close(rosterDone) }()
	keysDone := make(chan struct{})
	go func() { _ = auditLog.Run(runCtx); close(auditDone) }()
	go func() { _ = keys.Run(runCtx); close(keysDone) }()
	tb.Cleanup(func() { cancel(); <-rosterDone; <-auditDone; <-keysDone })
	tb.Cleanup(func() {
		cancel()
		<-done
		if procStarted.Load() {
			<-done
		}
		hs.Close()
	})
	if !opt.HoldProcessor {
		runProc()
	}

	gen, err := simulator.New(cfg, 0)
	if err != nil {
		tb.Fatal(err)
	}
	if _, err := gen.Run(ctx, func(bt simulator.Batch) error {
		p.History = append(p.History, bt.Records...)
		return producer.Produce(ctx, bt.Records)
	}); err != nil {
		tb.Fatal(err)
	}
	p.startProc = func(tb testing.TB) {
		tb.Helper()
		runProc()
		deadline := time.Now().Add(60 * time.Second)
		for {
			err := proc.Ready(ctx, 0)
			if err == nil {
				if err = srv.Views().Warm(ctx); err == nil {
					break
				}
			}
			if time.Now().After(deadline) {
				tb.Fatalf("the product did not fold its history within 60 s: %v", err)
			}
			time.Sleep(50 * time.Millisecond)
		}
	}
	if opt.HoldProcessor {
		// Let the server compare its store with the log after the
		// history reached it (every second): it must be catching up.
		time.Sleep(2 * time.Second)
		if err := srv.Ready(ctx); err == nil {
			tb.Fatal("the server is ready with its processor held")
		}
		return p
	}
	p.startProc(tb)
	return p
}

// StartProcessor starts the processor of a product started with
// HoldProcessor and returns once the history is folded and the figures
// cache is warm.
func (p *Product) StartProcessor(tb testing.TB) {
	tb.Helper()
	p.startProc(tb)
}

// Token mints a token of the product for c (tenant defaulted to the
// product's), valid one hour.
func (p *Product) Token(tb testing.TB, c auth.Claims) string {
	tb.Helper()
	if c.Tenant == "" {
		c.Tenant = p.Tenant
	}
	tok, err := auth.Mint(Secret, c, time.Hour)
	if err != nil {
		tb.Fatal(err)
	}
	return tok
}

// Reference is views/reference over the history plus what Produce sent.
func (p *Product) Reference() *reference.Dataset {
	return reference.New(p.History, views.DefaultParams())
}

// Produce sends interactions to the broker (as ingest would) and adds
// them to History.
func (p *Product) Produce(tb testing.TB, its ...schemas.Interaction) {
	tb.Helper()
	if err := p.producer.Produce(context.Background(), its); err != nil {
		tb.Fatal(err)
	}
	p.History = append(p.History, its...)
}

// NewInteraction returns a new interaction of agent on model and inquiry
// that ended just now, with the agent's current team.
func (p *Product) NewInteraction(agent, team, model, inquiry string, handle float64) schemas.Interaction {
	n := p.seq.Add(1)
	end := time.Now().UTC().Truncate(time.Millisecond)
	psat, pres := 0.9, 0.95
	it := schemas.Interaction{
		TenantID: p.Tenant, InteractionID: fmt.Sprintf("apptest-%d-%d", time.Now().UnixNano(), n), Revision: 1,
		Model: model, AgentID: agent, TeamID: team, Inquiry: inquiry,
		StartedAt: end.Add(-time.Duration(handle) * time.Second), EndedAt: end, HandleTimeS: handle, Source: "api",
	}
	if model != "email" {
		it.PredictedSatisfaction, it.PredictedResolution = &psat, &pres
	}
	return it
}

// DemoTokens are the demo tokens of a tenant: the agent agent-0001, the
// supervisor of team-01 and an admin, as `agentpulse all --simulate`
// offers them.
func DemoTokens(tb testing.TB, tenant string) []dashboard.DemoToken {
	tb.Helper()
	var out []dashboard.DemoToken
	for _, d := range []struct {
		who string
		c   auth.Claims
	}{
		{"agent agent-0001", auth.Claims{Tenant: tenant, Subject: "agent-0001", Role: auth.RoleAgent}},
		{"supervisor of team-01", auth.Claims{Tenant: tenant, Subject: "lead-01", Role: auth.RoleSupervisor, Teams: []string{"team-01"}}},
		{"admin", auth.Claims{Tenant: tenant, Subject: "admin", Role: auth.RoleAdmin}},
	} {
		tok, err := auth.Mint(Secret, d.c, time.Hour)
		if err != nil {
			tb.Fatal(err)
		}
		out = append(out, dashboard.DemoToken{Who: d.who, Role: string(d.c.Role), Token: tok})
	}
	return out
}
