package app

import (
	"context"
	"fmt"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/agentpulse/agentpulse/processor/store"
	"github.com/agentpulse/agentpulse/server/retention"
)

// RetentionConfig configures retention and erasure (package
// server/retention).
type RetentionConfig struct {
	// Enabled turns them on.
	Enabled bool
	// DefaultDays is the retention of a tenant without a setting
	// (retention.DefaultDays when zero).
	DefaultDays int
	// Interval between retention passes (retention.DefaultInterval when
	// zero; negative: only when a setting changes).
	Interval time.Duration
	// Topic is the policy topic (retention.DefaultTopic when empty).
	Topic string
	// Secret is the erasure secret (retention.Runner.Secret; at least
	// retention.MinSecretBytes): the same on every server.
	Secret []byte
}

// retentionPart is the policy and its runner over the server's store.
type retentionPart struct {
	policy *retention.Policy
	runner *retention.Runner
}

// newRetention builds the part when enabled: nil when not.
func newRetention(cfg Config, hold func() error, refresh func()) (*retentionPart, error) {
	if !cfg.Retention.Enabled {
		return nil, nil
	}
	ret, ok := cfg.Store.(store.Retainer)
	if !ok {
		return nil, fmt.Errorf("app: store %T enforces no retention", cfg.Store)
	}
	if d := cfg.Retention.DefaultDays; d != 0 && (d < store.MinRetentionDays || d > retention.MaxDays) {
		return nil, fmt.Errorf("app: default retention of %d days: must be %d to %d", d, store.MinRetentionDays, retention.MaxDays)
	}
	if len(cfg.Retention.Secret) < retention.MinSecretBytes {
		return nil, fmt.Errorf("app: erasure secret of %d bytes: need at least %d", len(cfg.Retention.Secret), retention.MinSecretBytes)
	}
	policy, err := retention.NewPolicy(retention.Config{Brokers: cfg.Brokers, Topic: cfg.Retention.Topic, Opts: cfg.KafkaOpts,
		DefaultDays: cfg.Retention.DefaultDays, Logger: cfg.Logger})
	if err != nil {
		return nil, err
	}
	runner := &retention.Runner{Policy: policy, Store: ret, Secret: cfg.Retention.Secret, Plans: cfg.Plans, Interval: cfg.Retention.Interval, Hold: hold, Refresh: refresh,
		Audit: cfg.Audit, Logger: cfg.Logger}
	if cfg.Registerer != nil {
		for _, c := range runner.Collectors() {
			if err := cfg.Registerer.Register(c); err != nil {
				policy.Close()
				return nil, fmt.Errorf("retention metrics: %w", err)
			}
		}
	}
	return &retentionPart{policy: policy, runner: runner}, nil
}

// run runs the policy's reader and the runner in g; the policy's client
// is closed when they return.
func (p *retentionPart) run(ctx context.Context, g *errgroup.Group) {
	done := make(chan struct{}, 2)
	g.Go(func() error { defer func() { done <- struct{}{} }(); return p.policy.Run(ctx) })
	g.Go(func() error { defer func() { done <- struct{}{} }(); return p.runner.Run(ctx) })
	g.Go(func() error {
		<-done
		<-done
		p.policy.Close()
		return nil
	})
}
