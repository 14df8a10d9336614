package plans_test

import (
	"context"
	"fmt"
	"log/slog"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/agentpulse/agentpulse/auth"
	"github.com/agentpulse/agentpulse/ingest"
	"github.com/agentpulse/agentpulse/ingest/broker"
	"github.com/agentpulse/agentpulse/processor"
	"github.com/agentpulse/agentpulse/processor/store/embedded"
	"github.com/agentpulse/agentpulse/schemas"
	"github.com/agentpulse/agentpulse/views"
	"github.com/agentpulse/agentpulse/views/reference"
)

// pipeline is the real write path: an embedded broker, the processor
// folding into an embedded store, and a consumer of the updates topic that
// hands every update to the plan service, as agentpulse all will.
type pipeline struct {
	addr string
	st   *embedded.Store
	prod *kgo.Client
}

func startPipeline(t *testing.T, e *env) *pipeline {
	t.Helper()
	quiet := slog.New(slog.DiscardHandler)
	b, err := broker.StartEmbedded(broker.EmbeddedConfig{Addr: "127.0.0.1:0", Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(b.Close)
	seeds := []string{b.Addr()}
	if err := broker.EnsureTopics(t.Context(), seeds, broker.Topics{InteractionsPartitions: 4, UpdatesPartitions: 4}); err != nil {
		t.Fatal(err)
	}
	st := e.st.(*embedded.Store)
	proc, err := processor.New(processor.Config{Brokers: seeds, FlushInterval: 50 * time.Millisecond, Logger: quiet}, st)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{}, 3)
	go func() { _ = proc.Run(ctx); done <- struct{}{} }()
	go func() { _ = e.svc.Run(ctx); done <- struct{}{} }()
	cons, err := kgo.NewClient(kgo.SeedBrokers(seeds...), kgo.ConsumeTopics("updates"), kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()))
	if err != nil {
		t.Fatal(err)
	}
	go func() {
		defer func() { done <- struct{}{} }()
		for ctx.Err() == nil {
			fs := cons.PollFetches(ctx)
			fs.EachRecord(func(r *kgo.Record) {
				u, err := schemas.DecodeUpdate(r.Value)
				if err == nil {
					_ = e.svc.OnUpdate(ctx, u)
				}
			})
		}
	}()
	prod, err := kgo.NewClient(kgo.SeedBrokers(seeds...), kgo.DefaultProduceTopic("interactions"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cancel()
		for range 3 {
			<-done
		}
		cons.Close()
		prod.Close()
	})
	return &pipeline{addr: b.Addr(), st: st, prod: prod}
}

func (p *pipeline) produce(t *testing.T, its ...schemas.Interaction) {
	t.Helper()
	var recs []*kgo.Record
	for i := range its {
		recs = append(recs, &kgo.Record{Key: ingest.Key(&its[i]), Value: its[i].AppendJSON(nil)})
	}
	if err := p.prod.ProduceSync(t.Context(), recs...).FirstErr(); err != nil {
		t.Fatal(err)
	}
}

// waitFor polls cond for up to 10 s.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestLiveNow sends interactions through the real pipeline and sees the
// stored plan's Now (and today's history point) follow them, the plan
// published on its channel each time, equal to the reference over
// everything sent: new interactions on the plan's inquiry, one on
// another inquiry (no change), and a correction that moves one away.
func TestLiveNow(t *testing.T) {
	its := simulated(t)
	mem := embedded.New()
	e := newEnvOn(t, mem, mem, its, simEnd.Add(2*time.Hour))
	p := startPipeline(t, e)
	p.produce(t, its...)
	admin := token(t, auth.Claims{Tenant: e.tenant, Subject: "boss", Role: auth.RoleAdmin})
	agent := e.agents(e.tenant)[0]
	waitFor(t, "the feed to be stored", func() bool {
		var n int64
		for part := range int32(4) {
			cp, _ := p.st.Checkpoint(t.Context(), part)
			n += cp
		}
		return n >= int64(len(its))
	})
	plan := createPlan(t, e, admin, agent)
	// Start is fixed when the plan is committed: new interactions end
	// after that instant (a late one ending before it would move the
	// reference's Start, recomputed from the raw data, but not the
	// committed plan's).
	live := simEnd.Add(3 * time.Hour)
	e.clock.set(live.Add(time.Hour))
	channel := "plan:" + plan.ID
	_, published := e.pub.last(channel)

	sent := append([]schemas.Interaction(nil), its...)
	check := func(step string, wantChange bool) {
		t.Helper()
		ref := reference.New(sent, params)
		want := expected(ref, plan, e.clock.now())
		lastDiff := ""
		defer func() {
			if t.Failed() {
				t.Log(step, "last difference:", lastDiff)
			}
		}()
		// The plan ids of plan and want are equal; compare the stored one.
		waitFor(t, step+": the stored plan to match the reference", func() bool {
			rec, err := mem.Plan(t.Context(), e.tenant, plan.ID)
			if err != nil {
				return false
			}
			d, ok := samePlan(rec.Plan, want)
			lastDiff = d
			return ok
		})
		pub, n := e.pub.last(channel)
		if wantChange {
			if n <= published {
				t.Fatalf("%s: no new message on %s", step, channel)
			}
			if d, ok := samePlan(pub, want); !ok {
				t.Errorf("%s: published plan differs from the reference: %s", step, d)
			}
		}
		published = n
	}
	mk := func(id string, inquiry string, ended time.Time, handle float64) schemas.Interaction {
		f := func(v float64) *float64 { return &v }
		return schemas.Interaction{TenantID: e.tenant, InteractionID: id, Revision: 1, Model: "voice", AgentID: agent,
			TeamID: e.teamOf(e.tenant, agent), Inquiry: inquiry, StartedAt: ended.Add(-time.Duration(handle) * time.Second), EndedAt: ended,
			HandleTimeS: handle, PredictedSatisfaction: f(0.9), PredictedResolution: f(0.8), Source: "api"}
	}
	for i := range 3 {
		it := mk(fmt.Sprintf("live-%d", i), plan.Inquiry, live.Add(time.Duration(10+i)*time.Minute), float64(60+i))
		sent = append(sent, it)
		p.produce(t, it)
		check(fmt.Sprintf("live interaction %d", i), true)
	}
	// Now counts the 3 interactions since the commit; Recent all 20.
	if last, _ := e.pub.last(channel); last.NowVolume != 3 || last.RecentVolume != views.NowWindowSize {
		t.Errorf("now_volume = %d, recent_volume %d; want 3 and %d", last.NowVolume, last.RecentVolume, views.NowWindowSize)
	}
	other := mk("live-other", plan.Inquiry+"-not", live.Add(20*time.Minute), 999)
	sent = append(sent, other)
	p.produce(t, other)
	// A correction moves live-2 to another inquiry: a retraction only.
	moved := sent[len(sent)-2]
	moved.Revision, moved.Inquiry = 2, plan.Inquiry+"-not"
	sent = append(sent, moved)
	p.produce(t, moved)
	check("correction moving an interaction away", true)
}
