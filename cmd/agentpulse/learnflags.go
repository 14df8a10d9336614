package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/agentpulse/agentpulse/processor/learn"
	"github.com/agentpulse/agentpulse/processor/store"
)

// modelsPublishEvery is how often `process` publishes the learner's
// changed summaries on the outcome-models topic for servers in other
// processes.
const modelsPublishEvery = 15 * time.Second

// learnFlags are the flags of the outcome learner (processor/learn) that
// `agentpulse all` and `agentpulse process` run beside the processor.
type learnFlags struct {
	on bool
	// dataDir is --data-dir of `process` (all has its own).
	dataDir string
}

func (l *learnFlags) register(fs *flag.FlagSet) {
	fs.BoolVar(&l.on, "learn", true, "run the outcome learner: it reads every partition of the interactions and outcomes topics, learns satisfaction and resolution, and serves GET /v1/outcome-models; its checkpoint is learn/checkpoint.bin in --data-dir (false: no learner)")
}

// registerDataDir adds --data-dir (process only; all has it already).
func (l *learnFlags) registerDataDir(fs *flag.FlagSet) {
	fs.StringVar(&l.dataDir, "data-dir", "./data", "directory for the outcome learner's checkpoint (learn/checkpoint.bin, created 0700) and the scratch files of key filter builds")
}

// learnCheckpoint is where the learner's checkpoint lives in dataDir.
func learnCheckpoint(dataDir string) string {
	return filepath.Join(dataDir, "learn", "checkpoint.bin")
}

// learnCheckpointEvery spaces the learner's checkpoints in time as well
// as by records (learn.Config.CheckpointEvery): a backfill of 10^6
// records wrote a hundred checkpoints of the whole state.
const learnCheckpointEvery = 30 * time.Second

// oldLearnCheckpoint is where a learner before checkpoint format 2 kept
// its (JSON) checkpoint: removed at start, the learner then reads the log
// again from its start.
func oldLearnCheckpoint(dataDir string) string {
	return filepath.Join(dataDir, "learn", "checkpoint.json")
}

// build returns the learner, or nil with --learn=false. Its directory is
// created 0700 (the checkpoint holds customer histories, pseudonymous).
//
// The learner writes its learned cells into st's buckets (when st is a
// store.LearnedWriter: both stores are) and publishes their updates on
// the updates topic; close stops the publisher (call it after the
// learner has stopped).
func (l *learnFlags) build(dataDir string, seeds []string, kopts []kgo.Opt, reg prometheus.Registerer, log *slog.Logger, st store.Store) (lr *learn.Learner, close func(), err error) {
	close = func() {}
	if !l.on {
		return nil, close, nil
	}
	path := learnCheckpoint(dataDir)
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, close, fmt.Errorf("outcome learner: %w", err)
	}
	if err := os.Chmod(filepath.Dir(path), 0o700); err != nil {
		return nil, close, fmt.Errorf("outcome learner: %w", err)
	}
	if old := oldLearnCheckpoint(dataDir); os.Remove(old) == nil {
		log.Warn("removed the outcome learner's checkpoint of format 1 (JSON): it reads the log again from its start", "path", old)
	}
	cfg := learn.Config{Brokers: seeds, ClientOpts: kopts, Checkpoint: path, Logger: log, Registerer: reg,
		CheckpointEvery: learnCheckpointEvery}
	if lw, ok := st.(store.LearnedWriter); ok {
		pub, err := learn.NewUpdatePublisher(seeds, "", log, kopts...)
		if err != nil {
			return nil, close, err
		}
		cfg.Store, cfg.Publish, close = lw, pub.Publish, pub.Close
	}
	lr, err = learn.New(cfg)
	if err != nil {
		close()
		return nil, func() {}, err
	}
	return lr, close, nil
}

// runLearner runs lr until ctx ends (a clean stop writes its checkpoint).
func runLearner(ctx context.Context, lr *learn.Learner) error {
	if err := lr.Run(ctx); err != nil && !errors.Is(err, context.Canceled) {
		return fmt.Errorf("outcome learner: %w", err)
	}
	return nil
}
