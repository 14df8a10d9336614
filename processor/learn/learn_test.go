package learn

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/agentpulse/agentpulse/ingest"
	"github.com/agentpulse/agentpulse/ingest/broker"
	"github.com/agentpulse/agentpulse/ingest/simulator"
	"github.com/agentpulse/agentpulse/outcomes"
	"github.com/agentpulse/agentpulse/schemas"
)

// feed produces a small simulated center without predictions (customers,
// repeat contacts, survey answers) to an embedded broker and returns its
// address and the number of records produced.
func feed(t *testing.T) (string, int64) {
	t.Helper()
	c := feedCenter(t, 12, 20, 3, nil)
	return c.addr, c.total
}

// center is a simulated feed produced to an embedded broker.
type center struct {
	addr  string
	total int64 // records produced to both topics
	its   []schemas.Interaction
	outs  []schemas.Outcome
}

// feedCenter produces a simulated center of agents × days without
// predictions, and then extra (when not empty), to a new embedded broker
// with 3 interactions partitions.
func feedCenter(t *testing.T, agents, days int, seed int64, extra []schemas.Interaction) center {
	t.Helper()
	b, err := broker.StartEmbedded(broker.EmbeddedConfig{Addr: "127.0.0.1:0", Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(b.Close)
	ctx := context.Background()
	if err := broker.EnsureTopics(ctx, []string{b.Addr()}, broker.Topics{InteractionsPartitions: 3}); err != nil {
		t.Fatal(err)
	}
	cfg := simulator.DefaultConfig(time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC))
	cfg.Agents, cfg.Days, cfg.Seed, cfg.NoPredictions = agents, days, seed, true
	g, err := simulator.New(cfg, 1)
	if err != nil {
		t.Fatal(err)
	}
	cl, err := kgo.NewClient(kgo.SeedBrokers(b.Addr()), kgo.ProducerLinger(0))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	c := center{addr: b.Addr()}
	send := func(its []schemas.Interaction, outs []schemas.Outcome) error {
		var recs []*kgo.Record
		for i := range its {
			it := &its[i]
			recs = append(recs, &kgo.Record{Topic: "interactions", Key: ingest.Key(it), Value: it.AppendJSON(nil)})
		}
		for i := range outs {
			o := &outs[i]
			recs = append(recs, &kgo.Record{Topic: "outcomes", Key: schemas.OutcomeKey(o), Value: o.AppendJSON(nil)})
		}
		c.total += int64(len(recs))
		c.its, c.outs = append(c.its, its...), append(c.outs, outs...)
		return cl.ProduceSync(ctx, recs...).FirstErr()
	}
	if _, _, err := g.RunTruth(ctx, func(bt simulator.Batch) error { return send(bt.Records, bt.Outcomes) }); err != nil {
		t.Fatal(err)
	}
	if len(extra) > 0 {
		if err := send(extra, nil); err != nil {
			t.Fatal(err)
		}
	}
	return c
}

// sink collects the last cells emitted per interaction.
type sink struct {
	mu   sync.Mutex
	last map[string][]byte
	n    int
}

func (s *sink) put(_ context.Context, out []outcomes.Emitted) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, e := range out {
		b, _ := json.Marshal(e)
		s.last[e.Tenant+"/"+e.ID] = b
		s.n++
	}
	return nil
}

// consume runs a learner until it has consumed want records in all (or
// crashes), then stops it cleanly, unless it crashed.
func consume(t *testing.T, cfg Config, want int64) error {
	_, err := consumeWith(t, cfg, want)
	return err
}

func consumeWith(t *testing.T, cfg Config, want int64) (*Learner, error) {
	t.Helper()
	l, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- l.Run(ctx) }()
	deadline := time.After(60 * time.Second)
	for l.position.Load() < want {
		select {
		case err := <-done:
			return l, err
		case <-deadline:
			t.Fatalf("consumed %d of %d records in 60 s", l.position.Load(), want)
		case <-time.After(20 * time.Millisecond):
		}
	}
	cancel()
	return l, <-done
}

// TestKillAndResume: a learner killed midway (no checkpoint at the kill)
// and restarted from its last checkpoint ends in the same state, byte for
// byte, as one that ran without a stop, and its sink ends with the same
// cells.
func TestKillAndResume(t *testing.T) {
	addr, total := feed(t)
	dir := t.TempDir()
	base := Config{Brokers: []string{addr}, Lateness: 48 * time.Hour, CheckpointRecords: 500, Logger: slog.New(slog.DiscardHandler)}

	a := &sink{last: map[string][]byte{}}
	ca := base
	reg := prometheus.NewRegistry()
	ca.Checkpoint, ca.Sink, ca.Registerer = filepath.Join(dir, "a.json"), a.put, reg
	la0, err := consumeWith(t, ca, total)
	if err != nil {
		t.Fatal(err)
	}
	om, ok := la0.Models("acme", "chat")
	if !ok || len(om.Targets) != 2 || om.Targets[0].Labels == 0 || om.Targets[1].Labels == 0 {
		t.Fatalf("outcome models %+v %v", om, ok)
	}
	if _, ok := la0.Models("acme", "nope"); ok {
		t.Fatal("an unknown model answered")
	}
	if n := testutil.CollectAndCount(reg, "agentpulse_learn_records_total", "agentpulse_learn_checkpoints_total"); n < 3 {
		t.Fatalf("%d learner metric series", n)
	}

	b := &sink{last: map[string][]byte{}}
	cb := base
	cb.Checkpoint, cb.Sink, cb.crashAfter = filepath.Join(dir, "b.json"), b.put, int(total/2)
	if err := consume(t, cb, total); !errors.Is(err, errCrash) {
		t.Fatalf("first run: %v, want the simulated crash", err)
	}
	cb.crashAfter = 0
	if err := consume(t, cb, total); err != nil {
		t.Fatal(err)
	}

	// The learners' states, byte for byte (the stream's delivery
	// bookkeeping — what was drained when, what was dropped at which
	// drain — depends on fetch timing and is not compared).
	la, lb := learners(t, ca.Checkpoint), learners(t, cb.Checkpoint)
	if len(la) == 0 || len(la) != len(lb) {
		t.Fatalf("%d and %d learners", len(la), len(lb))
	}
	for k, v := range la {
		if !bytes.Equal(v, lb[k]) {
			t.Fatalf("learner %v differs after the crash", k)
		}
	}
	if len(a.last) == 0 {
		t.Fatal("nothing learnt")
	}
	if len(a.last) != len(b.last) {
		t.Fatalf("sinks hold %d and %d interactions", len(a.last), len(b.last))
	}
	for k, v := range a.last {
		if !bytes.Equal(v, b.last[k]) {
			t.Fatalf("%s: %s\nafter the crash: %s", k, v, b.last[k])
		}
	}
	t.Logf("%d records, %d interactions with cells, %d cells emitted without a stop, %d with the crash", total, len(a.last), a.n, b.n)
}

// learners reads a checkpoint's learner states by tenant and model.
func learners(t *testing.T, path string) map[[2]string][]byte {
	t.Helper()
	cp, err := loadCheckpoint(path, outcomes.Config{}, 48*time.Hour, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	out := map[[2]string][]byte{}
	for _, tenant := range []string{"acme"} {
		for _, model := range []string{"voice", "chat", "email"} {
			if l := cp.stream.Learner(tenant, model); l != nil {
				b, _ := l.MarshalBinary()
				out[[2]string{tenant, model}] = b
			}
		}
	}
	return out
}
