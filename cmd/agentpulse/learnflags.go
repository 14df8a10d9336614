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
	fs.BoolVar(&l.on, "learn", true, "run the outcome learner: it reads every partition of the interactions and outcomes topics, learns satisfaction and resolution, and serves GET /v1/outcome-models; its checkpoint is learn/checkpoint.json in --data-dir (false: no learner)")
}

// registerDataDir adds --data-dir (process only; all has it already).
func (l *learnFlags) registerDataDir(fs *flag.FlagSet) {
	fs.StringVar(&l.dataDir, "data-dir", "./data", "directory for the outcome learner's checkpoint (learn/checkpoint.json, created 0700)")
}

// learnCheckpoint is where the learner's checkpoint lives in dataDir.
func learnCheckpoint(dataDir string) string {
	return filepath.Join(dataDir, "learn", "checkpoint.json")
}

// build returns the learner, or nil with --learn=false. Its directory is
// created 0700 (the checkpoint holds customer histories, pseudonymous).
func (l *learnFlags) build(dataDir string, seeds []string, kopts []kgo.Opt, reg prometheus.Registerer, log *slog.Logger) (*learn.Learner, error) {
	if !l.on {
		return nil, nil
	}
	path := learnCheckpoint(dataDir)
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("outcome learner: %w", err)
	}
	if err := os.Chmod(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("outcome learner: %w", err)
	}
	return learn.New(learn.Config{Brokers: seeds, ClientOpts: kopts, Checkpoint: path, Logger: log, Registerer: reg})
}

// runLearner runs lr until ctx ends (a clean stop writes its checkpoint).
func runLearner(ctx context.Context, lr *learn.Learner) error {
	if err := lr.Run(ctx); err != nil && !errors.Is(err, context.Canceled) {
		return fmt.Errorf("outcome learner: %w", err)
	}
	return nil
}
