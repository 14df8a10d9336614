package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"time"

	"github.com/agentpulse/agentpulse/ingest/broker"
	"github.com/agentpulse/agentpulse/processor"
)

// runProcess runs the processor alone against external brokers: the part
// that scales as a consumer group.
func runProcess(ctx context.Context, args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("process", flag.ContinueOnError)
	fs.SetOutput(stdout)
	brokers := fs.String("brokers", "127.0.0.1:9092", "Kafka brokers, comma-separated")
	group := fs.String("group", "agentpulse-processor", "consumer group of the processors")
	partitions := fs.Int("partitions", 8, "partitions of the interactions and updates topics when they are created")
	flushRecords := fs.Int("flush-records", 50000, "store a partition's batch once it holds this many records")
	flushInterval := fs.Duration("flush-interval", 200*time.Millisecond, "store a partition's batch at the latest this long after its first change")
	sessionTimeout := fs.Duration("session-timeout", 10*time.Second, "how long the group waits for a silent processor before moving its partitions")
	var sf storeFlags
	sf.register(fs)
	var lf logFlags
	lf.register(fs)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	log, err := lf.logger()
	if err != nil {
		return err
	}
	seeds := splitList(*brokers)
	if len(seeds) == 0 {
		return &usageError{"--brokers: at least one broker address is required"}
	}
	if err := broker.EnsureTopics(ctx, seeds, broker.Topics{InteractionsPartitions: int32(*partitions), UpdatesPartitions: int32(*partitions)}); err != nil {
		return fmt.Errorf("ensure topics: %w", err)
	}
	st, err := sf.open(ctx, log)
	if err != nil {
		return err
	}
	defer st.Close()
	p, err := processor.New(processor.Config{
		Brokers: seeds, Group: *group, FlushRecords: *flushRecords, FlushInterval: *flushInterval,
		SessionTimeout: *sessionTimeout, Logger: log,
	}, st)
	if err != nil {
		return err
	}
	log.Info("processor starting", "brokers", seeds, "store", sf.kind, "group", *group)
	if err := p.Run(ctx); err != nil && !errors.Is(err, context.Canceled) {
		return err
	}
	log.Info("processor stopped")
	return nil
}
