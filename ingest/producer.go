package ingest

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/plugin/kprom"

	"github.com/agentpulse/agentpulse/schemas"
)

// ProducerConfig configures a Producer.
type ProducerConfig struct {
	// Brokers are the seed brokers (host:port). Required.
	Brokers []string
	// Topic receives canonical interactions. Default "interactions".
	Topic string
	// DeadLetterTopic receives rejected records with their reason.
	// Default "interactions.dlq".
	DeadLetterTopic string
	// OutcomesTopic receives outcome records (schemas.Outcome), keyed
	// like their interaction (schemas.OutcomeKey). Default "outcomes".
	OutcomesTopic string
	// Linger lets the client gather records into larger batches before
	// sending. Default 0: send at once (lowest latency).
	Linger time.Duration
	// Registerer receives the Kafka client's metrics (franz-go's kprom:
	// agentpulse_ingest_kafka_*: bytes and records produced, request
	// latency, broker connects and errors). Nil: none.
	Registerer prometheus.Registerer
}

// Producer writes canonical interactions to the interactions topic, keyed
// by tenant/interaction (Key), and rejected records to the dead-letter topic. Produce returns
// only after every record is durably acknowledged by all in-sync replicas
// (acks=all, idempotent producer). Safe for concurrent use.
type Producer struct {
	cfg    ProducerConfig
	client *kgo.Client
}

// ErrNoBrokers is returned by NewProducer when no broker is configured.
var ErrNoBrokers = errors.New("ingest: no brokers configured (set --brokers or run the embedded broker)")

// NewProducer connects lazily to the brokers.
func NewProducer(cfg ProducerConfig) (*Producer, error) {
	if len(cfg.Brokers) == 0 {
		return nil, ErrNoBrokers
	}
	if cfg.Topic == "" {
		cfg.Topic = "interactions"
	}
	if cfg.DeadLetterTopic == "" {
		cfg.DeadLetterTopic = "interactions.dlq"
	}
	if cfg.OutcomesTopic == "" {
		cfg.OutcomesTopic = "outcomes"
	}
	opts := []kgo.Opt{
		kgo.SeedBrokers(cfg.Brokers...),
		kgo.RequiredAcks(kgo.AllISRAcks()),
		kgo.ProducerLinger(cfg.Linger),
		kgo.ProducerBatchMaxBytes(4 << 20),
		kgo.MaxBufferedRecords(1 << 20),
	}
	if cfg.Registerer != nil {
		opts = append(opts, kgo.WithHooks(kprom.NewMetrics("agentpulse", kprom.Subsystem("ingest_kafka"), kprom.Registerer(cfg.Registerer))))
	}
	cl, err := kgo.NewClient(opts...)
	if err != nil {
		return nil, fmt.Errorf("ingest: kafka client: %w", err)
	}
	return &Producer{cfg: cfg, client: cl}, nil
}

// Key is the partitioning key of an interaction: tenant/interaction_id.
// Every revision of an interaction lands in one partition whatever its
// agent, so the processor that folded the earlier revision is the one that
// retracts it (a correction may move an interaction to another agent,
// inquiry or hour).
func Key(it *schemas.Interaction) []byte {
	return []byte(it.TenantID + "/" + it.InteractionID)
}

// Produce writes the interactions and waits for their durable
// acknowledgement. On error some records may have been written: callers
// retry the whole set, which the processor deduplicates.
func (p *Producer) Produce(ctx context.Context, its []schemas.Interaction) error {
	if len(its) == 0 {
		return nil
	}
	recs := make([]*kgo.Record, len(its))
	for i := range its {
		recs[i] = &kgo.Record{Topic: p.cfg.Topic, Key: Key(&its[i]), Value: its[i].AppendJSON(nil)}
	}
	if err := p.client.ProduceSync(ctx, recs...).FirstErr(); err != nil {
		return fmt.Errorf("produce %d interactions to %q: %w", len(its), p.cfg.Topic, err)
	}
	return nil
}

// ProduceOutcomes writes outcome records to the outcomes topic, keyed by
// tenant/interaction_id (schemas.OutcomeKey) so that, the topic having the
// interactions topic's partition count, an outcome lands in the partition
// of its interaction. It waits for their durable acknowledgement; on error
// callers retry the whole set, which readers deduplicate by (tenant,
// outcome_id, revision).
func (p *Producer) ProduceOutcomes(ctx context.Context, os []schemas.Outcome) error {
	if len(os) == 0 {
		return nil
	}
	recs := make([]*kgo.Record, len(os))
	for i := range os {
		recs[i] = &kgo.Record{Topic: p.cfg.OutcomesTopic, Key: schemas.OutcomeKey(&os[i]), Value: os[i].AppendJSON(nil)}
	}
	if err := p.client.ProduceSync(ctx, recs...).FirstErr(); err != nil {
		return fmt.Errorf("produce %d outcomes to %q: %w", len(os), p.cfg.OutcomesTopic, err)
	}
	return nil
}

// Rejected is a record refused at ingest, kept on the dead-letter topic.
type Rejected struct {
	Tenant string // the authenticated tenant, when known
	Stage  string // "ingest", "ingest-outcomes" or a connector name
	Reason string // the field and rule, in words
	Raw    []byte // the record as received
}

// DeadLetter writes rejected records with their reason in headers and
// waits for their durable acknowledgement.
func (p *Producer) DeadLetter(ctx context.Context, rs []Rejected) error {
	if len(rs) == 0 {
		return nil
	}
	recs := make([]*kgo.Record, len(rs))
	for i, r := range rs {
		recs[i] = &kgo.Record{
			Topic: p.cfg.DeadLetterTopic,
			Key:   []byte(r.Tenant),
			Value: r.Raw,
			Headers: []kgo.RecordHeader{
				{Key: "reason", Value: []byte(r.Reason)},
				{Key: "stage", Value: []byte(r.Stage)},
				{Key: "tenant", Value: []byte(r.Tenant)},
			},
		}
	}
	if err := p.client.ProduceSync(ctx, recs...).FirstErr(); err != nil {
		return fmt.Errorf("produce %d rejected records to %q: %w", len(rs), p.cfg.DeadLetterTopic, err)
	}
	return nil
}

// Ping checks that a broker answers.
func (p *Producer) Ping(ctx context.Context) error { return p.client.Ping(ctx) }

// Close flushes and closes the client.
func (p *Producer) Close() { p.client.Close() }
