package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"
	"golang.org/x/sync/errgroup"

	"github.com/agentpulse/agentpulse/audit"
	"github.com/agentpulse/agentpulse/auth/apikeys"
	"github.com/agentpulse/agentpulse/auth/roster"
	"github.com/agentpulse/agentpulse/ingest"
	"github.com/agentpulse/agentpulse/ingest/broker"
	"github.com/agentpulse/agentpulse/processor"
	"github.com/agentpulse/agentpulse/server/dashboard"
)

// readyLag is how many unfolded records /readyz tolerates.
const readyLag = 1000

// allFlags are the flags of `agentpulse all`.
type allFlags struct {
	brokers        string
	brokerAddr     string
	brokerSync     bool
	partitions     int
	simulate       bool
	simAgents      int
	simDays        int
	simRate        float64
	simPredictions bool
	store          storeFlags
	state          stateFlags
	rollup         rollupFlags
	ingest         ingestFlags
	api            apiFlags
	log            logFlags
	sessionTime    time.Duration
	ws             wsFlags
	kafka          kafkaFlags
	learn          learnFlags
	memory         memoryLimit
}

func (f *allFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&f.brokers, "brokers", "", "Kafka brokers, comma-separated; empty: run the embedded broker")
	fs.StringVar(&f.brokerAddr, "broker-addr", "127.0.0.1:9092", "where the embedded broker listens")
	fs.BoolVar(&f.brokerSync, "broker-sync", false, "fsync every produced batch before acknowledging it (survives power loss, slower)")
	fs.IntVar(&f.partitions, "partitions", allPartitions, "partitions of the interactions and updates topics when they are created")
	fs.BoolVar(&f.simulate, "simulate", false, "feed a simulated contact center: its history on first start, then a live feed")
	fs.IntVar(&f.simAgents, "sim-agents", 300, "agents of the simulated contact center (with --simulate)")
	fs.IntVar(&f.simDays, "sim-days", 90, "days of simulated history backfilled on first start (with --simulate)")
	fs.Float64Var(&f.simRate, "sim-rate", 20, "live simulated interactions per second (with --simulate)")
	fs.BoolVar(&f.simPredictions, "sim-predictions", true, "give simulated voice and chat records predicted satisfaction and resolution (false: leave them out, to be learned; with --simulate)")
	fs.DurationVar(&f.sessionTime, "session-timeout", 10*time.Second, "how long the group waits for a silent processor before moving its partitions")
	f.store.register(fs)
	f.state.register(fs)
	f.rollup.register(fs)
	f.ws.register(fs)
	f.ingest.register(fs)
	f.api.register(fs)
	f.kafka.register(fs)
	f.learn.register(fs)
	f.memory.register(fs)
	f.log.register(fs)
}

// runAll runs broker, ingest, processor, server (read API, coaching plans,
// websocket hub) and (with --simulate) a simulated contact center in one
// process.
//
// Start order: broker, topics, store, processor, outcome learner, plan store (replayed from
// the broker with the embedded store), HTTP server (ingest, read API,
// plans, websocket), updates feed, plan workers, simulated feed.
// Stop order (SIGTERM): the simulated feed stops; the updates feed stops
// and the hub closes its websockets with code 1001 (clients reconnect and
// resume); the HTTP server stops accepting and answers what is in flight;
// the plan workers finish their update; the processor stores what it
// folded and commits; the outcome learner writes its checkpoint; the
// producer and the plan log flush; the store closes; the broker flushes its log to --data-dir and closes.
func runAll(ctx context.Context, args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("all", flag.ContinueOnError)
	fs.SetOutput(stdout)
	var f allFlags
	f.register(fs)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if err := f.ingest.validate(); err != nil {
		return err
	}
	if err := f.rollup.validate(); err != nil {
		return err
	}
	if err := f.api.validate(); err != nil {
		return err
	}
	if err := f.learn.validate(); err != nil {
		return err
	}
	log, err := f.log.logger()
	if err != nil {
		return err
	}
	if err := f.memory.apply(fs, log); err != nil {
		return err
	}
	seeds := splitList(f.brokers)
	kopts, err := f.kafka.opts()
	if err != nil {
		return err
	}
	if len(seeds) == 0 && f.kafka.set() {
		return &usageError{"--kafka-tls* and --kafka-sasl-*: only with --brokers (the embedded broker listens in plaintext)"}
	}
	if len(seeds) == 0 {
		b, err := broker.StartEmbedded(broker.EmbeddedConfig{
			Addr: f.brokerAddr, DataDir: filepath.Join(f.ingest.dataDir, "broker"), SyncWrites: f.brokerSync,
			DefaultPartitions: f.partitions, Logger: log,
		})
		if err != nil {
			return err
		}
		defer b.Close()
		seeds = []string{b.Addr()}
	}
	topics := broker.Topics{InteractionsPartitions: int32(f.partitions), UpdatesPartitions: int32(f.partitions)}
	if err := f.kafka.check(ctx, seeds); err != nil {
		return err
	}
	if err := broker.EnsureTopics(ctx, seeds, topics, kopts...); err != nil {
		return fmt.Errorf("ensure topics on %v: %w", seeds, f.kafka.explain(err))
	}
	st, err := f.store.open(ctx, log)
	if err != nil {
		return err
	}
	defer st.Close()
	reg := newRegistry()
	proc, err := processor.New(f.state.apply(processor.Config{Brokers: seeds, ClientOpts: kopts, SessionTimeout: f.sessionTime, ScratchDir: f.ingest.dataDir, Logger: log, Registerer: reg}), st)
	if err != nil {
		return err
	}
	// The learner applies the server's customer erasures to its state.
	ret, err := f.api.retention.config(f.ingest.dataDir)
	if err != nil {
		return err
	}
	learner, closeLearned, err := f.learn.build(f.ingest.dataDir, seeds, kopts, reg, log, st, ret.Secret)
	if err != nil {
		return err
	}
	defer closeLearned()
	producer, err := ingest.NewProducer(ingest.ProducerConfig{Brokers: seeds, ClientOpts: kopts, Registerer: reg})
	if err != nil {
		return err
	}
	defer producer.Close()
	jwt, err := f.ingest.verifier()
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
	verifier, sso, err := withSSO(ctx, f.api.oidc, jwt, auditLog, people.Roster().Admits, log)
	if err != nil {
		return err
	}
	tokens, err := demoTokens(&f)
	if err != nil {
		return err
	}
	keys, err := apikeys.New(apikeys.Config{Brokers: seeds, Opts: kopts, Logger: log})
	if err != nil {
		return err
	}
	defer keys.Close()
	dash := dashboard.New(dashboard.Config{DemoTokens: dashboardTokens(tokens)})
	deps := serverDeps{store: st, seeds: seeds, kafkaOpts: kopts, verifier: verifier, keys: keys, roster: people, audit: auditLog, reg: reg, log: log, mount: mountAll(dash.Routes, sso), dataDir: f.ingest.dataDir}
	if learner != nil {
		deps.outcomes = learner
	}
	srv, err := buildServer(ctx, deps, &f.api, &f.ws)
	if err != nil {
		return err
	}
	defer srv.close()
	// Ready when the broker answers, the store answers, the read views
	// are warmed up, and the processor owns partitions and is within
	// readyLag records of their ends.
	ready := func(ctx context.Context) error {
		if err := producer.Ping(ctx); err != nil {
			return fmt.Errorf("broker: %w", err)
		}
		if _, err := st.Checkpoint(ctx, 0); err != nil {
			return fmt.Errorf("store: %w", err)
		}
		if err := srv.ready(ctx); err != nil {
			return err
		}
		if err := people.Ready(ctx); err != nil {
			return err
		}
		return proc.Ready(ctx, readyLag)
	}
	part, err := f.ingest.build(producer, reg, ready, keys, people.Roster(), log, srv.routes)
	if err != nil {
		return err
	}

	g, gctx := errgroup.WithContext(ctx)
	g.Go(func() error {
		if err := proc.Run(gctx); err != nil && !errors.Is(err, context.Canceled) {
			return fmt.Errorf("processor: %w", err)
		}
		return nil
	})
	g.Go(func() error { return f.rollup.run(gctx, st, reg, log) })
	if learner != nil {
		g.Go(func() error { return f.learn.runLearner(gctx, learner) })
	}
	part.run(gctx, g)
	srv.run(gctx, g)
	g.Go(func() error { return auditLog.Run(gctx) })
	g.Go(func() error { return people.Run(gctx) })
	if f.simulate {
		g.Go(func() error { return runFeed(gctx, &f, seeds, kopts, producer, log) })
	}
	if err := printWelcome(stdout, &f, tokens); err != nil {
		return err
	}
	log.Info("agentpulse running", "http_addr", f.ingest.addr, "brokers", seeds, "store", f.store.kind, "simulate", f.simulate)
	err = g.Wait()
	log.Info("agentpulse stopped")
	return err
}

// runFeed backfills the simulated history unless this data dir has all of
// it already, then feeds live interactions until ctx ends. A backfill
// interrupted by a stop resumes at the next start (historyState).
func runFeed(ctx context.Context, f *allFlags, seeds []string, kopts []kgo.Opt, p *ingest.Producer, log *slog.Logger) error {
	st, ok, err := loadHistoryState(f.ingest.dataDir)
	if err != nil {
		return err
	}
	switch {
	case ok && st.Done:
		log.Info("simulated history already on the broker; not backfilling again", "end", st.End, "days", st.Days)
	case ok:
		log.Info("resuming the interrupted backfill of the simulated history; what reached the broker before is counted once", "end", st.End)
		if err := backfillSimulated(ctx, f, st, p, log); err != nil {
			return err
		}
	default:
		n, err := broker.Records(ctx, seeds, "interactions", kopts...)
		if err != nil {
			return fmt.Errorf("simulated feed: %w", err)
		}
		if n > 0 {
			log.Info("interactions already on the broker and no simulated history state; not backfilling", "records", n)
			break
		}
		world := simulatedWorld(f)
		st = historyState{End: world.End, Days: world.Days, Agents: world.Agents}
		if err := st.save(f.ingest.dataDir); err != nil {
			return err
		}
		if err := backfillSimulated(ctx, f, st, p, log); err != nil {
			return err
		}
	}
	if ctx.Err() != nil {
		return nil
	}
	return liveSimulated(ctx, f, p, log)
}
