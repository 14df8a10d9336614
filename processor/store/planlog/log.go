package planlog

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"

	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/agentpulse/agentpulse/internal/topiclog"
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
	inner store.PlanStore
	log   *topiclog.Log
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
// empty and is written only through the Log afterwards. A record that
// does not decode fails Open.
func Open(ctx context.Context, cfg Config, inner store.PlanStore) (*Log, error) {
	if cfg.Topic == "" {
		cfg.Topic = DefaultTopic
	}
	l := &Log{inner: inner}
	tl, err := topiclog.Open(ctx, topiclog.Config{Brokers: cfg.Brokers, Opts: cfg.ClientOpts, Topic: cfg.Topic, Name: "plans",
		Apply: l.apply, Logger: cfg.Logger})
	if err != nil {
		return nil, err
	}
	l.log = tl
	return l, nil
}

// apply keeps one record of the topic in inner (memory: no context to
// honour).
func (l *Log) apply(r *kgo.Record, _ bool) error {
	ctx := context.Background()
	var e entry
	if err := json.Unmarshal(r.Value, &e); err != nil {
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
	return l.log.Append(ctx, key, b)
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
	l.log.Close()
	return nil
}
