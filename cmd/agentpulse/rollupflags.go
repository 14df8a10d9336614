package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/agentpulse/agentpulse/processor/compactor"
	"github.com/agentpulse/agentpulse/processor/store"
)

// rollupFlags configure the rollup compactor that runs beside a processor.
type rollupFlags struct{ cfg compactor.Config }

func (r *rollupFlags) register(fs *flag.FlagSet) {
	fs.DurationVar(&r.cfg.Lateness, "rollup-lateness", compactor.DefaultLateness,
		"seal a day into daily rollups once the model's newest data is this far past the day's end (a later write to it is still exact: the day is redone)")
	fs.DurationVar(&r.cfg.Interval, "rollup-interval", compactor.DefaultInterval, "time between two rollup compaction passes")
}

// run compacts st until ctx ends.
func (r *rollupFlags) run(ctx context.Context, st store.Store, reg prometheus.Registerer, log *slog.Logger) error {
	cfg := r.cfg
	cfg.Store, cfg.Registerer, cfg.Logger = st, reg, log
	return compactor.Run(ctx, cfg)
}

func (r *rollupFlags) validate() error {
	if r.cfg.Lateness < 0 {
		return &usageError{fmt.Sprintf("--rollup-lateness: must not be negative, got %v", r.cfg.Lateness)}
	}
	if r.cfg.Interval <= 0 {
		return &usageError{fmt.Sprintf("--rollup-interval: must be positive, got %v", r.cfg.Interval)}
	}
	return nil
}
