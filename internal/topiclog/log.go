package topiclog

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"
)

// Defaults of Config.
const (
	DefaultRetryEvery    = time.Second
	DefaultAppendTimeout = 10 * time.Second
)

// Config configures New.
type Config struct {
	// Brokers are the seed brokers; required.
	Brokers []string
	// Opts are extra franz-go options of every client (TLS, SASL:
	// kafkasec.Config.Opts).
	Opts []kgo.Opt
	// Topic is the topic; required.
	Topic string
	// Partitions of the topic when Load creates it. Default 1.
	Partitions int32
	// TopicConfig is the topic's configuration when Load creates it
	// ("retention.ms", "cleanup.policy"). An existing topic is left as
	// it is.
	TopicConfig map[string]*string
	// Apply receives every record, in order within a partition: replay
	// true for the records below the end offsets Load found, false for
	// the ones Run tails afterwards. Required.
	Apply func(r *kgo.Record, replay bool) error
	// SkipBad logs and skips a record Apply refuses during the replay
	// instead of failing Load.
	SkipBad bool
	// Name names the log in messages and errors ("api keys"). Default
	// "topiclog " + Topic.
	Name string
	// RetryEvery is how often Run retries Load. Default DefaultRetryEvery.
	RetryEvery time.Duration
	// AppendTimeout bounds one Append (the caller's context may end it
	// sooner). Default DefaultAppendTimeout.
	AppendTimeout time.Duration
	// Logger receives the replay summary and tailing errors. Nil: discard.
	Logger *slog.Logger
}

// Compacted is the TopicConfig of a topic that keeps each key's newest
// record (cleanup.policy compact): the owners whose records are full
// states by key.
func Compacted() map[string]*string {
	compact := "compact"
	return map[string]*string{"cleanup.policy": &compact}
}

// Log is one topic read into memory by its owner's Apply.
type Log struct {
	cfg   Config
	base  []kgo.Opt
	cl    *kgo.Client // producer and admin
	ready atomic.Bool

	loadMu sync.Mutex
	rd     atomic.Pointer[kgo.Client] // reader: replays, then tails; set by Load
}

// New returns a Log that has not read its topic yet.
func New(cfg Config) (*Log, error) {
	if cfg.Name == "" {
		cfg.Name = "topiclog " + cfg.Topic
	}
	switch {
	case len(cfg.Brokers) == 0:
		return nil, fmt.Errorf("%s: Config.Brokers is required", cfg.Name)
	case cfg.Topic == "":
		return nil, fmt.Errorf("%s: Config.Topic is required", cfg.Name)
	case cfg.Apply == nil:
		return nil, fmt.Errorf("%s: Config.Apply is required", cfg.Name)
	}
	if cfg.Partitions <= 0 {
		cfg.Partitions = 1
	}
	if cfg.RetryEvery <= 0 {
		cfg.RetryEvery = DefaultRetryEvery
	}
	if cfg.AppendTimeout <= 0 {
		cfg.AppendTimeout = DefaultAppendTimeout
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	base := append([]kgo.Opt{kgo.SeedBrokers(cfg.Brokers...)}, cfg.Opts...)
	cl, err := kgo.NewClient(append(slices.Clone(base), kgo.DefaultProduceTopic(cfg.Topic), kgo.RequiredAcks(kgo.AllISRAcks()),
		// Records are idempotent by contract, so a retry's duplicate is
		// harmless, and without idempotent writes a context or timeout can
		// end an Append the broker never answers.
		kgo.DisableIdempotentWrite())...)
	if err != nil {
		return nil, fmt.Errorf("%s client: %w", cfg.Name, err)
	}
	return &Log{cfg: cfg, base: base, cl: cl}, nil
}

// Open is New, then Load.
func Open(ctx context.Context, cfg Config) (*Log, error) {
	l, err := New(cfg)
	if err != nil {
		return nil, err
	}
	if err := l.Load(ctx); err != nil {
		l.Close()
		return nil, err
	}
	return l, nil
}

// Topic is the log's topic.
func (l *Log) Topic() string { return l.cfg.Topic }

// Ready is nil once the topic has been replayed.
func (l *Log) Ready(context.Context) error {
	if !l.ready.Load() {
		return fmt.Errorf("%s: not read from the broker yet", l.cfg.Name)
	}
	return nil
}

// Append writes one record keyed key and waits for every in-sync replica,
// at most Config.AppendTimeout or until ctx ends. An Append that returned
// an error may still land later (the client keeps trying in the
// background): records are idempotent by contract.
func (l *Log) Append(ctx context.Context, key string, value []byte) error {
	ctx, cancel := context.WithTimeout(ctx, l.cfg.AppendTimeout)
	defer cancel()
	done := make(chan error, 1)
	l.cl.Produce(ctx, &kgo.Record{Key: []byte(key), Value: value}, func(_ *kgo.Record, err error) { done <- err })
	var err error
	select {
	case err = <-done:
	case <-ctx.Done():
		err = ctx.Err()
	}
	if err != nil {
		return fmt.Errorf("produce to %q: %w", l.cfg.Topic, err)
	}
	return nil
}

// Load creates the topic when missing and replays it up to the end
// offsets it finds now. After a Load that succeeded it does nothing.
func (l *Log) Load(ctx context.Context) error {
	l.loadMu.Lock()
	defer l.loadMu.Unlock()
	if l.ready.Load() {
		return nil
	}
	adm := kadm.NewClient(l.cl)
	resp, createErr := adm.CreateTopic(ctx, l.cfg.Partitions, -1, l.cfg.TopicConfig, l.cfg.Topic)
	if errors.Is(createErr, kerr.TopicAlreadyExists) || errors.Is(resp.Err, kerr.TopicAlreadyExists) {
		createErr = nil
	}
	// A refused creation is fine when the topic exists: a managed Kafka
	// whose operator created it and allows this principal no more.
	want, err := l.pending(ctx, adm)
	if err != nil {
		if createErr != nil {
			return fmt.Errorf("create topic %q: %w", l.cfg.Topic, createErr)
		}
		return err
	}
	start := map[int32]kgo.Offset{}
	for p := range want {
		start[p] = kgo.NewOffset().AtStart()
	}
	rd, err := kgo.NewClient(append(slices.Clone(l.base), kgo.ConsumePartitions(map[string]map[int32]kgo.Offset{l.cfg.Topic: start}),
		kgo.FetchMaxWait(time.Second))...)
	if err != nil {
		return fmt.Errorf("%s reader: %w", l.cfg.Name, err)
	}
	n, err := l.replay(ctx, rd, want)
	if err != nil {
		rd.Close()
		return err
	}
	l.rd.Store(rd)
	l.ready.Store(true)
	l.cfg.Logger.Info(l.cfg.Name+" replayed from the broker", "topic", l.cfg.Topic, "records", n)
	return nil
}

// pending returns every partition of the topic with the offset its replay
// ends at, or -1 when it holds no record to replay (empty, or every
// record deleted).
func (l *Log) pending(ctx context.Context, adm *kadm.Client) (map[int32]int64, error) {
	ends, err := adm.ListEndOffsets(ctx, l.cfg.Topic)
	if err == nil {
		err = ends.Error()
	}
	if err != nil {
		return nil, fmt.Errorf("end offsets of %q: %w", l.cfg.Topic, err)
	}
	starts, err := adm.ListStartOffsets(ctx, l.cfg.Topic)
	if err == nil {
		err = starts.Error()
	}
	if err != nil {
		return nil, fmt.Errorf("start offsets of %q: %w", l.cfg.Topic, err)
	}
	want := map[int32]int64{}
	ends.Each(func(o kadm.ListedOffset) {
		want[o.Partition] = o.Offset
		if s, ok := starts.Lookup(l.cfg.Topic, o.Partition); o.Offset <= 0 || (ok && s.Offset >= o.Offset) {
			want[o.Partition] = -1
		}
	})
	return want, nil
}

// replay applies records until every partition of want has reached its
// end offset.
func (l *Log) replay(ctx context.Context, rd *kgo.Client, want map[int32]int64) (int, error) {
	want = withRecords(want)
	n := 0
	for len(want) > 0 {
		fs := rd.PollFetches(ctx)
		if err := ctx.Err(); err != nil {
			return n, fmt.Errorf("replay %q: %w", l.cfg.Topic, err)
		}
		var ferr error
		fs.EachError(func(_ string, _ int32, err error) { ferr = errors.Join(ferr, err) })
		if ferr != nil {
			return n, fmt.Errorf("replay %q: %w", l.cfg.Topic, ferr)
		}
		for it := fs.RecordIter(); !it.Done(); {
			r := it.Next()
			if err := l.cfg.Apply(r, true); err != nil {
				if !l.cfg.SkipBad {
					return n, fmt.Errorf("replay %q offset %d: %w", l.cfg.Topic, r.Offset, err)
				}
				l.cfg.Logger.Warn(l.cfg.Name+": bad record skipped", "topic", l.cfg.Topic, "partition", r.Partition, "offset", r.Offset, "err", err)
			}
			n++
			if end, ok := want[r.Partition]; ok && r.Offset+1 >= end {
				delete(want, r.Partition)
			}
		}
	}
	return n, nil
}

// withRecords drops the partitions with nothing to replay from a copy of want.
func withRecords(want map[int32]int64) map[int32]int64 {
	out := map[int32]int64{}
	for p, end := range want {
		if end > 0 {
			out[p] = end
		}
	}
	return out
}

// Run loads the topic when Load has not succeeded yet (retrying every
// Config.RetryEvery while the broker is away), then tails it through
// Apply until ctx ends. It returns nil.
func (l *Log) Run(ctx context.Context) error {
	for !l.ready.Load() {
		err := l.Load(ctx)
		if err == nil {
			break
		}
		if ctx.Err() != nil {
			return nil
		}
		l.cfg.Logger.Warn(l.cfg.Name+": cannot read the topic yet, retrying", "topic", l.cfg.Topic, "err", err)
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(l.cfg.RetryEvery):
		}
	}
	rd := l.rd.Load()
	for {
		fs := rd.PollFetches(ctx)
		if ctx.Err() != nil {
			return nil
		}
		fs.EachError(func(t string, p int32, err error) {
			l.cfg.Logger.Warn(l.cfg.Name+": fetch failed", "topic", t, "partition", p, "err", err)
		})
		fs.EachRecord(func(r *kgo.Record) {
			if err := l.cfg.Apply(r, false); err != nil {
				l.cfg.Logger.Warn(l.cfg.Name+": bad record skipped", "topic", l.cfg.Topic, "partition", r.Partition, "offset", r.Offset, "err", err)
			}
		})
	}
}

// Close closes the broker clients; appends in flight fail.
func (l *Log) Close() {
	l.cl.Close()
	if rd := l.rd.Load(); rd != nil {
		rd.Close()
	}
}
