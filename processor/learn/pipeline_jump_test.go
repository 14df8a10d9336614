package learn

import (
	"context"
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/agentpulse/agentpulse/ingest"
	"github.com/agentpulse/agentpulse/outcomes"
	"github.com/agentpulse/agentpulse/processor/store/embedded"
	"github.com/agentpulse/agentpulse/schemas"
	"github.com/agentpulse/agentpulse/views"
	"github.com/agentpulse/agentpulse/views/reference"
	"github.com/agentpulse/agentpulse/views/storeview"
)

// TestPipelineJumpThenCorrections: a feed whose event time jumps far
// ahead (one record 60 days after the rest) makes the learner drop every
// bucket of the feed from memory; corrections arriving afterwards move 40
// of the feed's interactions to other agents. Each correction takes its
// interaction's cells out of the archived bucket it was in and into its
// new one, so the store equals reference.NewWithOutcomes over the final
// records (before the archive, the old buckets kept the moved cells and
// the new ones got fresh, late predictions). The learner is stopped
// between the jump and the corrections and resumes from its checkpoint
// and archive, killed while taking the corrections (no checkpoint) and
// resumed again.
func TestPipelineJumpThenCorrections(t *testing.T) {
	c := feedCenter(t, 12, 10, 17, nil)
	newest := c.its[0]
	for _, it := range c.its {
		if it.EndedAt.After(newest.EndedAt) {
			newest = it
		}
	}
	end := newest.EndedAt.Add(60 * 24 * time.Hour)
	jump := schemas.Interaction{TenantID: newest.TenantID, InteractionID: "zz-jump", Revision: 1, AgentID: sentinelAgent,
		TeamID: sentinelAgent, Model: newest.Model, Inquiry: sentinelAgent, StartedAt: end.Add(-time.Minute), EndedAt: end,
		HandleTimeS: 60, Source: newest.Source}
	c = produceMore(t, c, []schemas.Interaction{jump})

	st := embedded.New()
	stop := runProcessor(t, c.addr, st)
	defer stop()
	cfg := Config{Brokers: []string{c.addr}, Lateness: 48 * time.Hour, CheckpointRecords: 1500,
		Checkpoint: filepath.Join(t.TempDir(), "cp.json"), Store: st, Logger: slog.New(slog.DiscardHandler),
		noArchive: os.Getenv("AGENTPULSE_TEST_NO_ARCHIVE") != ""}
	if _, err := settle(t, cfg, c.total); err != nil {
		t.Fatal(err)
	}

	// Corrections: the latest revision of 40 interactions of the feed's
	// first days, moved to the next agent of the same model.
	latest := map[string]schemas.Interaction{}
	agents := map[string][]string{}
	for _, it := range c.its {
		if it.AgentID == sentinelAgent {
			continue
		}
		if l, ok := latest[it.InteractionID]; !ok || it.Revision > l.Revision {
			latest[it.InteractionID] = it
		}
		if !slices.Contains(agents[it.Model], it.AgentID) {
			agents[it.Model] = append(agents[it.Model], it.AgentID)
		}
	}
	ids := make([]string, 0, len(latest))
	for id := range latest {
		ids = append(ids, id)
	}
	slices.SortFunc(ids, func(a, b string) int { return latest[a].EndedAt.Compare(latest[b].EndedAt) })
	var fixes []schemas.Interaction
	for _, id := range ids[:40] {
		it := latest[id]
		as := agents[it.Model]
		slices.Sort(as)
		i := slices.Index(as, it.AgentID)
		it.AgentID, it.Revision = as[(i+1)%len(as)], it.Revision+1
		fixes = append(fixes, it)
	}
	c = produceMore(t, c, fixes)
	waitProcessor(t, c.addr, st)
	// Killed while taking the corrections (after their archive writes,
	// before a checkpoint), then resumed: the archive is brought back to
	// the checkpoint and the corrections are taken again.
	crash := cfg
	crash.crashAfter = 20
	if _, err := settle(t, crash, c.total); !errors.Is(err, errCrash) {
		t.Fatalf("the run with a kill: %v, want the simulated crash", err)
	}
	if _, err := settle(t, cfg, c.total); err != nil {
		t.Fatal(err)
	}
	ref := reference.NewWithOutcomes(c.its, c.outs, views.DefaultParams(), outcomes.Config{})
	compareLearnedAtLeast(t, storeview.New(st, views.DefaultParams()), ref, c.its, 15)
}

// produceMore produces interactions after c's records and adds them to c.
func produceMore(t *testing.T, c center, its []schemas.Interaction) center {
	t.Helper()
	cl, err := kgo.NewClient(kgo.SeedBrokers(c.addr), kgo.ProducerLinger(0))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	for i := range its {
		it := &its[i]
		if err := cl.ProduceSync(context.Background(), &kgo.Record{Topic: "interactions", Key: ingest.Key(it), Value: it.AppendJSON(nil)}).FirstErr(); err != nil {
			t.Fatal(err)
		}
	}
	c.its = append(c.its, its...)
	c.total += int64(len(its))
	return c
}

// TestLearnerWithoutArchiveReadsAgain: a checkpoint found without its
// cells archive (deleted, or from before archives) makes the learner read
// the log again from its start (a resume would not know the interactions
// the checkpoint dropped): it writes again, and the same parts.
func TestLearnerWithoutArchiveReadsAgain(t *testing.T) {
	c := withSentinels(t, feedCenter(t, 6, 8, 21, nil))
	cfg := Config{Brokers: []string{c.addr}, Lateness: 48 * time.Hour, CheckpointRecords: 500,
		Checkpoint: filepath.Join(t.TempDir(), "cp.bin"), Logger: slog.New(slog.DiscardHandler), Store: embedded.New()}
	if _, err := settle(t, cfg, c.total); err != nil {
		t.Fatal(err)
	}
	st := cfg.Store.(*embedded.Store)
	before := learnedParts(t, st)
	v1, _ := st.LearnedVersion(context.Background())
	if err := os.Remove(archivePath(cfg.Checkpoint)); err != nil {
		t.Fatal(err)
	}
	if _, err := settle(t, cfg, c.total); err != nil {
		t.Fatal(err)
	}
	if v, _ := st.LearnedVersion(context.Background()); v <= v1 {
		t.Fatalf("without its archive the learner did not read the log again (version %d, was %d)", v, v1)
	}
	if after := learnedParts(t, st); after != before {
		t.Fatalf("the parts differ after reading again:\n%s", firstDiff(before, after))
	}
}
