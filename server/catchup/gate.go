package catchup

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/agentpulse/agentpulse/schemas"
)

// Checkpointer is the store's side the gate reads (store.Store has it).
type Checkpointer interface {
	// Checkpoint returns the next offset to store for a partition, 0 when
	// nothing was stored for it.
	Checkpoint(ctx context.Context, partition int32) (int64, error)
}

// Config configures New. Brokers and Store are required.
type Config struct {
	// Brokers are the seed brokers of the interactions topic.
	Brokers []string
	// ClientOpts are extra franz-go options of its Kafka client (TLS,
	// SASL).
	ClientOpts []kgo.Opt
	// Topic is the interactions topic. Default "interactions".
	Topic string
	// Store is where the processor writes.
	Store Checkpointer
	// MaxLag is how many records a partition's store may be behind its
	// log end and still count as caught up. Default 5000, the processor's
	// catch-up distance at its default FlushRecords (FlushRecords/10):
	// further behind, the processor publishes no updates.
	MaxLag int64
	// Interval is how often the store is compared with the log (one
	// end-offsets request and one checkpoint read per partition). Default
	// 1 s.
	Interval time.Duration
	// Refresh runs before the gate opens and on every rebuilt marker:
	// drop what was computed from the partial store. Nil: nothing.
	Refresh func()
	// Logger receives transitions. Nil: discard.
	Logger *slog.Logger
	// Registerer registers the gate's metrics; nil registers nothing.
	Registerer prometheus.Registerer
}

// ErrCatchingUp is matched (errors.Is) by every *BehindError.
var ErrCatchingUp = errors.New("catching up with the log")

// BehindError is Err's answer while a partition is being rebuilt.
type BehindError struct {
	// Records is how many records the store is behind the log in all, as
	// of the last comparison (0 before the first).
	Records int64
	// RetryAfter is when a retry may succeed, estimated from the rate the
	// store has been catching up at (5 s when unknown), 1 s to 30 s.
	RetryAfter time.Duration
}

func (e *BehindError) Error() string {
	if e.Records == 0 {
		return "catching up with the log: the store's progress is not known yet; figures would be partial"
	}
	return fmt.Sprintf("catching up with the log: the store is %d records behind; figures would be partial", e.Records)
}

// Is makes errors.Is(err, ErrCatchingUp) true.
func (e *BehindError) Is(target error) bool { return target == ErrCatchingUp }

// Gate is the catch-up gate. Build it with New, then Run it.
type Gate struct {
	cfg    Config
	client *kgo.Client
	log    *slog.Logger

	open    atomic.Bool
	refresh sync.Mutex // serializes Refresh with opening

	mu      sync.Mutex
	known   bool            // a comparison has succeeded
	pending map[int32]int64 // partition -> log end its store must reach
	behind  int64           // records behind in all, last comparison
	rate    float64         // records per second the store advances at
	stored  int64           // sum of checkpoints, last comparison
	polled  time.Time

	metrics *metrics
}

// ErrConfig is returned by New without Brokers or Store.
var ErrConfig = errors.New("catchup: Brokers and Store are required")

// New builds a gate, closed until Run's first comparison.
func New(cfg Config) (*Gate, error) {
	if len(cfg.Brokers) == 0 || cfg.Store == nil {
		return nil, ErrConfig
	}
	if cfg.Topic == "" {
		cfg.Topic = "interactions"
	}
	if cfg.MaxLag <= 0 {
		cfg.MaxLag = 5000
	}
	if cfg.Interval <= 0 {
		cfg.Interval = time.Second
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	cl, err := kgo.NewClient(append([]kgo.Opt{kgo.SeedBrokers(cfg.Brokers...)}, cfg.ClientOpts...)...)
	if err != nil {
		return nil, fmt.Errorf("catchup: kafka client: %w", err)
	}
	return &Gate{cfg: cfg, client: cl, log: cfg.Logger.With("component", "catchup"), pending: map[int32]int64{},
		metrics: newMetrics(cfg.Registerer)}, nil
}

// Run compares the store with the log every Interval until ctx ends, then
// closes the client and returns nil.
func (g *Gate) Run(ctx context.Context) error {
	defer g.client.Close()
	t := time.NewTicker(g.cfg.Interval)
	defer t.Stop()
	for {
		if err := g.Poll(ctx); err != nil && ctx.Err() == nil {
			g.log.Warn("comparing the store with the log failed; keeping the last decision", "err", err)
		}
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
	}
}

// Poll makes one comparison (Run calls it every Interval).
func (g *Gate) Poll(ctx context.Context) error {
	ends, err := kadm.NewClient(g.client).ListEndOffsets(ctx, g.cfg.Topic)
	if err == nil {
		err = ends.Error()
	}
	if err != nil {
		return fmt.Errorf("list end offsets of %q: %w", g.cfg.Topic, err)
	}
	type part struct{ end, cp int64 }
	parts := map[int32]part{}
	var ferr error
	ends.Each(func(o kadm.ListedOffset) {
		if ferr != nil {
			return
		}
		cp, err := g.cfg.Store.Checkpoint(ctx, o.Partition)
		if err != nil {
			ferr = fmt.Errorf("checkpoint of partition %d: %w", o.Partition, err)
			return
		}
		parts[o.Partition] = part{o.Offset, cp}
	})
	if ferr != nil {
		return ferr
	}
	now := time.Now()
	g.mu.Lock()
	var behind, stored int64
	for p, x := range parts {
		lag := max(0, x.end-x.cp)
		behind += lag
		stored += x.cp
		switch {
		case !g.known && lag > 0:
			// The first comparison: records not stored yet may have
			// published their updates before this server's feed began,
			// so the store must hold every record there is now.
			g.pending[p] = x.end
		case lag >= g.cfg.MaxLag:
			if _, was := g.pending[p]; !was {
				g.log.Info("partition behind its log end: answering 503 until the store has caught up", "partition", p, "behind", lag)
			}
			g.pending[p] = x.end
		case x.cp >= g.pending[p]:
			delete(g.pending, p) // no-op when not pending
		}
	}
	if g.known && now.After(g.polled) {
		if d := float64(stored - g.stored); d > 0 {
			r := d / now.Sub(g.polled).Seconds()
			g.rate = 0.5*g.rate + 0.5*r
		}
	}
	g.known, g.behind, g.stored, g.polled = true, behind, stored, now
	complete := len(g.pending) == 0
	g.metrics.behind.Set(float64(behind))
	g.metrics.pending.Set(float64(len(g.pending)))
	g.mu.Unlock()
	g.settle(complete, false)
	return nil
}

// OnRebuilt takes a rebuilt marker (feed.HandleRebuilt): the partition's
// store holds every record through the marker's offset. It clears the
// partition when that reaches the end it must reach, and refreshes once.
func (g *Gate) OnRebuilt(_ context.Context, u schemas.Update) {
	if u.Kind != schemas.KindRebuilt {
		return
	}
	g.mu.Lock()
	if end, ok := g.pending[u.Partition]; ok && u.Offset+1 >= end {
		delete(g.pending, u.Partition)
	}
	complete := g.known && len(g.pending) == 0
	g.mu.Unlock()
	g.metrics.markers.Inc()
	g.settle(complete, true)
}

// settle opens or closes the gate; Refresh runs before it opens and, when
// marker is set, also while it stays open.
func (g *Gate) settle(complete, marker bool) {
	g.refresh.Lock()
	defer g.refresh.Unlock()
	was := g.open.Load()
	switch {
	case complete && (!was || marker):
		if g.cfg.Refresh != nil {
			g.cfg.Refresh()
		}
		g.metrics.refreshes.Inc()
		if !was {
			g.log.Info("store caught up with the log: answering figures")
		}
		g.open.Store(true)
		g.metrics.open.Set(1)
	case !complete && was:
		g.open.Store(false)
		g.metrics.open.Set(0)
	}
}

// Err is nil while the figures are complete, else a *BehindError.
func (g *Gate) Err() error {
	if g.open.Load() {
		return nil
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	retry := 5 * time.Second
	if g.known && g.rate > 0 && g.behind > 0 {
		s := math.Ceil(float64(g.behind) / g.rate)
		retry = time.Duration(min(30, max(1, s))) * time.Second
	}
	return &BehindError{Records: g.behind, RetryAfter: retry}
}
