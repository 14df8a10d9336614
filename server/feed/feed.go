package feed

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/agentpulse/agentpulse/schemas"
)

// Handler receives one update. It runs in the feed's goroutine and must
// not block.
type Handler func(ctx context.Context, u schemas.Update)

// Config configures New. Brokers is required; the zero value of every
// other field means its default.
type Config struct {
	// Brokers are the seed brokers (host:port). Required.
	Brokers []string
	// ClientOpts are extra franz-go options of the client: TLS and SASL
	// (kafkasec.Config.Opts).
	ClientOpts []kgo.Opt
	// Topic is the updates topic. Default "updates".
	Topic string
	// PollRecords is the most records handled per poll. Default 1000.
	PollRecords int
	// FetchMaxWait is how long the broker may hold a fetch waiting for
	// data. Default 500 ms (a fetch returns as soon as data arrives).
	FetchMaxWait time.Duration
	// Logger receives decode failures and lifecycle logs. Default
	// slog.Default().
	Logger *slog.Logger
	// Registerer registers the feed's metrics; nil registers nothing.
	Registerer prometheus.Registerer
}

// ErrNoBrokers is returned by New when Config.Brokers is empty.
var ErrNoBrokers = errors.New("feed: no brokers configured (set --brokers or run the embedded broker)")

// Feed consumes the updates topic. Build it with New, register handlers
// with Handle, then Run it.
type Feed struct {
	cfg     Config
	client  *kgo.Client
	log     *slog.Logger
	metrics *metrics

	mu       sync.Mutex
	handlers []Handler
	markers  []Handler
	running  bool
	started  chan struct{} // closed once the start offsets are fixed
}

// New builds a feed; it connects lazily when Run starts.
func New(cfg Config) (*Feed, error) {
	if len(cfg.Brokers) == 0 {
		return nil, ErrNoBrokers
	}
	if cfg.Topic == "" {
		cfg.Topic = "updates"
	}
	if cfg.PollRecords <= 0 {
		cfg.PollRecords = 1000
	}
	if cfg.FetchMaxWait <= 0 {
		cfg.FetchMaxWait = 500 * time.Millisecond
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	cl, err := kgo.NewClient(append([]kgo.Opt{
		kgo.SeedBrokers(cfg.Brokers...),
		// No group: every instance reads every partition, from the end
		// Run lists when it starts (start).
		kgo.FetchMaxWait(cfg.FetchMaxWait),
		kgo.MetadataMinAge(time.Second),
	}, cfg.ClientOpts...)...)
	if err != nil {
		return nil, fmt.Errorf("feed: kafka client: %w", err)
	}
	return &Feed{cfg: cfg, client: cl, log: cfg.Logger.With("component", "feed"), metrics: newMetrics(cfg.Registerer),
		started: make(chan struct{})}, nil
}

// Handle registers h. Handlers registered before Run receive every
// update; Handle panics once Run has started (wiring, not runtime).
func (f *Feed) Handle(h Handler) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.running {
		panic("feed: Handle after Run")
	}
	f.handlers = append(f.handlers, h)
}

// HandleRebuilt registers h for the processor's rebuilt markers
// (schemas.KindRebuilt): a partition's records were stored without
// updates, so state kept from updates must read the store again. Handlers
// registered with Handle never see markers; a marker of an unknown kind
// is counted and skipped. Like Handle, it panics once Run has started.
func (f *Feed) HandleRebuilt(h Handler) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.running {
		panic("feed: HandleRebuilt after Run")
	}
	f.markers = append(f.markers, h)
}

// Run consumes until ctx ends, then closes the client. It returns nil
// after ctx ends; a Feed runs once.
func (f *Feed) Run(ctx context.Context) error {
	f.mu.Lock()
	f.running = true
	hs := append([]Handler(nil), f.handlers...)
	ms := append([]Handler(nil), f.markers...)
	f.mu.Unlock()
	defer f.client.Close()
	if err := f.start(ctx); err != nil {
		return nil // ctx ended
	}
	for {
		fetches := f.client.PollRecords(ctx, f.cfg.PollRecords)
		if fetches.IsClientClosed() || ctx.Err() != nil {
			return nil
		}
		fetches.EachError(func(topic string, p int32, err error) {
			if !errors.Is(err, context.Canceled) {
				f.log.Warn("fetch error", "topic", topic, "partition", p, "err", err)
			}
		})
		fetches.EachPartition(func(p kgo.FetchTopicPartition) {
			for _, r := range p.Records {
				f.handle(ctx, r, hs, ms)
			}
			if n := len(p.Records); n > 0 {
				last := p.Records[n-1]
				f.metrics.lag.WithLabelValues(fmt.Sprint(p.Partition)).Set(float64(max(0, p.HighWatermark-last.Offset-1)))
			}
		})
	}
}

// Started is closed once the feed has fixed where it starts (the updates
// topic's end when Run began): every update published after that is
// handled. A server's catch-up gate compares the store with the log only
// after it (server/app), so that a record is either stored by then or its
// update is handled.
func (f *Feed) Started() <-chan struct{} { return f.started }

// start lists the topic's end offsets (retrying until ctx ends) and
// consumes every partition from there.
func (f *Feed) start(ctx context.Context) error {
	adm := kadm.NewClient(f.client)
	for wait := 100 * time.Millisecond; ; wait = min(2*wait, 5*time.Second) {
		ends, err := adm.ListEndOffsets(ctx, f.cfg.Topic)
		if err == nil {
			err = ends.Error()
		}
		if err == nil && len(ends) > 0 {
			from := map[int32]kgo.Offset{}
			ends.Each(func(o kadm.ListedOffset) { from[o.Partition] = kgo.NewOffset().At(o.Offset) })
			f.client.AddConsumePartitions(map[string]map[int32]kgo.Offset{f.cfg.Topic: from})
			close(f.started)
			f.log.Info("consuming updates", "topic", f.cfg.Topic, "from", "end", "partitions", len(from))
			return nil
		}
		if err == nil {
			err = fmt.Errorf("topic %q has no partitions yet", f.cfg.Topic)
		}
		f.log.Warn("listing the updates topic's end failed; retrying", "topic", f.cfg.Topic, "err", err, "in", wait)
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(wait):
		}
	}
}

func (f *Feed) handle(ctx context.Context, r *kgo.Record, hs, ms []Handler) {
	u, err := schemas.DecodeUpdate(r.Value)
	if err != nil {
		f.metrics.records.WithLabelValues("invalid").Inc()
		f.metrics.decodeErrors.Inc()
		f.log.Warn("undecodable update skipped", "partition", r.Partition, "offset", r.Offset, "bytes", len(r.Value), "err", err)
		return
	}
	switch u.Kind {
	case "":
	case schemas.KindRebuilt:
		f.metrics.records.WithLabelValues("marker").Inc()
		f.log.Info("partition rebuilt by the processor", "partition", u.Partition, "offset", u.Offset)
		for _, h := range ms {
			h(ctx, u)
		}
		return
	default:
		f.metrics.records.WithLabelValues("unknown_kind").Inc()
		f.log.Warn("update of an unknown kind skipped", "kind", u.Kind, "partition", r.Partition, "offset", r.Offset)
		return
	}
	f.metrics.records.WithLabelValues("handled").Inc()
	began := time.Now()
	for _, h := range hs {
		h(ctx, u)
	}
	f.metrics.handleSeconds.Observe(time.Since(began).Seconds())
	if !r.Timestamp.IsZero() {
		f.metrics.delay.Observe(time.Since(r.Timestamp).Seconds())
	}
}
