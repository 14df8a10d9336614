package broker

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

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
	// UpdatesRetention and UpdatesRetentionBytes bound the updates topic
	// (retention.ms, and retention.bytes per partition): updates are a
	// live signal that servers read from the end, never a log to replay,
	// so an hour is plenty and a replay cannot grow the topic without
	// bound. Set on creation and on every start of an existing topic.
	// Defaults 1h and 64 MiB.
	UpdatesRetention      time.Duration
	UpdatesRetentionBytes int64
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
	if t.UpdatesRetention <= 0 {
		t.UpdatesRetention = time.Hour
	}
	if t.UpdatesRetentionBytes <= 0 {
		t.UpdatesRetentionBytes = 64 << 20
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
// Existing topics keep their partitions; the updates topic's retention
// (UpdatesRetention, UpdatesRetentionBytes) is set whether it existed or
// not, unless the broker refuses the client the right to alter configs.
// opts are extra client options (TLS, SASL).
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
	retention := map[string]*string{
		"retention.ms":    ptr(strconv.FormatInt(t.UpdatesRetention.Milliseconds(), 10)),
		"retention.bytes": ptr(strconv.FormatInt(t.UpdatesRetentionBytes, 10)),
	}
	for topic, parts := range want {
		var configs map[string]*string
		if topic == t.Updates {
			configs = retention
		}
		if err := createTopic(ctx, adm, topic, parts, configs); err != nil {
			return err
		}
	}
	// A topic created before (or by someone else) gets the bound too.
	alter := make([]kadm.AlterConfig, 0, len(retention))
	for k, v := range retention {
		alter = append(alter, kadm.AlterConfig{Op: kadm.SetConfig, Name: k, Value: v})
	}
	resps, err := adm.AlterTopicConfigs(ctx, alter, t.Updates)
	if err == nil {
		for _, r := range resps {
			if r.Err != nil {
				err = r.Err
			}
		}
	}
	switch {
	case errors.Is(err, kerr.TopicAuthorizationFailed), errors.Is(err, kerr.ClusterAuthorizationFailed):
		// A managed cluster whose topic configs are the operator's: the
		// operator sets the bound (README, "Topics").
	case err != nil:
		return fmt.Errorf("set the retention of topic %q: %w", t.Updates, err)
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
	if err := createTopic(ctx, adm, t.Outcomes, parts, nil); err != nil {
		return err
	}
	return nil
}

// createTopic creates topic unless it exists.
func createTopic(ctx context.Context, adm *kadm.Client, topic string, parts int32, configs map[string]*string) error {
	resp, err := adm.CreateTopic(ctx, parts, -1, configs, topic)
	if err != nil && !errors.Is(err, kerr.TopicAlreadyExists) && !errors.Is(resp.Err, kerr.TopicAlreadyExists) {
		return fmt.Errorf("create topic %q with %d partitions: %w", topic, parts, err)
	}
	return nil
}

func ptr(s string) *string { return &s }

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
