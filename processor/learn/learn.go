package learn

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/agentpulse/agentpulse/outcomes"
	"github.com/agentpulse/agentpulse/processor/store"
	"github.com/agentpulse/agentpulse/schemas"
	"github.com/agentpulse/agentpulse/views"
	"github.com/agentpulse/agentpulse/views/reference"
)

// Sink receives the cells Drain returns, after each fetch. An error stops
// Run (the records are consumed again after a restart).
type Sink func(ctx context.Context, emitted []outcomes.Emitted) error

// Config configures a Learner. Zero fields take their defaults.
type Config struct {
	// Brokers are the Kafka seed brokers. Required.
	Brokers []string
	// ClientOpts are extra franz-go options (TLS, SASL) for every client.
	ClientOpts []kgo.Opt
	// InteractionsTopic and OutcomesTopic default to "interactions" and
	// "outcomes".
	InteractionsTopic, OutcomesTopic string
	// Checkpoint is the checkpoint file. Required.
	Checkpoint string
	// CheckpointRecords: a checkpoint is written after at least this many
	// records since the last one (default 10 000), and on a clean stop.
	CheckpointRecords int
	// CheckpointEvery, when positive, also spaces checkpoints by at least
	// this much time: while the learner catches up with a long log, a
	// checkpoint every CheckpointRecords would cost more than the
	// learning (each writes the whole state). A kill -9 then re-reads at
	// most that much of the log. Zero: by records only.
	CheckpointEvery time.Duration
	// Lateness is how long after a day's end its records may still arrive
	// and count exactly (default 1 h).
	Lateness time.Duration
	// Outcomes are the learner's settings.
	Outcomes outcomes.Config
	// Sink receives the learned cells; nil drops them.
	Sink Sink
	// Store, when not nil, receives the learned cells as the learner's
	// bucket parts (cells.go): what puts them in the stored figures.
	Store store.LearnedWriter
	// Publish, when not nil, receives the updates of the learned parts
	// Store acknowledged (one per tenant, model and agent; partition
	// store.LearnedPartition), for the servers' caches.
	Publish func(ctx context.Context, us []schemas.Update) error
	// Logger defaults to slog.Default().
	Logger *slog.Logger
	// Registerer receives the agentpulse_learn_* metrics; nil: none.
	Registerer prometheus.Registerer

	// crashAfter, in tests, makes Run stop without a checkpoint once this
	// many records were consumed: a kill -9.
	crashAfter int
	// noArchive, in tests, runs the cells without their archive (the
	// behavior before it: to show a test needs it).
	noArchive bool
}

// stopFlushTimeout bounds how long a stop waits for the last loop's
// cells to be stored and published before its checkpoint.
const stopFlushTimeout = 30 * time.Second

// errCrash is what Run returns when a test's crashAfter is reached.
var errCrash = errors.New("learn: simulated crash")

// Learner is the runnable. Build it with New.
type Learner struct {
	cfg     Config
	log     *slog.Logger
	stream  *outcomes.Stream
	metrics *metrics
	// mu guards stream while Run applies a fetch; Models reads under it.
	mu       sync.Mutex
	cp       checkpoint
	cells    *cells // nil without a Store
	version  int64  // the next learned parts' version
	consumed int
	// position is the records consumed in all, checkpoint included: what
	// tests wait for.
	position atomic.Int64
	// settled is position as of the end of the last loop: every record
	// below it is drained and its learned parts stored (tests wait on it).
	settled atomic.Int64
}

// New validates cfg and returns a Learner; it connects when Run starts.
func New(cfg Config) (*Learner, error) {
	if len(cfg.Brokers) == 0 {
		return nil, errors.New("learn: no brokers (set --brokers)")
	}
	if cfg.Checkpoint == "" {
		return nil, errors.New("learn: no checkpoint file")
	}
	if err := cfg.Outcomes.Validate(); err != nil {
		return nil, fmt.Errorf("learn: %w", err)
	}
	if cfg.InteractionsTopic == "" {
		cfg.InteractionsTopic = "interactions"
	}
	if cfg.OutcomesTopic == "" {
		cfg.OutcomesTopic = "outcomes"
	}
	if cfg.CheckpointRecords <= 0 {
		cfg.CheckpointRecords = 10_000
	}
	if cfg.Lateness <= 0 {
		cfg.Lateness = time.Hour
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	return &Learner{cfg: cfg, log: cfg.Logger.With("component", "learn"), metrics: newMetrics(cfg.Registerer)}, nil
}

// Run loads the checkpoint, consumes both topics from its offsets until ctx
// is done, and writes a last checkpoint on the way out.
func (l *Learner) Run(ctx context.Context) error {
	cp, err := loadCheckpoint(l.cfg.Checkpoint, l.cfg.Outcomes, l.cfg.Lateness, l.log)
	if err != nil {
		return err
	}
	if l.cfg.Store != nil {
		v, err := l.cfg.Store.LearnedVersion(ctx)
		if err != nil {
			if ctx.Err() != nil { // stopped at once: the loaded checkpoint stays
				l.mu.Lock()
				l.cp = cp
				l.mu.Unlock()
				return l.save(true)
			}
			return fmt.Errorf("learn: %w", err)
		}
		l.version = v + 1 // above whatever an earlier run wrote past its checkpoint
		// A store without the learned parts the checkpoint says were
		// written (the embedded store after a restart, a store restored
		// from an older backup), or a checkpoint from before learned
		// parts: resuming would leave the past without learned cells, so
		// the log is read again from its start.
		if resumed := cp.position() > 0; resumed && (v < cp.written || !cp.hadCells) {
			l.log.Warn("the store lacks learned parts this checkpoint covers: reading the log again from its start",
				"store_version", v, "checkpoint_version", cp.written, "checkpoint_has_cells", cp.hadCells)
			cp = newCheckpoint(l.cfg.Outcomes, l.cfg.Lateness)
		}
	}
	l.mu.Lock()
	l.cp, l.stream, l.cells = cp, cp.stream, cp.cells
	if l.cfg.Store == nil {
		l.cells = nil
	}
	l.mu.Unlock()
	if l.cells != nil && !l.cfg.noArchive {
		arch, err := openArchive(archivePath(l.cfg.Checkpoint))
		if err != nil {
			return err
		}
		defer arch.close()
		if arch.created && cp.position() > 0 {
			// A checkpoint without its archive (deleted, or written
			// before archives existed): the interactions it dropped are
			// unknown, so the log is read again from its start.
			l.log.Warn("the learner's checkpoint has no cells archive: reading the log again from its start")
			cp = newCheckpoint(l.cfg.Outcomes, l.cfg.Lateness)
			l.mu.Lock()
			l.cp, l.stream, l.cells = cp, cp.stream, cp.cells
			l.mu.Unlock()
		}
		if err := arch.reset(cp.position()); err != nil { // to the checkpoint (or empty: from the start)
			return fmt.Errorf("learn: cells archive: %w", err)
		}
		l.mu.Lock()
		l.cells.arch = arch
		l.mu.Unlock()
	}
	l.position.Store(cp.position())
	parts, err := l.partitions(ctx)
	if err != nil {
		if ctx.Err() != nil {
			// Stopped before the first fetch: the state is the loaded
			// one, and a stop always leaves a checkpoint.
			return l.save(true)
		}
		return err
	}
	l.mu.Lock()
	l.stream.SetLowWatermark(l.cp.low()) // before the first fetch: a partition not read yet holds everything
	if l.cells != nil {
		l.cells.low = l.cp.low()
	}
	l.mu.Unlock()
	cl, err := kgo.NewClient(append([]kgo.Opt{kgo.SeedBrokers(l.cfg.Brokers...), kgo.ConsumePartitions(parts)}, l.cfg.ClientOpts...)...)
	if err != nil {
		return fmt.Errorf("learn: kafka client: %w", err)
	}
	defer cl.Close()
	since, saved := 0, time.Now()
	for {
		fs := cl.PollFetches(ctx)
		if ctx.Err() != nil {
			return l.save(true)
		}
		var ferr error
		fs.EachError(func(t string, p int32, err error) { ferr = errors.Join(ferr, fmt.Errorf("fetch %s/%d: %w", t, p, err)) })
		if ferr != nil {
			l.log.Warn("fetch failed; retrying", "err", ferr)
			continue
		}
		l.mu.Lock()
		fs.EachPartition(func(p kgo.FetchTopicPartition) {
			for i, r := range p.Records {
				// On a stop, the rest of a (backfill-sized) fetch is left
				// for the next start: its offsets are not advanced.
				if i%256 == 0 && ctx.Err() != nil {
					break
				}
				l.apply(r)
				since++
				l.consumed++
			}
			l.cp.caughtUp(p.Topic, p.Partition, p.HighWatermark)
		})
		low := l.cp.low()
		l.stream.SetLowWatermark(low)
		if l.cfg.crashAfter > 0 && l.consumed >= l.cfg.crashAfter {
			l.mu.Unlock()
			return errCrash
		}
		out := l.stream.Drain()
		var parts []store.Bucket
		if l.cells != nil {
			for i := range out {
				l.cells.score(&out[i])
			}
			l.cells.pos, l.cells.low = l.cp.position(), low
			parts = l.cells.flush()
			if err := l.cells.err; err != nil {
				l.mu.Unlock()
				return fmt.Errorf("learn: cells archive: %w", err) // resumed from the checkpoint after a restart
			}
		}
		l.mu.Unlock()
		if low.IsZero() {
			l.metrics.lowWatermark.Set(0)
		} else {
			l.metrics.lowWatermark.Set(float64(low.Unix()))
		}
		// What was applied is drained, stored and published even when
		// the stop came meanwhile, so that the stop's checkpoint can be
		// written (it is taken with nothing dirty).
		wctx, cancel := ctx, context.CancelFunc(func() {})
		if ctx.Err() != nil {
			wctx, cancel = context.WithTimeout(context.WithoutCancel(ctx), stopFlushTimeout)
		}
		if len(out) > 0 && l.cfg.Sink != nil {
			if err := l.cfg.Sink(wctx, out); err != nil {
				cancel()
				return fmt.Errorf("learn: sink: %w", err)
			}
			l.metrics.cells.Add(float64(len(out)))
		}
		err := l.store(wctx, parts)
		cancel()
		if err != nil {
			return err
		}
		l.settled.Store(l.position.Load())
		if ctx.Err() != nil {
			return l.save(true)
		}
		if since >= l.cfg.CheckpointRecords && time.Since(saved) >= l.cfg.CheckpointEvery {
			if err := l.save(false); err != nil {
				return err
			}
			since, saved = 0, time.Now()
		}
	}
}

// apply feeds one record to the stream. A record that does not decode was
// refused by ingest already: it is skipped (and logged).
func (l *Learner) apply(r *kgo.Record) {
	l.cp.advance(r.Topic, r.Partition, r.Offset+1)
	l.position.Add(1)
	switch r.Topic {
	case l.cfg.InteractionsTopic:
		it, err := schemas.DecodeInteraction(r.Value)
		if err != nil {
			l.metrics.records.WithLabelValues(r.Topic, "undecodable").Inc()
			l.log.Debug("undecodable interaction skipped", "partition", r.Partition, "offset", r.Offset, "err", err)
			return
		}
		l.metrics.records.WithLabelValues(r.Topic, "applied").Inc()
		l.cp.saw(r.Topic, r.Partition, it.EndedAt)
		if l.cells != nil {
			l.cells.pos = l.cp.position() // this record included: above the last checkpoint's
			if l.cells.followDropped(&it, l.stream.Holds(it.TenantID, it.InteractionID)) {
				return // a revision of an interaction the stream dropped: its cells move
			}
		}
		l.stream.AddContact(reference.ContactOf(&it))
		if l.cells != nil {
			l.cells.place(&it)
		}
	case l.cfg.OutcomesTopic:
		o, err := schemas.DecodeOutcome(r.Value)
		if err != nil {
			l.metrics.records.WithLabelValues(r.Topic, "undecodable").Inc()
			l.log.Debug("undecodable outcome skipped", "partition", r.Partition, "offset", r.Offset, "err", err)
			return
		}
		l.metrics.records.WithLabelValues(r.Topic, "applied").Inc()
		l.cp.saw(r.Topic, r.Partition, o.ObservedAt)
		if lo, ok := reference.OutcomeOf(&o); ok {
			l.stream.AddOutcome(lo)
		}
	}
}

// store writes the learned parts a drain changed, all with the next
// version, and publishes their updates once stored.
func (l *Learner) store(ctx context.Context, parts []store.Bucket) error {
	if len(parts) == 0 || l.cfg.Store == nil {
		return nil
	}
	for i := range parts {
		parts[i].Version = l.version
	}
	l.version++
	if err := l.cfg.Store.ApplyLearned(ctx, parts); err != nil {
		return fmt.Errorf("learn: store learned parts: %w", err)
	}
	l.mu.Lock()
	l.cp.written = parts[0].Version // checkpointed with the state that wrote it
	l.mu.Unlock()
	l.metrics.parts.Add(float64(len(parts)))
	if l.cfg.Publish != nil {
		if err := l.cfg.Publish(ctx, learnedUpdates(parts)); err != nil {
			return fmt.Errorf("learn: publish learned parts: %w", err)
		}
	}
	return nil
}

// partitions returns where to start every partition of both topics: the
// checkpoint's next offset, or the start.
func (l *Learner) partitions(ctx context.Context) (map[string]map[int32]kgo.Offset, error) {
	cl, err := kgo.NewClient(append([]kgo.Opt{kgo.SeedBrokers(l.cfg.Brokers...)}, l.cfg.ClientOpts...)...)
	if err != nil {
		return nil, fmt.Errorf("learn: kafka client: %w", err)
	}
	defer cl.Close()
	td, err := kadm.NewClient(cl).ListTopics(ctx, l.cfg.InteractionsTopic, l.cfg.OutcomesTopic)
	if err != nil {
		return nil, fmt.Errorf("learn: list topics: %w", err)
	}
	ends, err := kadm.NewClient(cl).ListEndOffsets(ctx, l.cfg.InteractionsTopic, l.cfg.OutcomesTopic)
	if err != nil {
		return nil, fmt.Errorf("learn: end offsets: %w", err)
	}
	ends.Each(func(o kadm.ListedOffset) {
		if o.Err == nil {
			l.cp.caughtUp(o.Topic, o.Partition, o.Offset) // behind until read to its end
		}
	})
	out := map[string]map[int32]kgo.Offset{}
	for _, topic := range []string{l.cfg.InteractionsTopic, l.cfg.OutcomesTopic} {
		d, ok := td[topic]
		if !ok || d.Err != nil {
			return nil, fmt.Errorf("learn: topic %q: not found (create the topics first)", topic)
		}
		out[topic] = map[int32]kgo.Offset{}
		for p := range d.Partitions {
			out[topic][p] = kgo.NewOffset().At(l.cp.next(topic, p))
		}
	}
	return out, nil
}

// archivePath is the cells' archive beside the checkpoint.
func archivePath(checkpoint string) string {
	return filepath.Join(filepath.Dir(checkpoint), "cells-archive.db")
}

// save writes the checkpoint.
func (l *Learner) save(stopping bool) error {
	start := time.Now()
	l.mu.Lock()
	var arch *archive
	if l.cells != nil {
		arch = l.cells.arch
	}
	var (
		n      int64
		synced time.Duration
		err    error
	)
	if arch != nil {
		err = arch.sync() // durable before the checkpoint that covers it
	}
	if err == nil {
		n, synced, err = l.cp.save(l.cfg.Checkpoint)
	}
	if err == nil && arch != nil {
		err = arch.checkpointed(l.cp.position()) // its writes up to here are permanent
	}
	l.mu.Unlock()
	if err != nil {
		return fmt.Errorf("learn: %w", err)
	}
	level := slog.LevelDebug
	if stopping {
		level = slog.LevelInfo
	}
	l.log.Log(context.Background(), level, "outcome learner checkpoint written", "bytes", n, "seconds", time.Since(start).Seconds(),
		"sync_seconds", synced.Seconds(), "records", l.position.Load(), "stopping", stopping)
	l.metrics.checkpoints.Inc()
	l.metrics.checkpointBytes.Set(float64(n))
	l.metrics.checkpointSecs.Observe(time.Since(start).Seconds())
	return nil
}

// Models answers GET /v1/outcome-models for the tenant's model from the
// learner's current state; ok is false before the model's first record.
// Safe for concurrent use with Run.
func (l *Learner) Models(tenant, model string) (views.OutcomeModels, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.stream == nil || !l.stream.HasModel(tenant, model) {
		return views.OutcomeModels{}, false
	}
	lr := l.stream.Learner(tenant, model)
	sat, res := l.stream.Pending(tenant, model)
	return views.OutcomeModels{Model: model, Targets: []views.OutcomeTarget{
		views.NewOutcomeTarget(lr, outcomes.Satisfaction, sat),
		views.NewOutcomeTarget(lr, outcomes.Resolution, res),
	}}, true
}

// Summary is one tenant model's Models answer.
type Summary struct {
	Tenant string
	Models views.OutcomeModels
}

// Summaries returns every tenant model's Models answer, sorted by tenant
// then model (what cmd/agentpulse publishes for servers in other
// processes). Safe for concurrent use with Run.
func (l *Learner) Summaries() []Summary {
	l.mu.Lock()
	var keys []outcomes.TenantModel
	if l.stream != nil {
		keys = l.stream.Models()
	}
	l.mu.Unlock()
	out := make([]Summary, 0, len(keys))
	for _, k := range keys {
		if m, ok := l.Models(k.Tenant, k.Model); ok {
			out = append(out, Summary{Tenant: k.Tenant, Models: m})
		}
	}
	return out
}
