package broker

import (
	"context"
	"errors"
	"fmt"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"
)

// Topics names agentpulse's topics and their partition counts.
type Topics struct {
	// Interactions holds canonical interactions keyed by
	// tenant/interaction_id (every revision in one partition).
	// Default "interactions", 8 partitions.
	Interactions           string
	InteractionsPartitions int32
	// DeadLetter keeps rejected records with their reason. Default
	// "interactions.dlq", 1 partition.
	DeadLetter           string
	DeadLetterPartitions int32
	// Updates carries the processor's update messages. Default "updates",
	// 8 partitions.
	Updates           string
	UpdatesPartitions int32
}

// WithDefaults fills the zero fields.
func (t Topics) WithDefaults() Topics {
	if t.Interactions == "" {
		t.Interactions = "interactions"
	}
	if t.InteractionsPartitions <= 0 {
		t.InteractionsPartitions = 8
	}
	if t.DeadLetter == "" {
		t.DeadLetter = "interactions.dlq"
	}
	if t.DeadLetterPartitions <= 0 {
		t.DeadLetterPartitions = 1
	}
	if t.Updates == "" {
		t.Updates = "updates"
	}
	if t.UpdatesPartitions <= 0 {
		t.UpdatesPartitions = 8
	}
	return t
}

// EnsureTopics creates the topics that do not exist yet with their
// partition counts (replication factor: the broker's default). Existing
// topics are left as they are. opts are extra client options (TLS, SASL).
func EnsureTopics(ctx context.Context, brokers []string, t Topics, opts ...kgo.Opt) error {
	t = t.WithDefaults()
	cl, err := kgo.NewClient(append([]kgo.Opt{kgo.SeedBrokers(brokers...)}, opts...)...)
	if err != nil {
		return fmt.Errorf("kafka client: %w", err)
	}
	defer cl.Close()
	adm := kadm.NewClient(cl)
	want := map[string]int32{
		t.Interactions: t.InteractionsPartitions,
		t.DeadLetter:   t.DeadLetterPartitions,
		t.Updates:      t.UpdatesPartitions,
	}
	for topic, parts := range want {
		resp, err := adm.CreateTopic(ctx, parts, -1, nil, topic)
		if err != nil && !errors.Is(err, kerr.TopicAlreadyExists) && !errors.Is(resp.Err, kerr.TopicAlreadyExists) {
			return fmt.Errorf("create topic %q with %d partitions: %w", topic, parts, err)
		}
	}
	return nil
}

// Records returns how many records a topic holds in all (the sum of its
// partitions' end offsets; 0 for a new topic). opts are extra client
// options (TLS, SASL).
func Records(ctx context.Context, brokers []string, topic string, opts ...kgo.Opt) (int64, error) {
	cl, err := kgo.NewClient(append([]kgo.Opt{kgo.SeedBrokers(brokers...)}, opts...)...)
	if err != nil {
		return 0, fmt.Errorf("kafka client: %w", err)
	}
	defer cl.Close()
	offs, err := kadm.NewClient(cl).ListEndOffsets(ctx, topic)
	if err != nil {
		return 0, fmt.Errorf("list end offsets of %q: %w", topic, err)
	}
	if err := offs.Error(); err != nil {
		return 0, fmt.Errorf("list end offsets of %q: %w", topic, err)
	}
	var n int64
	offs.Each(func(o kadm.ListedOffset) { n += o.Offset })
	return n, nil
}
