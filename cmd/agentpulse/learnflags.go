package main

import (
	"bytes"
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
	"github.com/agentpulse/agentpulse/server/retention"
)

// modelsPublishEvery is how often `process` publishes the learner's
// changed summaries on the outcome-models topic for servers in other
// processes.
const modelsPublishEvery = 15 * time.Second

// learnFlags are the flags of the outcome learner (processor/learn) that
// `agentpulse all` and `agentpulse process` run beside the processor.
type learnFlags struct {
	on bool
	// lateness is learn.Config.Lateness; cpEvery and cpRecords space
	// its checkpoints (learn.Config.CheckpointEvery, CheckpointRecords).
	lateness  time.Duration
	cpEvery   time.Duration
	cpRecords int
	// dataDir is --data-dir of `process` (all has its own).
	dataDir string
	// erasureSecret is --erasure-secret of `process` (all uses the
	// server's).
	erasureSecret string
	// policy, when the learner applies customer erasures, reads them
	// from the data-policy topic (runLearner runs it).
	policy *retention.Policy
}

func (l *learnFlags) register(fs *flag.FlagSet) {
	fs.BoolVar(&l.on, "learn", true, "run the outcome learner: it reads every partition of the interactions and outcomes topics, learns satisfaction and resolution, and serves GET /v1/outcome-models; its checkpoint is learn/checkpoint.bin in --data-dir (false: no learner)")
	fs.DurationVar(&l.lateness, "learn-lateness", time.Hour, "the outcome learner predicts a day's interactions once the tenant's newest data is this far past the day's end: a record arriving later (a late delivery, a correction) is used, but predicted with the model of its arrival, not exactly as the reference does; a change makes the learner read the log again from its start")
	fs.DurationVar(&l.cpEvery, "learn-checkpoint-interval", learnCheckpointEvery, "write the outcome learner's checkpoint at most this often (and after at least --learn-checkpoint-records records; always on a clean stop): a kill -9 re-reads the log since the last one")
	fs.IntVar(&l.cpRecords, "learn-checkpoint-records", 10_000, "write the outcome learner's checkpoint after at least this many records (and --learn-checkpoint-interval)")
}

// validate checks the learner's flags (usage errors name the flag).
func (l *learnFlags) validate() error {
	switch {
	case l.lateness <= 0:
		return &usageError{fmt.Sprintf("--learn-lateness: must be positive, got %v", l.lateness)}
	case l.cpEvery < 0:
		return &usageError{fmt.Sprintf("--learn-checkpoint-interval: must not be negative, got %v", l.cpEvery)}
	case l.cpRecords < 1:
		return &usageError{fmt.Sprintf("--learn-checkpoint-records: must be at least 1, got %d", l.cpRecords)}
	}
	return nil
}

// registerDataDir adds --data-dir (process only; all has it already).
func (l *learnFlags) registerDataDir(fs *flag.FlagSet) {
	fs.StringVar(&l.dataDir, "data-dir", "./data", "directory for the outcome learner's checkpoint (learn/checkpoint.bin, created 0700) and the scratch files of key filter builds")
}

// registerErasureSecret adds --erasure-secret (process only; all has the
// server's).
func (l *learnFlags) registerErasureSecret(fs *flag.FlagSet) {
	fs.StringVar(&l.erasureSecret, "erasure-secret", "", "the servers' erasure secret, so that the outcome learner removes erased customers' keys from its state and checkpoint (empty: the file erasure-secret in --data-dir when there is one, else erasures do not reach the learner)")
}

// processErasureSecret is the secret `process` applies customer erasures
// with: --erasure-secret, else the servers' generated file in --data-dir
// when it shares it; nil: none (never generated here: a secret other than
// the servers' would match nothing).
func (l *learnFlags) processErasureSecret(log *slog.Logger) ([]byte, error) {
	if l.erasureSecret != "" {
		if len(l.erasureSecret) < retention.MinSecretBytes {
			return nil, &usageError{fmt.Sprintf("--erasure-secret: %d bytes, need at least %d", len(l.erasureSecret), retention.MinSecretBytes)}
		}
		return []byte(l.erasureSecret), nil
	}
	b, err := os.ReadFile(filepath.Join(l.dataDir, erasureSecretFile))
	if err == nil && len(bytes.TrimSpace(b)) >= retention.MinSecretBytes {
		return bytes.TrimSpace(b), nil
	}
	if l.on {
		log.Warn("customer erasures do not reach the outcome learner's state and checkpoint: start process with the servers' --erasure-secret")
	}
	return nil, nil
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
//
// With erasureSecret (the servers' erasure secret), the learner applies
// the customer erasures of the data-policy topic to its state
// (processor/learn Erasures).
func (l *learnFlags) build(dataDir string, seeds []string, kopts []kgo.Opt, reg prometheus.Registerer, log *slog.Logger, st store.Store, erasureSecret []byte) (lr *learn.Learner, close func(), err error) {
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
		CheckpointEvery: l.cpEvery, CheckpointRecords: l.cpRecords, Lateness: l.lateness}
	if lw, ok := st.(store.LearnedWriter); ok {
		pub, err := learn.NewUpdatePublisher(seeds, "", log, kopts...)
		if err != nil {
			return nil, close, err
		}
		cfg.Store, cfg.Publish, close = lw, pub.Publish, pub.Close
	}
	if erasureSecret != nil {
		p, err := retention.NewPolicy(retention.Config{Brokers: seeds, Opts: kopts, Logger: log})
		if err != nil {
			close()
			return nil, func() {}, fmt.Errorf("outcome learner: %w", err)
		}
		l.policy = p
		cfg.Erasures = &retention.CustomerErasures{Policy: p, Secret: erasureSecret}
		closeStore := close
		close = func() { closeStore(); p.Close() }
	}
	lr, err = learn.New(cfg)
	if err != nil {
		close()
		return nil, func() {}, err
	}
	return lr, close, nil
}

// runLearner runs lr until ctx ends (a clean stop writes its checkpoint).
// With customer erasures, it reads the data-policy topic beside it.
func (l *learnFlags) runLearner(ctx context.Context, lr *learn.Learner) error {
	stopPolicy := func() error { return nil }
	if l.policy != nil {
		pctx, cancel := context.WithCancel(ctx)
		done := make(chan error, 1)
		go func() { done <- l.policy.Run(pctx) }()
		stopPolicy = func() error { cancel(); return <-done }
	}
	err := lr.Run(ctx)
	policyErr := stopPolicy()
	if err != nil && !errors.Is(err, context.Canceled) {
		return fmt.Errorf("outcome learner: %w", err)
	}
	if policyErr != nil {
		return fmt.Errorf("outcome learner: erasures: %w", policyErr)
	}
	return nil
}
