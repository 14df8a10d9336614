package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"

	"github.com/go-chi/chi/v5"
	"golang.org/x/sync/errgroup"

	"github.com/agentpulse/agentpulse/audit"
	"github.com/agentpulse/agentpulse/auth/apikeys"
	"github.com/agentpulse/agentpulse/auth/roster"
	"github.com/agentpulse/agentpulse/httpserver"
	"github.com/agentpulse/agentpulse/ingest/broker"
	"github.com/agentpulse/agentpulse/processor/learn"
	"github.com/agentpulse/agentpulse/server/dashboard"
)

// runServe runs the server alone: the v1 read API, coaching plans, the
// websocket hub and its updates feed, over ClickHouse and external
// brokers. Servers are stateless: run as many side by side as the load
// needs; each consumes the whole "updates" topic for its own websocket
// clients.
//
// Start order: topics, store, plan store, updates feed, HTTP server.
// Stop order (SIGTERM): the updates feed stops and the hub closes its
// websockets with code 1001 (clients reconnect to another server and
// resume); the HTTP server stops accepting and answers what is in flight;
// the plan workers finish; the store closes.
func runServe(ctx context.Context, args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(stdout)
	brokers := fs.String("brokers", "127.0.0.1:9092", "Kafka brokers, comma-separated (the updates topic, and the plans topic with no ClickHouse)")
	partitions := fs.Int("partitions", scaleOutPartitions, "partitions of the interactions and updates topics when they are created")
	var hf ingestFlags // only the listener and the auth secret
	fs.StringVar(&hf.addr, "http-addr", "127.0.0.1:8080", "where the HTTP server listens")
	registerTLS(fs, &hf.tlsCert, &hf.tlsKey)
	registerOps(fs, &hf.opsAddr)
	fs.StringVar(&hf.secret, "auth-secret", "", "HS256 secret tokens are signed with, at least 32 bytes (empty: the one generated once and kept in --data-dir)")
	fs.StringVar(&hf.dataDir, "data-dir", "./data", "directory holding the generated auth and erasure secrets")
	var sf storeFlags
	sf.registerClickHouse(fs)
	var af apiFlags
	af.register(fs)
	var wf wsFlags
	wf.register(fs)
	var kf kafkaFlags
	kf.register(fs)
	var lf logFlags
	lf.register(fs)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	kopts, err := kf.opts()
	if err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return &usageError{fmt.Sprintf("serve: unexpected argument %q (every setting is a flag)", fs.Arg(0))}
	}
	if err := af.validate(); err != nil {
		return err
	}
	seeds := splitList(*brokers)
	if len(seeds) == 0 {
		return &usageError{"--brokers: at least one broker address is required"}
	}
	log, err := lf.logger()
	if err != nil {
		return err
	}
	jwt, err := hf.verifier()
	if err != nil {
		return err
	}
	auditLog, err := audit.New(audit.Config{Brokers: seeds, Opts: kopts, Logger: log})
	if err != nil {
		return err
	}
	defer auditLog.Close()
	people, err := roster.New(roster.Config{Brokers: seeds, Opts: kopts, Logger: log})
	if err != nil {
		return err
	}
	defer people.Close()
	verifier, sso, err := withSSO(ctx, af.oidc, jwt, auditLog, people.Roster().Admits, log)
	if err != nil {
		return err
	}
	if err := kf.check(ctx, seeds); err != nil {
		return err
	}
	if err := broker.EnsureTopics(ctx, seeds, broker.Topics{InteractionsPartitions: int32(*partitions), UpdatesPartitions: int32(*partitions)}, kopts...); err != nil {
		return fmt.Errorf("ensure topics on %v: %w", seeds, kf.explain(err))
	}
	// The embedded store lives inside the processor's process (`agentpulse
	// all`); a server of its own reads ClickHouse.
	sf.kind = "clickhouse"
	st, err := sf.open(ctx, log)
	if err != nil {
		return err
	}
	defer st.Close()
	reg := newRegistry()
	keys, err := apikeys.New(apikeys.Config{Brokers: seeds, Opts: kopts, Logger: log})
	if err != nil {
		return err
	}
	defer keys.Close()
	dash := dashboard.New(dashboard.Config{})
	// The outcome learner runs in `agentpulse process`: its summaries
	// reach this server on the outcome-models topic.
	models := learn.NewModelsReader(seeds, log, kopts...)
	srv, err := buildServer(ctx, serverDeps{store: st, seeds: seeds, kafkaOpts: kopts, verifier: verifier, keys: keys, roster: people, audit: auditLog, reg: reg, log: log, mount: mountAll(dash.Routes, sso), outcomes: models, dataDir: hf.dataDir}, &af, &wf)
	if err != nil {
		return err
	}
	defer srv.close()
	// Ready when the store answers and the read views are warmed up.
	ready := func(ctx context.Context) error {
		if _, err := st.Checkpoint(ctx, 0); err != nil {
			return fmt.Errorf("store: %w", err)
		}
		if err := people.Ready(ctx); err != nil {
			return err
		}
		return srv.ready(ctx)
	}
	http := httpserver.New(httpserver.Config{Addr: hf.addr, OpsAddr: hf.opsAddr, TLSCertFile: hf.tlsCert, TLSKeyFile: hf.tlsKey, Mount: []func(chi.Router){srv.routes}, Ready: ready, Gatherer: reg, Logger: log})

	g, gctx := errgroup.WithContext(ctx)
	srv.run(gctx, g)
	g.Go(func() error { return keys.Run(gctx) })
	g.Go(func() error { return models.Run(gctx) })
	g.Go(func() error { return auditLog.Run(gctx) })
	g.Go(func() error { return people.Run(gctx) })
	g.Go(func() error { return http.Run(gctx) })
	fmt.Fprintf(stdout, "agentpulse server on http://%s: the dashboard at /, GET /v1/agents/{agent}/performance?model=…, /v1/plans/{id}, GET /v1/ws, /healthz, /readyz, /metrics\n", hf.addr)
	log.Info("agentpulse server running", "http_addr", hf.addr, "brokers", seeds, "clickhouse", sf.chAddr)
	err = g.Wait()
	log.Info("agentpulse server stopped")
	if errors.Is(err, context.Canceled) {
		return nil
	}
	return err
}
