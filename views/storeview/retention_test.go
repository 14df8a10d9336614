package storeview_test

import (
	"context"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/agentpulse/agentpulse/processor/store"
	"github.com/agentpulse/agentpulse/processor/store/embedded"
	"github.com/agentpulse/agentpulse/schemas"
	"github.com/agentpulse/agentpulse/views"
	"github.com/agentpulse/agentpulse/views/reference"
	"github.com/agentpulse/agentpulse/views/storeview"
)

// retainedOf is what a retention with cutoff cut keeps of its: the
// revisions, ended at or after cut, of the interactions whose current
// revision ended at or after cut (store.Retainer).
func retainedOf(its []schemas.Interaction, cut time.Time) []schemas.Interaction {
	current := map[[2]string]schemas.Interaction{}
	for _, it := range its {
		k := [2]string{it.TenantID, it.InteractionID}
		if old, ok := current[k]; !ok || it.Revision > old.Revision {
			current[k] = it
		}
	}
	var out []schemas.Interaction
	for _, it := range its {
		if !current[[2]string{it.TenantID, it.InteractionID}].EndedAt.Before(cut) && !it.EndedAt.Before(cut) {
			out = append(out, it)
		}
	}
	return out
}

// erasedOf is its with customer_key blanked where it is key, in tenant.
func erasedOf(its []schemas.Interaction, tenant, key string) []schemas.Interaction {
	out := slices.Clone(its)
	for i := range out {
		if out[i].TenantID == tenant && out[i].CustomerKey == key {
			out[i].CustomerKey = ""
		}
	}
	return out
}

// TestRetentionAndErasureEqualReference stores a simulated feed of 33
// days (Sep 29 .. Oct 31) with corrections moving interactions 30 hours
// back (some across the cutoff), seals rollups, and applies a retention
// whose cutoff (Oct 11) is neither a month's nor a run's start: every
// answer of storeview then equals the reference's over the records that
// remain, before and after the compactor reseals the straddling runs and
// October; a second pass removes nothing. Then one customer's key is
// erased: the reference over the records with the key blanked (figures
// unchanged, the key gone from every interaction answered). Both stores;
// on ClickHouse September's partitions are dropped whole.
// erasureKey is the tenant key customer erasures are matched with.
var erasureKey = []byte("erasure-key-erasure-key-32-bytes")

func TestRetentionAndErasureEqualReference(t *testing.T) {
	its := simulated(t, 8, 33)
	all := append(slices.Clone(its), corrections(its)...)
	cut := time.Date(2026, 10, 11, 0, 0, 0, 0, time.UTC)
	kept := retainedOf(all, cut)
	if len(kept) == len(all) || len(kept) == 0 {
		t.Fatalf("the cutoff keeps %d of %d records", len(kept), len(all))
	}
	params := views.Params{MinVolume: 3}
	cases := []struct {
		name  string
		open  func(t *testing.T) store.Store
		scope scope
	}{
		{"embedded", func(*testing.T) store.Store { return embedded.New() }, scope{specs: []int{0, 4}, agentStride: 3}},
		{"clickhouse", func(t *testing.T) store.Store { return openClickHouse(t) }, scope{specs: []int{0, 4}, agentStride: 4}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ctx := context.Background()
			t0 := time.Now()
			step := func(what string) { t.Logf("%v %s", time.Since(t0).Round(time.Millisecond), what) }
			defer step("end")
			st := c.open(t)
			ret := st.(store.Retainer)
			comp := st.(store.Compactor)
			fill(t, st, all)
			if _, err := comp.Compact(ctx, 0); err != nil {
				t.Fatal(err)
			}
			tenants, err := ret.RetentionTenants(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(tenants, universeOf(all).tenants()) {
				t.Fatalf("RetentionTenants = %v, want %v", tenants, universeOf(all).tenants())
			}
			cutoffs := map[string]time.Time{}
			for _, tn := range tenants {
				cutoffs[tn] = cut
			}
			step("filled")
			stats, err := ret.Retain(ctx, cutoffs)
			step("retained")
			if err != nil {
				t.Fatal(err)
			}
			var sum store.RetainStats
			for _, s := range stats {
				sum.Add(s)
			}
			if sum.Interactions == 0 || sum.Buckets == 0 || sum.Revisions < sum.Interactions {
				t.Fatalf("Retain removed %+v", sum)
			}
			ref := reference.New(kept, params)
			compareAll(t, storeview.New(st, params), ref, kept, c.scope)
			step("compared")
			if _, err := comp.Compact(ctx, 0); err != nil {
				t.Fatal(err)
			}
			// Resealed: the range figures (the only ones rollups serve).
			ranges := scope{specs: []int{0, 4}, agentStride: c.scope.agentStride, rangesOnly: true}
			compareAll(t, storeview.New(st, params), ref, kept, ranges)
			again, err := ret.Retain(ctx, cutoffs)
			if err != nil {
				t.Fatal(err)
			}
			for tn, s := range again {
				if s != (store.RetainStats{}) {
					t.Errorf("second pass removed %+v of %s", s, tn)
				}
			}

			// Erase the customer with the most interactions in the kept records.
			counts := map[[2]string]int{} // distinct revisions per customer
			var top [2]string
			seen := map[string]bool{}
			for _, it := range kept {
				rk := it.TenantID + "/" + it.InteractionID + "/" + strconv.FormatInt(it.Revision, 10)
				if it.CustomerKey == "" || seen[rk] {
					continue
				}
				seen[rk] = true
				k := [2]string{it.TenantID, it.CustomerKey}
				counts[k]++
				if counts[k] > counts[top] {
					top = k
				}
			}
			if counts[top] < 2 {
				t.Fatalf("no customer with 2 interactions (top %v: %d)", top, counts[top])
			}
			step("second pass")
			n, err := ret.EraseCustomer(ctx, top[0], store.SubjectMatch{Key: erasureKey, Hash: store.SubjectHash(erasureKey, top[1])})
			if err != nil {
				t.Fatal(err)
			}
			if n < int64(counts[top]) {
				t.Errorf("EraseCustomer changed %d revisions, want at least %d", n, counts[top])
			}
			step("customer erased")
			erased := erasedOf(kept, top[0], top[1])
			light := scope{specs: []int{0}, agentStride: max(1, c.scope.agentStride/2)}
			compareAll(t, storeview.New(st, params), reference.New(erased, params), erased, light)
			if n, err := ret.EraseCustomer(ctx, top[0], store.SubjectMatch{Key: erasureKey, Hash: store.SubjectHash(erasureKey, top[1])}); err != nil || n != 0 {
				t.Errorf("second erasure: %d, %v; want 0", n, err)
			}

			// Pseudonymise an agent: every figure is the reference's over
			// the records with the agent renamed (the team's and the
			// model's unchanged, the agent's under the pseudonym).
			agent := universeOf(erased).agents[top[0]][1]
			agents, err := ret.RetentionAgents(ctx, top[0])
			if err != nil || !slices.Contains(agents, agent) {
				t.Fatalf("RetentionAgents(%s) = %v, %v; want %s in it", top[0], agents, err, agent)
			}
			step("compared")
			got, err := ret.EraseAgent(ctx, top[0], agent, "erased-x1")
			step("agent erased")
			if err != nil {
				t.Fatal(err)
			}
			if got.Revisions == 0 || got.Buckets == 0 || got.Roster == 0 {
				t.Fatalf("EraseAgent changed %+v", got)
			}
			renamed := slices.Clone(erased)
			for i := range renamed {
				if renamed[i].TenantID == top[0] && renamed[i].AgentID == agent {
					renamed[i].AgentID = "erased-x1"
				}
			}
			rref, sv := reference.New(renamed, params), storeview.New(st, params)
			compareAll(t, sv, rref, renamed, light)
			// The pseudonym and the erased id, whatever the stride picks.
			for _, a := range []string{"erased-x1", agent} {
				got, err := sv.Models(ctx, top[0], a)
				if err != nil {
					t.Fatal(err)
				}
				diff(t, "Models of "+a, got, rref.Models(top[0], a))
				team, ok, err := sv.TeamOf(ctx, top[0], a)
				wantTeam, wantOK := rref.TeamOf(top[0], a)
				if err != nil || team != wantTeam || ok != wantOK {
					t.Errorf("TeamOf(%s) = %q, %v, %v; want %q, %v", a, team, ok, err, wantTeam, wantOK)
				}
				for _, m := range rref.Models(top[0], a) {
					got, err := sv.AgentPerformance(ctx, top[0], a, m.Model, views.RangeSpec{}, views.SortSpec{})
					want, werr := rref.AgentPerformance(top[0], a, m.Model, views.RangeSpec{}, views.SortSpec{})
					if err != nil || werr != nil {
						t.Fatalf("AgentPerformance(%s): %v / %v", a, err, werr)
					}
					diff(t, "AgentPerformance of "+a, got, want)
				}
			}
			if len(rref.Models(top[0], "erased-x1")) == 0 || len(rref.Models(top[0], agent)) != 0 {
				t.Fatalf("the reference: pseudonym models %v, erased id models %v", rref.Models(top[0], "erased-x1"), rref.Models(top[0], agent))
			}
			if again, err := ret.EraseAgent(ctx, top[0], agent, "erased-x1"); err != nil || again != (store.AgentErased{}) {
				t.Errorf("second EraseAgent: %+v, %v; want nothing", again, err)
			}
		})
	}
}

func (u universe) tenants() []string {
	var out []string
	for tn := range u.models {
		out = append(out, tn)
	}
	slices.Sort(out)
	return out
}
