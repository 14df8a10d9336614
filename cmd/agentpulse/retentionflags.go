package main

import (
	"flag"
	"fmt"
	"time"

	"github.com/agentpulse/agentpulse/processor/store"
	"github.com/agentpulse/agentpulse/server/app"
	"github.com/agentpulse/agentpulse/server/retention"
)

// retentionFlags configure retention and erasure (server/retention) in
// `all` and `serve`.
type retentionFlags struct {
	days     int
	interval time.Duration
}

func (f *retentionFlags) register(fs *flag.FlagSet) {
	fs.IntVar(&f.days, "retention-days", retention.DefaultDays, fmt.Sprintf("days of event time a tenant's interactions and figures are kept when its admin set no retention (PUT /v1/retention), %d to %d", store.MinRetentionDays, retention.MaxDays))
	fs.DurationVar(&f.interval, "retention-interval", retention.DefaultInterval, "how often a retention pass removes what ended before each tenant's cutoff (negative: only when a setting changes)")
}

func (f *retentionFlags) validate() error {
	if f.days < store.MinRetentionDays || f.days > retention.MaxDays {
		return &usageError{fmt.Sprintf("--retention-days: must be %d to %d, got %d", store.MinRetentionDays, retention.MaxDays, f.days)}
	}
	if f.interval == 0 {
		return &usageError{"--retention-interval: must not be 0 (negative: passes only when a setting changes)"}
	}
	return nil
}

func (f *retentionFlags) config() app.RetentionConfig {
	return app.RetentionConfig{Enabled: true, DefaultDays: f.days, Interval: f.interval}
}
