package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/agentpulse/agentpulse/httpserver"
	"github.com/agentpulse/agentpulse/ingest/broker"
	"github.com/agentpulse/agentpulse/processor"
	"github.com/agentpulse/agentpulse/processor/learn"
)

// runProcess runs the processor alone against external brokers: the part
// that scales as a consumer group.
func runProcess(ctx context.Context, args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("process", flag.ContinueOnError)
	fs.SetOutput(stdout)
	brokers := fs.String("brokers", "127.0.0.1:9092", "Kafka brokers, comma-separated")
	group := fs.String("group", "agentpulse-processor", "consumer group of the processors")
	partitions := fs.Int("partitions", scaleOutPartitions, "partitions of the interactions and updates topics when they are created")
	flushRecords := fs.Int("flush-records", 50000, "store a partition's batch once it holds this many records")
	flushInterval := fs.Duration("flush-interval", 200*time.Millisecond, "store a partition's batch at the latest this long after its first change")
	sessionTimeout := fs.Duration("session-timeout", 10*time.Second, "how long the group waits for a silent processor before moving its partitions")
	instanceID := fs.String("instance-id", "", "stable name of this processor in the group (e.g. the pod name): restarted after a crash, it takes its partitions back at once instead of after --session-timeout (empty: a dynamic member)")
	httpAddr := fs.String("http-addr", "", "where the processor serves /healthz, /readyz and /metrics, e.g. 0.0.0.0:8081 (empty: no listener)")
	var tlsCert, tlsKey string
	registerTLS(fs, &tlsCert, &tlsKey)
	var sf storeFlags
	sf.register(fs)
	var stf stateFlags
	stf.register(fs)
	var rf rollupFlags
	rf.register(fs)
	var kf kafkaFlags
	kf.register(fs)
	var learnf learnFlags
	learnf.register(fs)
	learnf.registerDataDir(fs)
	learnf.registerErasureSecret(fs)
	var lf logFlags
	lf.register(fs)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	kopts, err := kf.opts()
	if err != nil {
		return err
	}
	log, err := lf.logger()
	if err != nil {
		return err
	}
	if err := rf.validate(); err != nil {
		return err
	}
	if err := learnf.validate(); err != nil {
		return err
	}
	seeds := splitList(*brokers)
	if len(seeds) == 0 {
		return &usageError{"--brokers: at least one broker address is required"}
	}
	if err := kf.check(ctx, seeds); err != nil {
		return err
	}
	if err := broker.EnsureTopics(ctx, seeds, broker.Topics{InteractionsPartitions: int32(*partitions), UpdatesPartitions: int32(*partitions)}, kopts...); err != nil {
		return fmt.Errorf("ensure topics: %w", kf.explain(err))
	}
	st, err := sf.open(ctx, log)
	if err != nil {
		return err
	}
	defer st.Close()
	reg := newRegistry()
	p, err := processor.New(stf.apply(processor.Config{
		Brokers: seeds, ClientOpts: kopts, Group: *group, FlushRecords: *flushRecords, FlushInterval: *flushInterval,
		SessionTimeout: *sessionTimeout, InstanceID: *instanceID, ScratchDir: learnf.dataDir, Logger: log, Registerer: reg,
	}), st)
	if err != nil {
		return err
	}
	erasureSecret, err := learnf.processErasureSecret(log)
	if err != nil {
		return err
	}
	learner, closeLearned, err := learnf.build(learnf.dataDir, seeds, kopts, reg, log, st, erasureSecret)
	if err != nil {
		return err
	}
	defer closeLearned()
	g, gctx := errgroup.WithContext(ctx)
	if learner != nil {
		// Servers in other processes read its summaries from the
		// outcome-models topic (GET /v1/outcome-models).
		if err := learn.EnsureModelsTopic(ctx, seeds, kopts...); err != nil {
			return kf.explain(err)
		}
		g.Go(func() error { return learnf.runLearner(gctx, learner) })
		g.Go(func() error { return learn.Publish(gctx, learner, seeds, modelsPublishEvery, log, kopts...) })
	}
	if *httpAddr != "" {
		// Ready when the store and the broker answer. Not on lag: a
		// processor beyond the partition count owns none, and a backlog is
		// the autoscaler's business (agentpulse_processor_lag_records),
		// not a reason to hold a rollout.
		ready := func(ctx context.Context) error {
			if _, err := st.Checkpoint(ctx, 0); err != nil {
				return fmt.Errorf("store: %w", err)
			}
			if _, _, err := p.Lag(ctx); err != nil {
				return fmt.Errorf("broker: %w", err)
			}
			return nil
		}
		srv := httpserver.New(httpserver.Config{Addr: *httpAddr, TLSCertFile: tlsCert, TLSKeyFile: tlsKey, Ready: ready, Gatherer: reg, Logger: log})
		g.Go(func() error { return srv.Run(gctx) })
	}
	log.Info("processor starting", "brokers", seeds, "store", sf.kind, "group", *group, "instance_id", *instanceID, "http_addr", *httpAddr, "learn", learnf.on)
	g.Go(func() error {
		if err := p.Run(gctx); err != nil && !errors.Is(err, context.Canceled) {
			return err
		}
		return nil
	})
	g.Go(func() error { return rf.run(gctx, st, reg, log) })
	if err := g.Wait(); err != nil {
		return err
	}
	log.Info("processor stopped")
	return nil
}
