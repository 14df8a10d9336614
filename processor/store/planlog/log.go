package planlog

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/agentpulse/agentpulse/processor/store"
)

// DefaultTopic is the topic plans are kept on when Config.Topic is empty.
const DefaultTopic = "plans"

// Config configures Open.
type Config struct {
	// Brokers are the seed brokers; required.
	Brokers []string
	// ClientOpts are extra franz-go options of its clients: TLS and SASL
	// (kafkasec.Config.Opts).
	ClientOpts []kgo.Opt
	// Topic keeps the plan writes. Default DefaultTopic. It is created
	// with one partition when missing.
	Topic string
	// Logger receives the replay summary. Nil: discard.
	Logger *slog.Logger
}

// Log is a durable store.PlanStore over an in-memory one.
type Log struct {
	inner   store.PlanStore
	cl      *kgo.Client
	topic   string
	brokers []string
	opts    []kgo.Opt
}

var _ store.PlanStore = (*Log)(nil)

// entry is one record of the topic: a plan state or a catalogue.
type entry struct {
	Plan    *store.PlanRecord `json:"plan,omitempty"`
	Catalog *catalog          `json:"catalog,omitempty"`
}

type catalog struct {
	Tenant  string   `json:"tenant"`
	Items   []string `json:"items"`
	Version int64    `json:"version"`
}

// Open creates the topic when missing, replays it into inner (every record
// up to the end offsets at Open) and returns the Log. inner should be
// empty and is written only through the Log afterwards.
func Open(ctx context.Context, cfg Config, inner store.PlanStore) (*Log, error) {
	if len(cfg.Brokers) == 0 {
		return nil, errors.New("planlog: Config.Brokers is required")
	}
	if cfg.Topic == "" {
		cfg.Topic = DefaultTopic
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	cl, err := kgo.NewClient(append([]kgo.Opt{kgo.SeedBrokers(cfg.Brokers...), kgo.DefaultProduceTopic(cfg.Topic),
		kgo.RequiredAcks(kgo.AllISRAcks())}, cfg.ClientOpts...)...)
	if err != nil {
		return nil, fmt.Errorf("plan log client: %w", err)
	}
	l := &Log{inner: inner, cl: cl, topic: cfg.Topic, brokers: cfg.Brokers, opts: cfg.ClientOpts}
	n, err := l.replay(ctx)
	if err != nil {
		cl.Close()
		return nil, err
	}
	cfg.Logger.Info("plans replayed from the broker", "topic", cfg.Topic, "records", n)
	return l, nil
}

// replay applies every record below the end offsets to inner.
func (l *Log) replay(ctx context.Context) (int, error) {
	adm := kadm.NewClient(l.cl)
	resp, err := adm.CreateTopic(ctx, 1, -1, nil, l.topic)
	if err != nil && !errors.Is(err, kerr.TopicAlreadyExists) && !errors.Is(resp.Err, kerr.TopicAlreadyExists) {
		return 0, fmt.Errorf("create topic %q: %w", l.topic, err)
	}
	ends, err := adm.ListEndOffsets(ctx, l.topic)
	if err == nil {
		err = ends.Error()
	}
	if err != nil {
		return 0, fmt.Errorf("end offsets of %q: %w", l.topic, err)
	}
	want := map[int32]int64{}
	offsets := map[string]map[int32]kgo.Offset{l.topic: {}}
	ends.Each(func(o kadm.ListedOffset) {
		if o.Offset > 0 {
			want[o.Partition] = o.Offset
			offsets[l.topic][o.Partition] = kgo.NewOffset().AtStart()
		}
	})
	if len(want) == 0 {
		return 0, nil
	}
	rd, err := kgo.NewClient(append([]kgo.Opt{kgo.SeedBrokers(l.brokers...), kgo.ConsumePartitions(offsets)}, l.opts...)...)
	if err != nil {
		return 0, fmt.Errorf("plan log reader: %w", err)
	}
	defer rd.Close()
	n := 0
	for len(want) > 0 {
		fs := rd.PollFetches(ctx)
		if err := ctx.Err(); err != nil {
			return n, fmt.Errorf("replay %q: %w", l.topic, err)
		}
		var ferr error
		fs.EachError(func(_ string, _ int32, err error) { ferr = errors.Join(ferr, err) })
		if ferr != nil {
			return n, fmt.Errorf("replay %q: %w", l.topic, ferr)
		}
		for it := fs.RecordIter(); !it.Done(); {
			r := it.Next()
			end, ok := want[r.Partition]
			if !ok || r.Offset >= end {
				continue
			}
			if err := l.apply(ctx, r.Value); err != nil {
				return n, fmt.Errorf("replay %q offset %d: %w", l.topic, r.Offset, err)
			}
			n++
			if r.Offset+1 >= end {
				delete(want, r.Partition)
			}
		}
	}
	return n, nil
}

func (l *Log) apply(ctx context.Context, value []byte) error {
	var e entry
	if err := json.Unmarshal(value, &e); err != nil {
		return fmt.Errorf("decode plan log record: %w", err)
	}
	switch {
	case e.Plan != nil:
		return l.inner.PutPlan(ctx, *e.Plan)
	case e.Catalog != nil:
		return l.inner.PutAssistanceCatalog(ctx, e.Catalog.Tenant, e.Catalog.Items, e.Catalog.Version)
	}
	return nil
}

// produce writes one entry and waits for the broker's acknowledgement.
func (l *Log) produce(ctx context.Context, key string, e entry) error {
	b, err := json.Marshal(e)
	if err != nil {
		return fmt.Errorf("encode plan log record: %w", err)
	}
	if err := l.cl.ProduceSync(ctx, &kgo.Record{Key: []byte(key), Value: b}).FirstErr(); err != nil {
		return fmt.Errorf("produce to %q: %w", l.topic, err)
	}
	return nil
}

// PutPlan keeps rec on the topic, then in memory.
func (l *Log) PutPlan(ctx context.Context, rec store.PlanRecord) error {
	if err := l.produce(ctx, rec.Plan.TenantID+"/plan/"+rec.Plan.ID, entry{Plan: &rec}); err != nil {
		return err
	}
	return l.inner.PutPlan(ctx, rec)
}

// PutAssistanceCatalog keeps the catalogue on the topic, then in memory.
func (l *Log) PutAssistanceCatalog(ctx context.Context, tenant string, items []string, version int64) error {
	if err := l.produce(ctx, tenant+"/catalog", entry{Catalog: &catalog{Tenant: tenant, Items: items, Version: version}}); err != nil {
		return err
	}
	return l.inner.PutAssistanceCatalog(ctx, tenant, items, version)
}

// Plan reads the in-memory store.
func (l *Log) Plan(ctx context.Context, tenant, id string) (store.PlanRecord, error) {
	return l.inner.Plan(ctx, tenant, id)
}

// Plans reads the in-memory store.
func (l *Log) Plans(ctx context.Context, q store.PlanQuery) ([]store.PlanRecord, error) {
	return l.inner.Plans(ctx, q)
}

// AssistanceCatalog reads the in-memory store.
func (l *Log) AssistanceCatalog(ctx context.Context, tenant string) ([]string, bool, error) {
	return l.inner.AssistanceCatalog(ctx, tenant)
}

// Close closes the broker client; writes in flight fail. The in-memory
// store is not closed.
func (l *Log) Close() error {
	l.cl.Close()
	return nil
}
