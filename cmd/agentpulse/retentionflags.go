package main

import (
	"flag"
	"fmt"
	"time"

	"github.com/agentpulse/agentpulse/auth"
	"github.com/agentpulse/agentpulse/processor/store"
	"github.com/agentpulse/agentpulse/server/app"
	"github.com/agentpulse/agentpulse/server/retention"
)

// retentionFlags configure retention and erasure (server/retention) in
// `all` and `serve`.
type retentionFlags struct {
	days     int
	interval time.Duration
	secret   string
}

// erasureSecretFile is the generated erasure secret in --data-dir.
const erasureSecretFile = "erasure-secret"

func (f *retentionFlags) register(fs *flag.FlagSet) {
	fs.IntVar(&f.days, "retention-days", retention.DefaultDays, fmt.Sprintf("days of event time a tenant's interactions and figures are kept when its admin set no retention (PUT /v1/retention), %d to %d", store.MinRetentionDays, retention.MaxDays))
	fs.StringVar(&f.secret, "erasure-secret", "", fmt.Sprintf("secret erasures keep keyed hashes of customer keys and agent ids with, at least %d bytes, the same on every server (empty: the one generated once and kept in --data-dir)", retention.MinSecretBytes))
	fs.DurationVar(&f.interval, "retention-interval", retention.DefaultInterval, "how often a retention pass removes what ended before each tenant's cutoff (negative: only when a setting changes)")
}

func (f *retentionFlags) validate() error {
	if f.days < store.MinRetentionDays || f.days > retention.MaxDays {
		return &usageError{fmt.Sprintf("--retention-days: must be %d to %d, got %d", store.MinRetentionDays, retention.MaxDays, f.days)}
	}
	if f.secret != "" && len(f.secret) < retention.MinSecretBytes {
		return &usageError{fmt.Sprintf("--erasure-secret: %d bytes, need at least %d (or leave it empty to use a generated one kept in --data-dir)", len(f.secret), retention.MinSecretBytes)}
	}
	if f.interval == 0 {
		return &usageError{"--retention-interval: must not be 0 (negative: passes only when a setting changes)"}
	}
	return nil
}

// config resolves the erasure secret: the flag's, or the one generated
// once in dataDir.
func (f *retentionFlags) config(dataDir string) (app.RetentionConfig, error) {
	secret := []byte(f.secret)
	if f.secret == "" {
		var err error
		if secret, err = auth.LoadOrCreateSecretFile(dataDir, erasureSecretFile, "--erasure-secret",
			"restore the file from a backup: the erasures made so far were made with it"); err != nil {
			return app.RetentionConfig{}, err
		}
	}
	return app.RetentionConfig{Enabled: true, DefaultDays: f.days, Interval: f.interval, Secret: secret}, nil
}
