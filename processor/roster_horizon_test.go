package processor

import (
	"sort"
	"testing"
	"time"

	"github.com/agentpulse/agentpulse/processor/store/embedded"
	"github.com/agentpulse/agentpulse/schemas"
)

// moveNewest returns corrections that move every interaction of the
// busiest agent of each (tenant, model) that ended in the last keep of
// the feed to another agent and team, newest first: more than rosterTop
// of them, so that the agent's kept newest run out and the roster must
// find the next newest among interactions that left memory.
func moveNewest(its []schemas.Interaction, keep time.Duration, rev int64) []schemas.Interaction {
	cur := map[string]schemas.Interaction{}
	var end time.Time
	for _, it := range its {
		k := it.TenantID + "\x00" + it.InteractionID
		if old, ok := cur[k]; !ok || it.Revision > old.Revision {
			cur[k] = it
		}
		if it.EndedAt.After(end) {
			end = it.EndedAt
		}
	}
	type am struct{ tenant, model, agent string }
	volume := map[am]int{}
	for _, it := range cur {
		volume[am{it.TenantID, it.Model, it.AgentID}]++
	}
	busiest := map[[2]string]am{}
	for k, n := range volume {
		b, ok := busiest[[2]string{k.tenant, k.model}]
		if !ok || n > volume[b] || (n == volume[b] && k.agent < b.agent) {
			busiest[[2]string{k.tenant, k.model}] = k
		}
	}
	var out []schemas.Interaction
	for _, it := range cur {
		b := busiest[[2]string{it.TenantID, it.Model}]
		if it.AgentID != b.agent || it.EndedAt.Before(end.Add(-keep)) {
			continue
		}
		it.Revision = max(it.Revision, rev) + 1
		it.AgentID, it.TeamID = "moved-"+it.AgentID, "team-moved"
		out = append(out, it)
	}
	sort.Slice(out, func(i, j int) bool {
		if !out[i].EndedAt.Equal(out[j].EndedAt) {
			return out[i].EndedAt.After(out[j].EndedAt)
		}
		return out[i].InteractionID > out[j].InteractionID
	})
	return out
}

// TestRosterRecoversFromStore folds ten days with a one-day horizon, then
// moves the busiest agents' interactions of the last two days away:
// each agent's newest left in the partition is one that left memory, so
// the roster reads it from the store. The stored roster must name every
// agent's newest current interaction, before and after a restart from the
// snapshot (whose roster parts carry on).
func TestRosterRecoversFromStore(t *testing.T) {
	its := simulated(t, 6, 10)
	addr := startBroker(t)
	st := embedded.New()
	cfg := Config{StateHorizon: 24 * time.Hour, SnapshotInterval: 100 * time.Millisecond}
	reg, stop := runConfigured(t, addr, st, "roster-horizon", cfg)
	produce(t, addr, its)
	waitCaughtUp(t, st, endOffsets(t, addr), 60*time.Second)
	waitCounter(t, reg, "agentpulse_processor_evicted_interactions_total")
	fix := moveNewest(its, 48*time.Hour, 100)
	if len(fix) < 2*rosterTop {
		t.Fatalf("only %d interactions to move", len(fix))
	}
	its = append(its, fix...)
	produce(t, addr, fix)
	waitCaughtUp(t, st, endOffsets(t, addr), 60*time.Second)
	checkAgainstReference(t, st, its)
	checkStoredRoster(t, st, its)
	stop()

	_, stop = runConfigured(t, addr, st, "roster-horizon", cfg)
	defer stop()
	fix = moveNewest(its, 5*24*time.Hour, 1000)
	its = append(its, fix...)
	produce(t, addr, fix)
	waitCaughtUp(t, st, endOffsets(t, addr), 60*time.Second)
	checkAgainstReference(t, st, its)
	checkStoredRoster(t, st, its)
}
