package compactor

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/agentpulse/agentpulse/processor/store"
)

// Config configures Run.
type Config struct {
	// Store is compacted; a store that is not a store.Compactor makes Run
	// return at once.
	Store store.Store
	// Interval is the time between two passes (default 1m).
	Interval time.Duration
	// Lateness is how long after a day's end, in event time, data for it
	// is still expected: the day is sealed once the model's watermark is
	// that far past its end (default 2h; 0 seals at once). A write after
	// that is still exact, it only costs a redo of the day.
	Lateness time.Duration
	// Logger gets one line per pass that sealed something, and errors
	// (default slog.Default()).
	Logger *slog.Logger
	// Registerer registers the metrics; nil registers nothing.
	Registerer prometheus.Registerer
}

// DefaultInterval and DefaultLateness are Config's defaults.
const (
	DefaultInterval = time.Minute
	DefaultLateness = 2 * time.Hour
)

// Validate reports a Config value Run cannot use, naming the field.
func (c Config) Validate() error {
	if c.Interval < 0 {
		return fmt.Errorf("rollup interval %v: must not be negative", c.Interval)
	}
	if c.Lateness < 0 {
		return fmt.Errorf("rollup lateness %v: must not be negative", c.Lateness)
	}
	return nil
}

// Run compacts at once and then every Interval until ctx ends, then
// returns nil. A failed pass is logged and counted, and the next pass
// tries again.
func Run(ctx context.Context, cfg Config) error {
	if err := cfg.Validate(); err != nil {
		return err
	}
	c, ok := cfg.Store.(store.Compactor)
	if !ok {
		return nil
	}
	if cfg.Interval == 0 {
		cfg.Interval = DefaultInterval
	}
	log := cfg.Logger
	if log == nil {
		log = slog.Default()
	}
	m := newMetrics(cfg.Registerer)
	t := time.NewTicker(cfg.Interval)
	defer t.Stop()
	for {
		start := time.Now()
		st, err := c.Compact(ctx, cfg.Lateness)
		m.seconds.Observe(time.Since(start).Seconds())
		m.days.Add(float64(st.Days))
		m.runs.Add(float64(st.Blocks))
		m.months.Add(float64(st.Months))
		switch {
		case ctx.Err() != nil:
			return nil
		case err != nil && !errors.Is(err, context.Canceled):
			m.errors.Inc()
			log.Error("rollup compaction failed; next pass retries", "days", st.Days, "months", st.Months, slog.Any("error", err))
		case st.Days+st.Blocks+st.Months > 0:
			log.Info("rollups sealed", "days", st.Days, "runs", st.Blocks, "months", st.Months, "took", time.Since(start).Round(time.Millisecond))
		}
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
	}
}

type metrics struct {
	days, runs, months, errors prometheus.Counter
	seconds                    prometheus.Histogram
}

func newMetrics(reg prometheus.Registerer) *metrics {
	m := &metrics{
		days: prometheus.NewCounter(prometheus.CounterOpts{Name: "agentpulse_rollup_days_sealed_total",
			Help: "Daily rollups written (first seal or redo after a late write)."}),
		runs: prometheus.NewCounter(prometheus.CounterOpts{Name: "agentpulse_rollup_runs_sealed_total",
			Help: "Rollups of runs of 2 to 32 days written."}),
		months: prometheus.NewCounter(prometheus.CounterOpts{Name: "agentpulse_rollup_months_sealed_total",
			Help: "Monthly rollups written (first seal or redo after a late write)."}),
		errors: prometheus.NewCounter(prometheus.CounterOpts{Name: "agentpulse_rollup_errors_total",
			Help: "Compaction passes that failed."}),
		seconds: prometheus.NewHistogram(prometheus.HistogramOpts{Name: "agentpulse_rollup_pass_seconds",
			Help: "Duration of one compaction pass.", Buckets: prometheus.ExponentialBuckets(0.01, 4, 8)}),
	}
	if reg != nil {
		reg.MustRegister(m.days, m.runs, m.months, m.errors, m.seconds)
	}
	return m
}
