package processor

import (
	"context"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/agentpulse/agentpulse/processor/store"
	"github.com/agentpulse/agentpulse/schemas"
	"github.com/agentpulse/agentpulse/views"
	"github.com/agentpulse/agentpulse/views/reference"
)

// rosterOracle is the roster computed from the current revisions alone.
func rosterOracle(cur map[string]schemas.Interaction) map[[3]string]store.RosterPart {
	out := map[[3]string]store.RosterPart{}
	for _, it := range cur {
		k := [3]string{it.TenantID, it.AgentID, it.Model}
		p := store.RosterPart{Tenant: it.TenantID, Agent: it.AgentID, Model: it.Model, Team: it.TeamID, InteractionID: it.InteractionID, EndedAt: it.EndedAt.UTC()}
		if old, ok := out[k]; !ok || store.NewerPart(&p, &old) {
			out[k] = p
		}
	}
	return out
}

// checkRoster compares every agent's roster part in f with the oracle.
func checkRoster(t *testing.T, step string, f *fold, cur map[string]schemas.Interaction) {
	t.Helper()
	want := rosterOracle(cur)
	for k, a := range f.agents {
		got := a.rosterPart(0)
		w, ok := want[[3]string{k.tenant, k.agent, k.model}]
		if !ok {
			if !got.Empty() {
				t.Fatalf("%s: agent %v has part %+v, want none", step, k, got)
			}
			continue
		}
		if got.InteractionID != w.InteractionID || got.Team != w.Team || !got.EndedAt.Equal(w.EndedAt) {
			t.Fatalf("%s: agent %v part %s/%s/%s, want %s/%s/%s", step, k, got.InteractionID, got.Team, got.EndedAt, w.InteractionID, w.Team, w.EndedAt)
		}
		if a.roster.count != countOf(cur, k) {
			t.Fatalf("%s: agent %v count %d, want %d", step, k, a.roster.count, countOf(cur, k))
		}
	}
}

func countOf(cur map[string]schemas.Interaction, k agentKey) int {
	n := 0
	for _, it := range cur {
		if it.TenantID == k.tenant && it.AgentID == k.agent && it.Model == k.model {
			n++
		}
	}
	return n
}

// TestRosterRandomCorrections folds random interactions and corrections
// that move them across agents, models, teams and times (ties on ended_at
// included) and checks after every record that each agent's part is the
// newest current interaction, that the parts the batches carry and the
// updates' roster parts are the latest values, and that a fold loaded
// from the stored records holds the same parts.
func TestRosterRandomCorrections(t *testing.T) {
	for seed := range uint64(6) {
		rng := rand.New(rand.NewPCG(seed, 13))
		f := newFold(3)
		cur := map[string]schemas.Interaction{}
		var stored []store.Record
		lastPart := map[[3]string]store.RosterPart{}
		base := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
		for step := range 1500 {
			id := fmt.Sprintf("i%d", rng.IntN(200))
			rev := int64(1)
			if old, ok := cur[id]; ok {
				rev = old.Revision + 1 + int64(rng.IntN(2))
			}
			it := schemas.Interaction{
				TenantID: "t", InteractionID: id, Revision: rev,
				Model:   []string{"voice", "chat"}[rng.IntN(2)],
				AgentID: fmt.Sprintf("a%d", rng.IntN(4)), TeamID: fmt.Sprintf("team%d", rng.IntN(3)),
				Inquiry: "billing", HandleTimeS: 60,
				EndedAt: base.Add(time.Duration(rng.IntN(40)) * time.Minute),
			}
			if rng.IntN(5) == 0 { // an old revision or redelivery
				it.Revision = max(1, rev-1-int64(rng.IntN(2)))
			}
			ch := f.apply(&it, int64(step))
			if ch.Applied {
				cur[id] = it
				stored = append(stored, store.Record{Interaction: it, Partition: 3, Offset: int64(step)})
			}
			checkRoster(t, fmt.Sprintf("seed %d step %d", seed, step), f, cur)
			for _, a := range f.agents {
				if u := a.rosterUpdate(); u != nil && u.Version != int64(step) {
					t.Fatalf("seed %d step %d: update version %d", seed, step, u.Version)
				}
			}
			if step%97 == 0 {
				for _, p := range f.takeBatch(int64(step + 1)).Roster {
					lastPart[[3]string{p.Tenant, p.Agent, p.Model}] = p
				}
			}
		}
		for _, p := range f.takeBatch(9999).Roster {
			lastPart[[3]string{p.Tenant, p.Agent, p.Model}] = p
		}
		for k, a := range f.agents {
			got, want := lastPart[[3]string{k.tenant, k.agent, k.model}], a.rosterPart(3)
			if want.Empty() && got.Tenant == "" {
				continue
			}
			if got != want {
				t.Fatalf("seed %d: stored part %+v, fold %+v", seed, got, want)
			}
		}
		// A fold restored from the newest stored revisions.
		g := newFold(3)
		newestRev := map[string]store.Record{}
		for _, r := range stored {
			if o, ok := newestRev[r.InteractionID]; !ok || r.Revision > o.Revision {
				newestRev[r.InteractionID] = r
			}
		}
		for _, r := range newestRev {
			g.load(r)
		}
		checkRoster(t, fmt.Sprintf("seed %d loaded", seed), g, cur)
		if len(g.takeBatch(1).Roster) == 0 {
			t.Fatalf("seed %d: the first batch after a load stores no roster part", seed)
		}
		if f.rosterRecoveries == 0 {
			t.Errorf("seed %d: no recovery exercised", seed)
		}
	}
}

// checkStoredRoster compares the roster the store keeps (the newest of
// every agent's parts per model) with the newest current interaction of
// every agent and model in its: what a server's roster lookups answer.
func checkStoredRoster(t *testing.T, st store.RosterReader, its []schemas.Interaction) {
	t.Helper()
	cur := map[string]schemas.Interaction{}
	tenants := map[string]bool{}
	for _, it := range its {
		k := it.TenantID + "\x00" + it.InteractionID
		if old, ok := cur[k]; !ok || it.Revision > old.Revision {
			cur[k] = it
		}
		tenants[it.TenantID] = true
	}
	want := rosterOracle(cur)
	got := map[[3]string]store.RosterPart{}
	for tenant := range tenants {
		err := st.Roster(context.Background(), tenant, "", func(p store.RosterPart) error {
			k := [3]string{p.Tenant, p.Agent, p.Model}
			if old, ok := got[k]; !ok || store.NewerPart(&p, &old) {
				got[k] = p
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	for k, w := range want {
		g := got[k]
		if g.InteractionID != w.InteractionID || g.Team != w.Team || !g.EndedAt.Equal(w.EndedAt) {
			t.Errorf("stored roster of %v: %s/%s/%s, want %s/%s/%s", k, g.InteractionID, g.Team, g.EndedAt, w.InteractionID, w.Team, w.EndedAt)
		}
	}
	for k, g := range got {
		if _, ok := want[k]; !ok && !g.Empty() {
			t.Errorf("stored roster of %v names %s, but the agent has no interaction in the model", k, g.InteractionID)
		}
	}
}

// checkRosterAgainstReference checks the roster the store holds: for
// every agent of its, the newest of their parts names the reference's
// current team (TeamOf), and the models with a part are the tenant's.
func checkRosterAgainstReference(t *testing.T, st store.Reader, its []schemas.Interaction) {
	t.Helper()
	rr, ok := st.(store.RosterReader)
	if !ok {
		t.Fatal("the store keeps no roster")
	}
	ds := reference.New(its, views.DefaultParams())
	agents := map[[2]string]bool{}
	for _, it := range its {
		agents[[2]string{it.TenantID, it.AgentID}] = true
	}
	bad := 0
	for k := range agents {
		var newest store.RosterPart
		err := rr.Roster(context.Background(), k[0], k[1], func(p store.RosterPart) error {
			if store.NewerPart(&p, &newest) {
				newest = p
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		want, wantOK := ds.TeamOf(k[0], k[1])
		if got, gotOK := newest.Team, !newest.Empty(); got != want || gotOK != wantOK {
			if bad++; bad <= 5 {
				t.Errorf("roster: agent %v team %q (%v), reference %q (%v)", k, got, gotOK, want, wantOK)
			}
		}
	}
}
