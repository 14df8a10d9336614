package processor

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/agentpulse/agentpulse/ingest/simulator"
	"github.com/agentpulse/agentpulse/outcomes"
	"github.com/agentpulse/agentpulse/processor/store"
	"github.com/agentpulse/agentpulse/schemas"
	"github.com/agentpulse/agentpulse/views"
	"github.com/agentpulse/agentpulse/views/reference"
)

// crashSentinel is the agent, team, inquiry and model of the records that
// close a learned feed (left out of the learned comparison: the learner
// never seals their own day, the reference predicts it).
const crashSentinel = "zz-sentinel"

// learnedFeed is simulated's feed (two tenants, duplicates, revisions and
// late records) with its survey outcomes sorted by observed_at; the second
// tenant's records carry no predictions (learned), the first's do (used
// as given). It ends with one record per tenant 15 days after the
// tenant's newest, in a model of its own, so that the learner seals every
// day of the feed without moving the feed models' latest data.
func learnedFeed(t testing.TB, agents, days int) ([]schemas.Interaction, []schemas.Outcome) {
	t.Helper()
	cfg := simulator.DefaultConfig(time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC))
	cfg.Agents, cfg.Days, cfg.Tenants, cfg.Seed = agents, days, 2, 7
	cfg.DuplicateRate, cfg.RevisionRate, cfg.LateRate = 0.05, 0.05, 0.05
	g, err := simulator.New(cfg, 2)
	if err != nil {
		t.Fatal(err)
	}
	learned := g.Tenants()[1].ID
	var its []schemas.Interaction
	var outs []schemas.Outcome
	if _, err := g.Run(context.Background(), func(b simulator.Batch) error {
		for _, it := range b.Records {
			if it.TenantID == learned {
				it.PredictedSatisfaction, it.PredictedResolution = nil, nil
			}
			its = append(its, it)
		}
		outs = append(outs, b.Outcomes...)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	slices.SortStableFunc(outs, func(a, b schemas.Outcome) int { return a.ObservedAt.Compare(b.ObservedAt) })
	newest := map[string]schemas.Interaction{}
	for _, it := range its {
		if n, ok := newest[it.TenantID]; !ok || it.EndedAt.After(n.EndedAt) {
			newest[it.TenantID] = it
		}
	}
	tenants := make([]string, 0, len(newest))
	for tenant := range newest {
		tenants = append(tenants, tenant)
	}
	slices.Sort(tenants)
	for _, tenant := range tenants {
		n := newest[tenant]
		end := n.EndedAt.Add(15 * 24 * time.Hour)
		its = append(its, schemas.Interaction{TenantID: tenant, InteractionID: crashSentinel, Revision: 1,
			AgentID: crashSentinel, TeamID: crashSentinel, Model: crashSentinel, Inquiry: crashSentinel,
			StartedAt: end.Add(-time.Minute), EndedAt: end, HandleTimeS: 60, Source: n.Source})
	}
	return its, outs
}

// produceOutcomes writes outcomes to the outcomes topic keyed as ingest
// keys them.
func produceOutcomes(t testing.TB, addr string, outs []schemas.Outcome) {
	t.Helper()
	if len(outs) == 0 {
		return
	}
	cl, err := kgo.NewClient(kgo.SeedBrokers(addr), kgo.DefaultProduceTopic("outcomes"))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	recs := make([]*kgo.Record, len(outs))
	for i := range outs {
		recs[i] = &kgo.Record{Key: schemas.OutcomeKey(&outs[i]), Value: outs[i].AppendJSON(nil)}
	}
	if err := cl.ProduceSync(context.Background(), recs...).FirstErr(); err != nil {
		t.Fatal(err)
	}
}

// checkLearnedAgainstReference waits up to limit until the learner's
// parts in st (partition -1) hold, bucket by bucket, exactly the learned
// cells reference.NewWithOutcomes gives the interactions of that bucket
// (the closing records' own bucket left out), then fails with the
// differences if they never do.
func checkLearnedAgainstReference(t *testing.T, st store.Reader, its []schemas.Interaction, outs []schemas.Outcome, limit time.Duration) {
	t.Helper()
	ref := reference.NewWithOutcomes(its, outs, views.DefaultParams(), outcomes.Config{})
	type cells struct{ sat, res outcomes.Cell }
	want := map[store.BucketKey]cells{}
	withSat := 0
	ref.EachLearned(func(it schemas.Interaction, sat, res outcomes.Cell) {
		if it.AgentID == crashSentinel {
			return
		}
		k := BucketKeyOf(&it)
		c := want[k]
		c.sat.Merge(sat)
		c.res.Merge(res)
		want[k] = c
		if sat.N > 0 {
			withSat++
		}
	})
	if len(want) < 50 || withSat == 0 {
		t.Fatalf("the reference learns cells in only %d buckets (%d interactions with a learned satisfaction): vacuous", len(want), withSat)
	}
	models := map[[2]string]bool{}
	for _, it := range ref.Records() {
		models[[2]string{it.TenantID, it.Model}] = true
	}
	var diffs []string
	compare := func() bool {
		got := map[store.BucketKey]cells{}
		for tm := range models {
			q := store.BucketQuery{Tenant: tm[0], Model: tm[1], From: time.Unix(0, 0), To: time.Date(2100, 1, 1, 0, 0, 0, 0, time.UTC)}
			if err := st.Buckets(context.Background(), q, func(b store.Bucket) error {
				if b.Partition == store.LearnedPartition && b.Agent != crashSentinel && (b.Lsat.N > 0 || b.Lres.N > 0) {
					got[b.BucketKey] = cells{b.Lsat, b.Lres}
				}
				return nil
			}); err != nil {
				t.Fatal(err)
			}
		}
		diffs = diffs[:0]
		for k, w := range want {
			if g, ok := got[k]; !ok || g != w {
				diffs = append(diffs, fmt.Sprintf("bucket %+v: store %+v, reference %+v", k, got[k], w))
			}
		}
		for k, g := range got {
			if _, ok := want[k]; !ok {
				diffs = append(diffs, fmt.Sprintf("bucket %+v: store %+v, reference none", k, g))
			}
		}
		return len(diffs) == 0
	}
	began := time.Now()
	for !compare() {
		if time.Since(began) > limit {
			slices.Sort(diffs)
			t.Fatalf("the learned parts never equalled reference.NewWithOutcomes in %s: %d buckets differ of %d:\n%s",
				limit, len(diffs), len(want), strings.Join(diffs[:min(len(diffs), 8)], "\n"))
		}
		time.Sleep(200 * time.Millisecond)
	}
	t.Logf("learned parts of %d buckets (%d interactions with a learned satisfaction) equal reference.NewWithOutcomes, %s after the processor caught up",
		len(want), withSat, time.Since(began).Round(time.Millisecond))
}
