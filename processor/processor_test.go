package processor

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/agentpulse/agentpulse/ingest"
	"github.com/agentpulse/agentpulse/ingest/broker"
	"github.com/agentpulse/agentpulse/ingest/simulator"
	"github.com/agentpulse/agentpulse/processor/store"
	"github.com/agentpulse/agentpulse/processor/store/embedded"
	"github.com/agentpulse/agentpulse/schemas"
	"github.com/agentpulse/agentpulse/views"
	"github.com/agentpulse/agentpulse/views/reference"
)

// simulated returns a small simulated feed with duplicates, revisions and
// late arrivals, in stream order.
func simulated(t testing.TB, agents, days int) []schemas.Interaction {
	t.Helper()
	cfg := simulator.DefaultConfig(time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC))
	cfg.Agents, cfg.Days, cfg.Tenants, cfg.Seed = agents, days, 2, 7
	cfg.DuplicateRate, cfg.RevisionRate, cfg.LateRate = 0.05, 0.05, 0.05
	g, err := simulator.New(cfg, 2)
	if err != nil {
		t.Fatal(err)
	}
	var out []schemas.Interaction
	if _, err := g.Each(context.Background(), func(it *schemas.Interaction) error {
		out = append(out, *it)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return out
}

// startBroker starts an in-memory embedded broker with agentpulse's topics.
func startBroker(t testing.TB) string {
	t.Helper()
	b, err := broker.StartEmbedded(broker.EmbeddedConfig{Addr: "127.0.0.1:0", Logger: quietLogger()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(b.Close)
	if err := broker.EnsureTopics(context.Background(), []string{b.Addr()}, broker.Topics{InteractionsPartitions: 4}); err != nil {
		t.Fatal(err)
	}
	return b.Addr()
}

func quietLogger() *slog.Logger {
	return slog.New(slog.DiscardHandler)
}

// produce writes interactions to the interactions topic keyed as ingest
// keys them, plus any raw values given.
func produce(t testing.TB, addr string, its []schemas.Interaction, raw ...[]byte) {
	t.Helper()
	cl, err := kgo.NewClient(kgo.SeedBrokers(addr), kgo.DefaultProduceTopic("interactions"))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	recs := make([]*kgo.Record, 0, len(its)+len(raw))
	for i := range its {
		recs = append(recs, &kgo.Record{Key: ingest.Key(&its[i]), Value: its[i].AppendJSON(nil)})
	}
	for _, v := range raw {
		recs = append(recs, &kgo.Record{Key: []byte("bad"), Value: v})
	}
	if err := cl.ProduceSync(context.Background(), recs...).FirstErr(); err != nil {
		t.Fatal(err)
	}
}

// endOffsets returns the end offset of every interactions partition.
func endOffsets(t testing.TB, addr string) map[int32]int64 {
	t.Helper()
	cl, err := kgo.NewClient(kgo.SeedBrokers(addr))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	offs, err := kadm.NewClient(cl).ListEndOffsets(context.Background(), "interactions")
	if err == nil {
		err = offs.Error()
	}
	if err != nil {
		t.Fatal(err)
	}
	out := map[int32]int64{}
	offs.Each(func(o kadm.ListedOffset) { out[o.Partition] = o.Offset })
	return out
}

// waitCaughtUp waits until the store's checkpoints reach the end offsets.
func waitCaughtUp(t testing.TB, st store.Writer, ends map[int32]int64, limit time.Duration) {
	t.Helper()
	deadline := time.Now().Add(limit)
	for {
		behind := 0
		for p, end := range ends {
			cp, err := st.Checkpoint(context.Background(), p)
			if err != nil {
				t.Fatal(err)
			}
			if cp < end {
				behind++
			}
		}
		if behind == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d partitions still behind after %s", behind, limit)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// wantBuckets groups the reference's deduplicated interactions by bucket.
func wantBuckets(ds *reference.Dataset) map[store.BucketKey]views.Sums {
	out := map[store.BucketKey]views.Sums{}
	for _, it := range ds.Records() {
		k := BucketKeyOf(&it)
		s := out[k]
		s.Add(&it)
		out[k] = s
	}
	return out
}

// checkAgainstReference compares every bucket and every agent's recent
// window in the store with the reference over the same interactions.
func checkAgainstReference(t *testing.T, st store.Reader, its []schemas.Interaction) {
	t.Helper()
	ds := reference.New(its, views.DefaultParams())
	want := wantBuckets(ds)
	got := map[store.BucketKey]views.Sums{}
	models := map[[2]string]bool{}
	for k := range want {
		models[[2]string{k.Tenant, k.Model}] = true
	}
	for tm := range models {
		q := store.BucketQuery{Tenant: tm[0], Model: tm[1], From: time.Unix(0, 0), To: time.Date(2100, 1, 1, 0, 0, 0, 0, time.UTC)}
		if err := st.Buckets(context.Background(), q, func(b store.Bucket) error {
			s := got[b.BucketKey] // parts of one key from several partitions add up
			s.Merge(b.Sums)
			got[b.BucketKey] = s
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		latest, err := st.LatestData(context.Background(), tm[0], tm[1])
		wantLatest, _ := ds.LatestData(tm[0], tm[1])
		if err != nil || !latest.Equal(wantLatest) {
			t.Errorf("LatestData(%v) = %v, %v; reference %v", tm, latest, err, wantLatest)
		}
	}
	checkRosterAgainstReference(t, st, its)
	if len(want) == 0 {
		t.Fatal("the reference has no buckets: nothing was compared")
	}
	t.Logf("compared %d buckets of %d interactions (%d records sent)", len(want), ds.Len(), len(its))
	if len(got) != len(want) {
		t.Errorf("store has %d non-empty buckets, reference %d", len(got), len(want))
	}
	bad := 0
	for k, w := range want {
		g := got[k]
		// Bit for bit: the sums are on the grid (views.Sums.Add), so the
		// store's parts merged in any order equal the reference's sums.
		if g.Volume != w.Volume || g.PsatN != w.PsatN || g.PresN != w.PresN ||
			g.HandleSum != w.HandleSum || g.PsatSum != w.PsatSum || g.PresSum != w.PresSum {
			if bad++; bad <= 5 {
				t.Errorf("bucket %+v: store %+v, reference %+v", k, g, w)
			}
		}
	}
	// The 20 most recent interactions of a sample of agents and inquiries.
	checked := map[string]bool{}
	for _, it := range ds.Records() {
		key := it.TenantID + "|" + it.Model + "|" + it.AgentID + "|" + it.Inquiry
		if checked[key] || len(checked) >= 50 {
			continue
		}
		checked[key] = true
		got, err := st.Recent(context.Background(), it.TenantID, it.Model, it.AgentID, it.Inquiry, views.NowWindowSize)
		if err != nil {
			t.Fatal(err)
		}
		wantRecent := recentOf(ds, it.TenantID, it.Model, it.AgentID, it.Inquiry, views.NowWindowSize)
		if fmt.Sprint(ids(got)) != fmt.Sprint(ids(wantRecent)) {
			t.Errorf("Recent(%s) = %v, reference %v", key, ids(got), ids(wantRecent))
		}
	}
}

func recentOf(ds *reference.Dataset, tenant, model, agent, inquiry string, n int) []schemas.Interaction {
	var out []schemas.Interaction
	for _, it := range ds.Records() {
		if it.TenantID == tenant && it.Model == model && it.AgentID == agent && it.Inquiry == inquiry {
			out = append(out, it)
		}
	}
	sortNewestFirst(out)
	if len(out) > n {
		out = out[:n]
	}
	return out
}

func sortNewestFirst(its []schemas.Interaction) {
	for i := 1; i < len(its); i++ {
		for j := i; j > 0 && views.CompareNewestFirst(&its[j], &its[j-1]) < 0; j-- {
			its[j], its[j-1] = its[j-1], its[j]
		}
	}
}

func ids(its []schemas.Interaction) []string {
	out := make([]string, len(its))
	for i, it := range its {
		out[i] = fmt.Sprintf("%s@%d", it.InteractionID, it.Revision)
	}
	return out
}

func runProcessor(t testing.TB, addr string, st store.Writer, group string) (stop func()) {
	t.Helper()
	p, err := New(Config{Brokers: []string{addr}, Group: group, FlushInterval: 50 * time.Millisecond, Logger: quietLogger()}, st)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- p.Run(ctx) }()
	return func() {
		cancel()
		if err := <-done; err != nil && !errors.Is(err, context.Canceled) {
			t.Errorf("processor: %v", err)
		}
	}
}

// TestPipelineEqualsReference sends a simulated feed with duplicates,
// revisions, late arrivals and invalid records through the broker and the
// processor into the embedded store; every bucket, window and latest-data
// figure must equal the reference over the same interactions.
func TestPipelineEqualsReference(t *testing.T) {
	its := simulated(t, 12, 10)
	addr := startBroker(t)
	st := embedded.New()
	stop := runProcessor(t, addr, st, "g1")
	defer stop()
	produce(t, addr, its[:len(its)/2], []byte(`{"tenant_id": 1}`), []byte(`not json`))
	produce(t, addr, its[len(its)/2:])
	waitCaughtUp(t, st, endOffsets(t, addr), 60*time.Second)
	checkAgainstReference(t, st, its)
}

// TestRestartReplaysFromCheckpoint stops the processor half way and starts
// a new one on the same store: it resumes at the store's checkpoint with
// the state below it, and counts nothing twice.
func TestRestartReplaysFromCheckpoint(t *testing.T) {
	its := simulated(t, 8, 6)
	addr := startBroker(t)
	st := embedded.New()
	produce(t, addr, its[:len(its)/2])
	stop := runProcessor(t, addr, st, "g2")
	waitCaughtUp(t, st, endOffsets(t, addr), 60*time.Second)
	stop()
	produce(t, addr, its[len(its)/2:])
	stop = runProcessor(t, addr, st, "g2")
	defer stop()
	waitCaughtUp(t, st, endOffsets(t, addr), 60*time.Second)
	checkAgainstReference(t, st, its)
}

// TestRevisionMovingToAnotherAgent corrects interactions so that they move
// to another agent, team, inquiry and hour: the earlier agent's buckets
// lose them and the new agent's gain them, exactly as the reference says.
func TestRevisionMovingToAnotherAgent(t *testing.T) {
	its := simulated(t, 6, 3)
	n := len(its)
	for i := 0; i < n; i += 7 {
		moved := its[i]
		moved.Revision += 10 + int64(i) // above any correction the simulator makes; one per move
		moved.AgentID, moved.TeamID = its[(i+13)%n].AgentID, its[(i+13)%n].TeamID
		moved.Inquiry = its[(i+5)%n].Inquiry
		moved.EndedAt = moved.EndedAt.Add(3 * time.Hour)
		moved.StartedAt = moved.StartedAt.Add(3 * time.Hour)
		its = append(its, moved)
	}
	addr := startBroker(t)
	st := embedded.New()
	stop := runProcessor(t, addr, st, "moves")
	defer stop()
	produce(t, addr, its)
	waitCaughtUp(t, st, endOffsets(t, addr), 60*time.Second)
	checkAgainstReference(t, st, its)
}

// TestReadyFollowsLag: not ready before partitions are assigned; ready once
// every record produced so far is folded.
func TestReadyFollowsLag(t *testing.T) {
	addr := startBroker(t)
	produce(t, addr, simulated(t, 4, 2))
	p, err := New(Config{Brokers: []string{addr}, Group: "ready", Logger: quietLogger()}, embedded.New())
	if err != nil {
		t.Fatal(err)
	}
	if err := p.Ready(context.Background(), 0); err == nil {
		t.Fatal("ready before Run: want an error")
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- p.Run(ctx) }()
	defer func() { cancel(); <-done }()
	deadline := time.Now().Add(30 * time.Second)
	for p.Ready(context.Background(), 0) != nil {
		if time.Now().After(deadline) {
			t.Fatalf("never ready: %v", p.Ready(context.Background(), 0))
		}
		time.Sleep(20 * time.Millisecond)
	}
	if lag, assigned, err := p.Lag(context.Background()); lag != 0 || !assigned || err != nil {
		t.Fatalf("Lag() = %d, %v, %v after ready", lag, assigned, err)
	}
}
