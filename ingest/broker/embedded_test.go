package broker

import (
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"
)

func quiet() *slog.Logger { return slog.New(slog.DiscardHandler) }

// TestEmbeddedBrokerDurableAcrossRestarts produces to a broker with a data
// dir, closes it, starts a new one on the same dir and reads every record
// back; the topics are still there with their partition counts.
func TestEmbeddedBrokerDurableAcrossRestarts(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	b, err := StartEmbedded(EmbeddedConfig{Addr: "127.0.0.1:0", DataDir: dir, Logger: quiet()})
	if err != nil {
		t.Fatal(err)
	}
	if err := EnsureTopics(ctx, []string{b.Addr()}, Topics{InteractionsPartitions: 3}); err != nil {
		t.Fatal(err)
	}
	cl, err := kgo.NewClient(kgo.SeedBrokers(b.Addr()), kgo.DefaultProduceTopic("interactions"))
	if err != nil {
		t.Fatal(err)
	}
	const n = 500
	for i := range n {
		if err := cl.ProduceSync(ctx, &kgo.Record{Key: []byte{byte(i)}, Value: []byte{byte(i), byte(i >> 8)}}).FirstErr(); err != nil {
			t.Fatal(err)
		}
	}
	cl.Close()
	b.Close()

	b, err = StartEmbedded(EmbeddedConfig{Addr: "127.0.0.1:0", DataDir: dir, Logger: quiet()})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	got, err := Records(ctx, []string{b.Addr()}, "interactions")
	if err != nil || got != n {
		t.Fatalf("after restart the topic holds %d records (%v), want %d", got, err, n)
	}
	// Creating the topics again keeps the existing ones as they are.
	if err := EnsureTopics(ctx, []string{b.Addr()}, Topics{InteractionsPartitions: 8}); err != nil {
		t.Fatal(err)
	}
	cl, err = kgo.NewClient(kgo.SeedBrokers(b.Addr()), kgo.ConsumeTopics("interactions"), kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	pctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	seen, parts := 0, map[int32]bool{}
	for seen < n && pctx.Err() == nil {
		cl.PollFetches(pctx).EachRecord(func(r *kgo.Record) { seen++; parts[r.Partition] = true })
	}
	if seen != n || len(parts) > 3 {
		t.Fatalf("read back %d records from partitions %v, want %d from at most 3", seen, parts, n)
	}
}

// TestEmbeddedBrokerDataDirPrivate: the data directory the broker creates
// is its owner's alone (0700; issue 15, item 5: it was 0755, and kfake
// writes its segments 0644, so other local users could read every
// tenant's interactions).
func TestEmbeddedBrokerDataDirPrivate(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "broker")
	b, err := StartEmbedded(EmbeddedConfig{Addr: "127.0.0.1:0", DataDir: dir, Logger: quiet()})
	if err != nil {
		t.Fatal(err)
	}
	b.Close()
	st, err := os.Stat(dir)
	if err != nil || st.Mode().Perm() != 0o700 {
		t.Fatalf("data dir mode %v (%v), want 0700", st.Mode().Perm(), err)
	}
}
