package broker_test

import (
	"bytes"
	"context"
	"log/slog"
	"testing"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/agentpulse/agentpulse/ingest/broker"
)

// TestUpdatesTopicRetentionBounded: the updates topic gets retention.ms
// and retention.bytes, also when it existed before without them, and the
// embedded broker enforces them.
func TestUpdatesTopicRetentionBounded(t *testing.T) {
	b, err := broker.StartEmbedded(broker.EmbeddedConfig{Addr: "127.0.0.1:0", Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	ctx := context.Background()
	seeds := []string{b.Addr()}
	cl, err := kgo.NewClient(kgo.SeedBrokers(seeds...), kgo.DefaultProduceTopic("updates"))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	adm := kadm.NewClient(cl)
	// An updates topic of an older version: no retention.
	if _, err := adm.CreateTopic(ctx, 1, -1, nil, "updates"); err != nil {
		t.Fatal(err)
	}
	if err := broker.EnsureTopics(ctx, seeds, broker.Topics{UpdatesRetentionBytes: 4096}); err != nil {
		t.Fatal(err)
	}
	rcs, err := adm.DescribeTopicConfigs(ctx, "updates")
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, rc := range rcs {
		for _, c := range rc.Configs {
			if c.Value != nil {
				got[c.Key] = *c.Value
			}
		}
	}
	if got["retention.ms"] != "3600000" || got["retention.bytes"] != "4096" {
		t.Fatalf("updates topic retention.ms %q retention.bytes %q, want 3600000 and 4096", got["retention.ms"], got["retention.bytes"])
	}
	for range 100 {
		if err := cl.ProduceSync(ctx, &kgo.Record{Key: []byte("acme/a1"), Value: bytes.Repeat([]byte("u"), 200)}).FirstErr(); err != nil {
			t.Fatal(err)
		}
	}
	b.Cluster().ApplyRetention()
	starts, err := adm.ListStartOffsets(ctx, "updates")
	if err != nil {
		t.Fatal(err)
	}
	s, _ := starts.Lookup("updates", 0)
	if s.Offset < 50 {
		t.Fatalf("log start %d after retention of 4096 bytes over 100 records of 200 bytes", s.Offset)
	}
}
