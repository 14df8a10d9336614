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
	// Outcomes holds outcome records keyed like their interaction
	// (tenant/interaction_id). Default "outcomes" with the partition count
	// of Interactions, so that an outcome and its interaction share a
	// partition number; EnsureTopics creates it with the interactions
	// topic's actual count when that topic exists.
	Outcomes           string
	OutcomesPartitions int32
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
	if t.Outcomes == "" {
		t.Outcomes = "outcomes"
	}
	if t.OutcomesPartitions <= 0 {
		t.OutcomesPartitions = t.InteractionsPartitions
	}
	return t
}

// EnsureTopics creates the topics that do not exist yet with their
// partition counts (replication factor: the broker's default), the
// outcomes topic last with the interactions topic's partition count.
// Existing topics are left as they are.
func EnsureTopics(ctx context.Context, brokers []string, t Topics) error {
	t = t.WithDefaults()
	cl, err := kgo.NewClient(kgo.SeedBrokers(brokers...))
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
		if err := createTopic(ctx, adm, topic, parts); err != nil {
			return err
		}
	}
	// Outcomes meet their interactions only with equal partition counts:
	// a new outcomes topic takes the interactions topic's actual count
	// (it may predate this configuration).
	parts := t.OutcomesPartitions
	details, err := adm.ListTopics(ctx, t.Interactions)
	if err != nil {
		return fmt.Errorf("describe topic %q: %w", t.Interactions, err)
	}
	if d, ok := details[t.Interactions]; ok && d.Err == nil && len(d.Partitions) > 0 {
		parts = int32(len(d.Partitions))
	}
	return createTopic(ctx, adm, t.Outcomes, parts)
}

// createTopic creates topic unless it exists.
func createTopic(ctx context.Context, adm *kadm.Client, topic string, parts int32) error {
	resp, err := adm.CreateTopic(ctx, parts, -1, nil, topic)
	if err != nil && !errors.Is(err, kerr.TopicAlreadyExists) && !errors.Is(resp.Err, kerr.TopicAlreadyExists) {
		return fmt.Errorf("create topic %q with %d partitions: %w", topic, parts, err)
	}
	return nil
}

// Records returns how many records a topic holds in all (the sum of its
// partitions' end offsets; 0 for a new topic).
func Records(ctx context.Context, brokers []string, topic string) (int64, error) {
	cl, err := kgo.NewClient(kgo.SeedBrokers(brokers...))
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
