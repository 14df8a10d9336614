package learn

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/agentpulse/agentpulse/ingest"
	"github.com/agentpulse/agentpulse/outcomes"
	"github.com/agentpulse/agentpulse/processor"
	"github.com/agentpulse/agentpulse/processor/store"
	"github.com/agentpulse/agentpulse/processor/store/clickhouse"
	"github.com/agentpulse/agentpulse/processor/store/clickhouse/chtest"
	"github.com/agentpulse/agentpulse/processor/store/embedded"
	"github.com/agentpulse/agentpulse/schemas"
	"github.com/agentpulse/agentpulse/views"
	"github.com/agentpulse/agentpulse/views/reference"
	"github.com/agentpulse/agentpulse/views/storeview"
)

// learnStore is what the pipeline tests need of a store.
type learnStore interface {
	store.Store
	store.LearnedWriter
}

// sentinelAgent ends the simulated feed: one interaction per tenant 15
// days after the last, in its own team and inquiry, so that the learner's
// stream seals (predicts, labels) every day of the feed, as Run does at
// the end of its records. Its own cell is the only one the stream leaves
// unpredicted (its day is never sealed), so it is left out of the
// comparisons.
const sentinelAgent = "zz-sentinel"

func sentinels(its []schemas.Interaction) []schemas.Interaction {
	newest := map[string]schemas.Interaction{}
	for _, it := range its {
		if n, ok := newest[it.TenantID]; !ok || it.EndedAt.After(n.EndedAt) {
			newest[it.TenantID] = it
		}
	}
	var out []schemas.Interaction
	for tenant, n := range newest {
		end := n.EndedAt.Add(15 * 24 * time.Hour)
		out = append(out, schemas.Interaction{TenantID: tenant, InteractionID: "zz-sentinel", Revision: 1,
			AgentID: sentinelAgent, TeamID: sentinelAgent, Model: n.Model, Inquiry: sentinelAgent,
			StartedAt: end.Add(-time.Minute), EndedAt: end, HandleTimeS: 60, Source: n.Source})
	}
	return out
}

// TestPipelineLearnsIntoStores is the differential test of learned
// outcomes: a simulated center without predictions (30 agents × 14 days,
// customers, repeat contacts, surveys) goes through the broker, the
// processor and the outcome learner into each store; the psat/pres (and
// so AES, labels, impact) of every agent's performance, every team's
// agents and a plan's Start, read through storeview, equal
// reference.NewWithOutcomes over the same records. Then a second learner
// replays the whole log from scratch into the same store (a lost
// checkpoint): the learned parts stay the same, byte for byte. A cached
// storeview built before the learner ran, fed only the learner's updates,
// answers the same.
func TestPipelineLearnsIntoStores(t *testing.T) {
	stores := map[string]func(t *testing.T) learnStore{
		"embedded": func(*testing.T) learnStore { return embedded.New() },
		"clickhouse": func(t *testing.T) learnStore {
			st, err := clickhouse.Open(context.Background(), clickhouse.Config{Addr: []string{chtest.Start(t)},
				Database: fmt.Sprintf("learn_%d", time.Now().UnixNano()), Logger: slog.New(slog.DiscardHandler)})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { _ = st.Close() })
			return st
		},
	}
	for _, name := range []string{"embedded", "clickhouse"} {
		t.Run(name, func(t *testing.T) {
			c := feedCenter(t, 30, 14, 5, nil)
			c = withSentinels(t, c)
			st := stores[name](t)
			stop := runProcessor(t, c.addr, st)
			defer stop()
			waitProcessor(t, c.addr, st)
			// A server's cache, built before anything is learned, kept
			// current by the learner's updates alone.
			params := views.DefaultParams()
			cached := storeview.New(st, params, storeview.WithCache(storeview.CacheConfig{HotHours: 2}))
			for _, it := range c.its[:1] {
				if _, err := cached.AgentPerformance(context.Background(), it.TenantID, it.AgentID, it.Model, views.RangeSpec{}, views.SortSpec{}); err != nil {
					t.Fatal(err)
				}
			}
			dir := t.TempDir()
			updates := 0
			cfg := Config{Brokers: []string{c.addr}, Lateness: 48 * time.Hour, CheckpointRecords: 2000,
				Checkpoint: filepath.Join(dir, "a.json"), Store: st, Logger: slog.New(slog.DiscardHandler),
				Publish: func(ctx context.Context, us []schemas.Update) error {
					for _, u := range us {
						cached.OnUpdate(ctx, u)
						updates++
					}
					return nil
				}}
			if _, err := settle(t, cfg, c.total); err != nil {
				t.Fatal(err)
			}
			if updates == 0 {
				t.Fatal("no learned update published")
			}
			ref := reference.NewWithOutcomes(c.its, c.outs, params, outcomes.Config{})
			compareLearned(t, storeview.New(st, params), ref, c.its)
			compareLearned(t, cached, ref, c.its)
			first := learnedParts(t, st)
			cfg.Publish = nil

			// A replay from the start (the checkpoint lost): versions go
			// above the first run's, values are the same.
			cfg.Checkpoint = filepath.Join(dir, "b.json")
			if _, err := settle(t, cfg, c.total); err != nil {
				t.Fatal(err)
			}
			if again := learnedParts(t, st); again != first {
				t.Fatalf("learned parts differ after a replay:\n%s", firstDiff(first, again))
			}
			v, err := st.LearnedVersion(context.Background())
			if err != nil || v < 2 {
				t.Fatalf("LearnedVersion after two runs = %d, %v", v, err)
			}
		})
	}
}

// TestLearnerKilledWritesSameParts: a learner killed halfway (no
// checkpoint at the kill) and restarted writes, in the end, the same
// learned parts to its store as one that ran without a stop, byte for
// byte.
func TestLearnerKilledWritesSameParts(t *testing.T) {
	c := withSentinels(t, feedCenter(t, 12, 14, 7, nil))
	dir := t.TempDir()
	base := Config{Brokers: []string{c.addr}, Lateness: 48 * time.Hour, CheckpointRecords: 700, Logger: slog.New(slog.DiscardHandler)}

	a := embedded.New()
	ca := base
	ca.Checkpoint, ca.Store = filepath.Join(dir, "a.json"), a
	if _, err := settle(t, ca, c.total); err != nil {
		t.Fatal(err)
	}
	b := embedded.New()
	cb := base
	cb.Checkpoint, cb.Store, cb.crashAfter = filepath.Join(dir, "b.json"), b, int(c.total/2)
	if _, err := settle(t, cb, c.total); !errors.Is(err, errCrash) {
		t.Fatalf("first run: %v, want the simulated crash", err)
	}
	cb.crashAfter = 0
	if _, err := settle(t, cb, c.total); err != nil {
		t.Fatal(err)
	}
	pa, pb := learnedParts(t, a), learnedParts(t, b)
	if pa == "" {
		t.Fatal("no learned parts")
	}
	if pa != pb {
		t.Fatalf("learned parts differ after a kill:\n%s", firstDiff(pa, pb))
	}
	t.Logf("%d records, %d learned parts identical", c.total, strings.Count(pa, "\n"))
}

// TestLearnerRefillsAnEmptyStore: a learner resuming from its checkpoint
// over a store that lacks the learned parts the checkpoint covers (the
// embedded store after `agentpulse all` restarts: it is rebuilt from the
// log, the learner's checkpoint is on disk) reads the log again from its
// start and writes the same parts as before.
func TestLearnerRefillsAnEmptyStore(t *testing.T) {
	c := withSentinels(t, feedCenter(t, 8, 12, 9, nil))
	cfg := Config{Brokers: []string{c.addr}, Lateness: 48 * time.Hour, CheckpointRecords: 500,
		Checkpoint: filepath.Join(t.TempDir(), "cp.json"), Logger: slog.New(slog.DiscardHandler)}
	a := embedded.New()
	cfg.Store = a
	if _, err := settle(t, cfg, c.total); err != nil {
		t.Fatal(err)
	}
	b := embedded.New()
	cfg.Store = b
	if _, err := settle(t, cfg, c.total); err != nil {
		t.Fatal(err)
	}
	pa, pb := learnedParts(t, a), learnedParts(t, b)
	if pa == "" || pa != pb {
		t.Fatalf("the restarted learner's store differs (%d and %d lines)", strings.Count(pa, "\n"), strings.Count(pb, "\n"))
	}
}

// withSentinels produces the sentinels of c's tenants.
func withSentinels(t *testing.T, c center) center {
	t.Helper()
	extra := sentinels(c.its)
	cl, err := kgo.NewClient(kgo.SeedBrokers(c.addr), kgo.ProducerLinger(0))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	for i := range extra {
		it := &extra[i]
		if err := cl.ProduceSync(context.Background(), &kgo.Record{Topic: "interactions", Key: ingest.Key(it), Value: it.AppendJSON(nil)}).FirstErr(); err != nil {
			t.Fatal(err)
		}
	}
	c.its = append(c.its, extra...)
	c.total += int64(len(extra))
	return c
}

// settle runs a learner until every record is drained and stored (or it
// crashes), then stops it cleanly.
func settle(t *testing.T, cfg Config, want int64) (*Learner, error) {
	t.Helper()
	l, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- l.Run(ctx) }()
	deadline := time.After(120 * time.Second)
	for l.settled.Load() < want {
		select {
		case err := <-done:
			return l, err
		case <-deadline:
			t.Fatalf("settled %d of %d records in 120 s", l.settled.Load(), want)
		case <-time.After(20 * time.Millisecond):
		}
	}
	cancel()
	return l, <-done
}

func runProcessor(t *testing.T, addr string, st store.Writer) (stop func()) {
	t.Helper()
	p, err := processor.New(processor.Config{Brokers: []string{addr}, Group: "learn-test", FlushInterval: 50 * time.Millisecond,
		Logger: slog.New(slog.DiscardHandler)}, st)
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

// waitProcessor waits until the store's checkpoints reach the
// interactions topic's end.
func waitProcessor(t *testing.T, addr string, st store.Writer) {
	t.Helper()
	cl, err := kgo.NewClient(kgo.SeedBrokers(addr))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	ends, err := kadm.NewClient(cl).ListEndOffsets(context.Background(), "interactions")
	if err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(120 * time.Second)
	for {
		behind := 0
		ends.Each(func(o kadm.ListedOffset) {
			cp, err := st.Checkpoint(context.Background(), o.Partition)
			if err != nil {
				t.Fatal(err)
			}
			if cp < o.Offset {
				behind++
			}
		})
		if behind == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d partitions behind after 120 s", behind)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// learnedParts is every learned part of every tenant and model, canonical
// (versions left out), one line each, sorted.
func learnedParts(t *testing.T, st store.Reader) string {
	t.Helper()
	var lines []string
	for _, tenant := range []string{"acme", "globex", "initech"} {
		for _, model := range []string{"voice", "chat", "email"} {
			q := store.BucketQuery{Tenant: tenant, Model: model, From: time.Unix(0, 0), To: time.Date(2100, 1, 1, 0, 0, 0, 0, time.UTC)}
			if err := st.Buckets(context.Background(), q, func(b store.Bucket) error {
				if b.Partition == store.LearnedPartition {
					lines = append(lines, fmt.Sprintf("%s/%s/%s/%s/%s/%s %+v %+v", b.Tenant, b.Model, b.Agent, b.Inquiry, b.Team,
						b.Hour.UTC().Format(time.RFC3339), b.Lsat, b.Lres))
				}
				return nil
			}); err != nil {
				t.Fatal(err)
			}
		}
	}
	slices.Sort(lines)
	if len(lines) == 0 {
		return ""
	}
	return strings.Join(lines, "\n") + "\n"
}

func firstDiff(a, b string) string {
	la, lb := strings.Split(a, "\n"), strings.Split(b, "\n")
	for i := range min(len(la), len(lb)) {
		if la[i] != lb[i] {
			return fmt.Sprintf("line %d:\n  %s\n  %s", i, la[i], lb[i])
		}
	}
	return fmt.Sprintf("%d lines against %d", len(la), len(lb))
}

// compareLearned compares, for every tenant and model of its, the metrics,
// every agent's performance (default range: psat/pres carry the learned
// blend and its basis and labels), every team's agents and a plan Start
// on psat, pres and AES, with the reference; the sentinel's own cell
// (unpredicted by the stream) is left out.
func compareLearned(t *testing.T, sv *storeview.Views, ref *reference.Dataset, its []schemas.Interaction) {
	t.Helper()
	compareLearnedAtLeast(t, sv, ref, its, 30)
}

// compareLearnedAtLeast is compareLearned for a smaller feed: at least
// least performances and learned psat figures compared.
func compareLearnedAtLeast(t *testing.T, sv *storeview.Views, ref *reference.Dataset, its []schemas.Interaction, least int) {
	t.Helper()
	ctx := context.Background()
	type tm struct{ tenant, model string }
	agents, teams := map[tm][]string{}, map[tm][]string{}
	for _, it := range its {
		k := tm{it.TenantID, it.Model}
		if it.AgentID == sentinelAgent {
			continue
		}
		if !slices.Contains(agents[k], it.AgentID) {
			agents[k] = append(agents[k], it.AgentID)
		}
		if !slices.Contains(teams[k], it.TeamID) {
			teams[k] = append(teams[k], it.TeamID)
		}
	}
	learned, compared := 0, 0
	for k, as := range agents {
		slices.Sort(as)
		metrics, err := sv.ModelMetrics(ctx, k.tenant, k.model)
		if err != nil {
			t.Fatal(err)
		}
		diff(t, fmt.Sprintf("ModelMetrics(%v)", k), metrics, ref.ModelMetrics(k.tenant, k.model))
		for _, agent := range as {
			got, err := sv.AgentPerformance(ctx, k.tenant, agent, k.model, views.RangeSpec{}, views.SortSpec{})
			want, werr := ref.AgentPerformance(k.tenant, agent, k.model, views.RangeSpec{}, views.SortSpec{})
			if err != nil || werr != nil {
				t.Fatalf("AgentPerformance(%v, %s): %v / %v", k, agent, err, werr)
			}
			for _, p := range want.Inquiries {
				if p.PSAT.Basis == outcomes.BasisLearned {
					learned++
				}
			}
			diff(t, fmt.Sprintf("AgentPerformance(%v, %s)", k, agent), got, want)
			compared++
			// A plan created at the latest data: Start over its window.
			latest, err := ref.LatestData(k.tenant, k.model)
			if err != nil {
				t.Fatal(err)
			}
			created := latest.Add(-15 * 24 * time.Hour) // before the sentinel's gap
			for _, p := range want.Inquiries {
				s, err := sv.AgentInquirySums(ctx, k.tenant, k.model, agent, p.Inquiry, views.StartWindow(created))
				if err != nil {
					t.Fatal(err)
				}
				m, some := s.Means()
				for _, metric := range []views.Metric{views.MetricAES, views.MetricPSAT, views.MetricPRES} {
					g, gok := m.Value(metric, ref.Params().Floor)
					gok = gok && some
					w, wok := ref.StartValue(k.tenant, agent, k.model, p.Inquiry, metric, created)
					if gok != wok || g != w {
						t.Errorf("plan Start %s of %v %s %s = %v, %v; reference %v, %v", metric, k, agent, p.Inquiry, g, gok, w, wok)
					}
				}
			}
		}
		for _, team := range teams[k] {
			got, err := sv.TeamAgents(ctx, k.tenant, team, k.model, views.RangeSpec{})
			want, werr := ref.TeamAgents(k.tenant, team, k.model, views.RangeSpec{})
			if err != nil || werr != nil {
				t.Fatalf("TeamAgents(%v, %s): %v / %v", k, team, err, werr)
			}
			diff(t, fmt.Sprintf("TeamAgents(%v, %s)", k, team), got, want)
		}
	}
	if compared < least || learned < least {
		t.Fatalf("compared %d performances, %d learned psat figures: too few", compared, learned)
	}
	t.Logf("compared %d performances (%d learned psat figures)", compared, learned)
}

func diff(t *testing.T, where string, got, want any) {
	t.Helper()
	if d := views.ExactDiff(got, want); d != nil { // bit for bit: sums on the grid
		if len(d) > 8 {
			d = append(d[:8], fmt.Sprintf("… %d more", len(d)-8))
		}
		t.Errorf("%s differs from the reference:\n  %s", where, strings.Join(d, "\n  "))
	}
}
