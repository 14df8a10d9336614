package feed_test

import (
	"context"
	"encoding/json"
	"log/slog"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/agentpulse/agentpulse/ingest/broker"
	"github.com/agentpulse/agentpulse/schemas"
	"github.com/agentpulse/agentpulse/server/feed"
)

// TestFeedSkipsUndecodable: handlers get every update in partition order;
// a record that is not an update is counted and skipped, not fatal; a
// rebuilt marker goes to the marker handlers only, a marker of an unknown
// kind to nobody.
func TestFeedSkipsUndecodable(t *testing.T) {
	b, err := broker.StartEmbedded(broker.EmbeddedConfig{Addr: "127.0.0.1:0", Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	seeds := []string{b.Addr()}
	if err := broker.EnsureTopics(context.Background(), seeds, broker.Topics{UpdatesPartitions: 1}); err != nil {
		t.Fatal(err)
	}
	reg := prometheus.NewRegistry()
	f, err := feed.New(feed.Config{Brokers: seeds, Registerer: reg, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	got := make(chan schemas.Update, 100)
	f.Handle(func(_ context.Context, u schemas.Update) { got <- u })
	rebuilt := make(chan schemas.Update, 10)
	f.HandleRebuilt(func(_ context.Context, u schemas.Update) { rebuilt <- u })
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- f.Run(ctx) }()
	cl, err := kgo.NewClient(kgo.SeedBrokers(seeds...), kgo.DefaultProduceTopic("updates"))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	produce := func(v []byte) {
		if err := cl.ProduceSync(context.Background(), &kgo.Record{Key: []byte("acme/a1"), Value: v}).FirstErr(); err != nil {
			t.Fatal(err)
		}
	}
	upd := func(agent string) []byte {
		b, _ := json.Marshal(schemas.Update{Tenant: "acme", Model: "voice", Agent: agent})
		return b
	}
	// The feed starts at the topic's end: produce until it is positioned.
	for deadline := time.Now().Add(20 * time.Second); ; {
		produce(upd("warm"))
		select {
		case <-got:
		case <-time.After(200 * time.Millisecond):
			if time.Now().After(deadline) {
				t.Fatal("feed got nothing in 20 s")
			}
			continue
		}
		break
	}
	produce([]byte("not an update"))
	marker := schemas.Rebuilt(5, 77)
	mb, _ := marker.AppendJSON(nil)
	produce(mb)
	produce([]byte(`{"kind":"from-the-future","partition":1,"offset":2}`))
	produce(upd("a1"))
	produce(upd("a2"))
	var agents []string
	for len(agents) < 2 {
		select {
		case u := <-got:
			if u.Agent != "warm" {
				agents = append(agents, u.Agent)
			}
		case <-time.After(10 * time.Second):
			t.Fatalf("got %v, want a1 and a2", agents)
		}
	}
	if agents[0] != "a1" || agents[1] != "a2" {
		t.Fatalf("order %v, want a1, a2", agents)
	}
	select {
	case m := <-rebuilt:
		if m.Kind != schemas.KindRebuilt || m.Partition != 5 || m.Offset != 77 {
			t.Fatalf("marker handler got %+v", m)
		}
	default:
		t.Fatal("marker handler got nothing")
	}
	if len(rebuilt) != 0 {
		t.Fatalf("marker handler got %d more", len(rebuilt))
	}
	if n := testutil.ToFloat64(mustCollector(t, reg, "agentpulse_feed_decode_errors_total")); n != 1 {
		t.Fatalf("decode errors = %v, want 1", n)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}

// mustCollector returns the registered metric named name as a collector.
func mustCollector(t *testing.T, reg *prometheus.Registry, name string) prometheus.Collector {
	t.Helper()
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() == name {
			v := mf.GetMetric()[0].GetCounter().GetValue()
			c := prometheus.NewCounter(prometheus.CounterOpts{Name: name, Help: "copy"})
			c.Add(v)
			return c
		}
	}
	t.Fatalf("metric %s not registered", name)
	return nil
}
