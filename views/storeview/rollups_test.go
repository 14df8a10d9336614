package storeview_test

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/agentpulse/agentpulse/processor/store"
	"github.com/agentpulse/agentpulse/processor/store/embedded"
	"github.com/agentpulse/agentpulse/processor/store/storetest"
	"github.com/agentpulse/agentpulse/schemas"
	"github.com/agentpulse/agentpulse/views"
	"github.com/agentpulse/agentpulse/views/reference"
	"github.com/agentpulse/agentpulse/views/storeview"
)

// corrections returns later revisions of every 40th interaction of its
// that move it into an older day (30 hours back), to another agent, team
// and inquiry of the same tenant, plus late interactions in old days: once
// the feed before them is sealed into rollups, each touches a sealed day.
func corrections(its []schemas.Interaction) []schemas.Interaction {
	newest := map[[2]string]schemas.Interaction{}
	var order [][2]string
	for _, it := range its {
		k := [2]string{it.TenantID, it.InteractionID}
		old, ok := newest[k]
		if !ok {
			order = append(order, k)
		}
		if !ok || it.Revision > old.Revision {
			newest[k] = it
		}
	}
	var out []schemas.Interaction
	for i, k := range order {
		if i%40 != 7 {
			continue
		}
		it := newest[k]
		donor := newest[order[(i+13)%len(order)]] // another agent's identity
		if donor.TenantID != it.TenantID {
			continue
		}
		it.Revision++
		it.EndedAt = it.EndedAt.Add(-30 * time.Hour)
		it.StartedAt = it.StartedAt.Add(-30 * time.Hour)
		it.AgentID, it.TeamID, it.Inquiry = donor.AgentID, donor.TeamID+"-moved", donor.Inquiry
		it.HandleTimeS += 17
		out = append(out, it)
		late := donor
		late.InteractionID = "late-" + donor.InteractionID
		late.Revision = 1
		late.EndedAt = late.EndedAt.Add(-50 * time.Hour)
		late.StartedAt = late.StartedAt.Add(-50 * time.Hour)
		out = append(out, late)
	}
	return out
}

// TestStoreViewsWithRollupsEqualReference seals a simulated feed of 33
// days (a whole month and ragged days either side) into rollups, then
// stores corrections that touch the sealed days (across agents, teams
// and inquiries, late interactions, and roster moves: rosterCorrections),
// and compares storeview's answers (presets, the custom range with ragged
// ends, plan Start, and compareTeamRoutes: team agents, the admin's and a
// supervisor's wallboard, the review lists) with the reference's: while
// the touched days are stale, and after the compactor redoes them. Both
// stores, uncached and cached views.
func TestStoreViewsWithRollupsEqualReference(t *testing.T) {
	its := simulated(t, 12, 33) // Sep 29 .. Oct 31: October whole
	fixes := append(corrections(its), rosterCorrections(its)...)
	all := append(slices.Clone(its), fixes...)
	params := views.Params{MinVolume: 3}
	ref := reference.New(all, params)
	checkRosterMoves(t, ref, its)
	// ClickHouse, where each call is several round trips, answers fewer
	// ranges and agents, and only the range figures (AgentPerformance;
	// TestStoreViewsEqualReference checks the rest), to keep the test
	// within seconds.
	cases := []struct {
		name                 string
		open                 func(t *testing.T) store.Store
		stale, redone, cache scope
		inquiries            int // per model in compareStarts
		// compareTeamRoutes' ranges (uncached and cached views) and
		// review-list agent stride.
		teamSpecs, cachedTeamSpecs []int
		reviewStride               int
	}{
		{"embedded", func(*testing.T) store.Store { return embedded.New() },
			scope{specs: []int{0, 4}, agentStride: 2}, scope{specs: []int{0, 1, 2, 3, 4}, agentStride: 2},
			scope{specs: []int{0, 2}, agentStride: 2, cache: true}, 100,
			[]int{0, 3, 4}, []int{0, 1, 3}, 1},
		{"clickhouse", func(t *testing.T) store.Store { return openClickHouse(t) },
			scope{specs: []int{0, 4}, agentStride: 6, rangesOnly: true}, scope{specs: []int{0, 4}, agentStride: 6, rangesOnly: true},
			scope{specs: []int{0}, agentStride: 12, cache: true, rangesOnly: true}, 3,
			[]int{4}, []int{0}, 6},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			st := c.open(t)
			compact := sealThenCorrect(t, st, all, fixes)
			t.Run("stale", func(t *testing.T) {
				sv := storeview.New(st, params)
				compareAll(t, sv, ref, all, c.stale)
				compareStarts(t, sv, ref, all, c.stale.agentStride, c.inquiries)
				compareTeamRoutes(t, sv, ref, all, c.teamSpecs, c.reviewStride)
				cached := storeview.New(st, params, storeview.WithCache(storeview.CacheConfig{HotHours: 2}))
				compareTeamRoutes(t, cached, ref, all, c.cachedTeamSpecs, c.reviewStride*3)
			})
			if s := compact(); s.Days == 0 || s.Months == 0 {
				t.Fatalf("redo after corrections: %+v, want days and a month", s)
			}
			t.Run("redone", func(t *testing.T) {
				sv := storeview.New(st, params)
				compareAll(t, sv, ref, all, c.redone)
				compareStarts(t, sv, ref, all, c.redone.agentStride, c.inquiries)
				cached := storeview.New(st, params, storeview.WithCache(storeview.CacheConfig{HotHours: 2}))
				compareAll(t, cached, ref, all, c.cache)
				compareTeamRoutes(t, sv, ref, all, c.teamSpecs, c.reviewStride)
				compareTeamRoutes(t, cached, ref, all, c.cachedTeamSpecs, c.reviewStride*3)
			})
		})
	}
}

// compareStarts compares a coaching plan's Start (AgentInquirySums over
// views.StartWindow) with the reference's, for plans created at an
// unaligned instant three days before each model's latest data (a window
// with ragged ends) and at the latest data, on the first maxInquiries
// inquiries of each model and one it lacks.
func compareStarts(t *testing.T, sv *storeview.Views, ref *reference.Dataset, its []schemas.Interaction, stride, maxInquiries int) {
	ctx := context.Background()
	u := universeOf(its)
	inquiries := map[[2]string][]string{} // (tenant, model) → inquiries
	for _, it := range its {
		k := [2]string{it.TenantID, it.Model}
		if !slices.Contains(inquiries[k], it.Inquiry) {
			inquiries[k] = append(inquiries[k], it.Inquiry)
		}
	}
	checked := 0
	for tenant, agents := range u.agents {
		for _, model := range u.models[tenant] {
			latest, err := ref.LatestData(tenant, model)
			if err != nil {
				t.Fatal(err)
			}
			for ai, agent := range agents {
				if ai%stride != 0 && tenant != "moves" {
					continue
				}
				for _, created := range []time.Time{latest.Add(-72*time.Hour + 17*time.Minute), latest} {
					for _, inquiry := range append(slices.Clone(inquiries[[2]string{tenant, model}][:min(maxInquiries, len(inquiries[[2]string{tenant, model}]))]), "nosuch") {
						sums, err := sv.AgentInquirySums(ctx, tenant, model, agent, inquiry, views.StartWindow(created))
						if err != nil {
							t.Fatal(err)
						}
						for _, m := range []views.Metric{views.MetricAES, views.MetricAHT} {
							got, gok := sums.Value(m, params(ref).Floor)
							want, wok := ref.StartValue(tenant, agent, model, inquiry, m, created)
							if gok != wok || got != want {
								t.Errorf("Start(%s, %s, %s, %s, %s, %v) = %v, %v; want %v, %v", tenant, agent, model, inquiry, m, created, got, gok, want, wok)
							}
							if wok {
								checked++
							}
						}
					}
				}
			}
		}
	}
	if checked < 10 {
		t.Fatalf("only %d Start values compared", checked)
	}
}

func params(ref *reference.Dataset) views.Params { return ref.Params() }

// sealThenCorrect stores the batches of all before the first one holding
// a revision of fixes, seals them (every day and month: lateness 0), then
// stores the rest, so that every fix touches sealed days. It returns the
// compactor's pass, for the redo.
func sealThenCorrect(t *testing.T, st store.Store, all, fixes []schemas.Interaction) func() store.CompactStats {
	t.Helper()
	ctx := context.Background()
	comp, ok := st.(store.Compactor)
	if !ok {
		t.Fatal("not a store.Compactor")
	}
	compact := func() store.CompactStats {
		t.Helper()
		s, err := comp.Compact(ctx, 0)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	batches := storetest.Batches(all, 4, 2000)
	fixed := map[string]bool{}
	for _, f := range fixes {
		fixed[f.TenantID+"/"+f.InteractionID+fmt.Sprint(f.Revision)] = true
	}
	rest := 0
	for i, b := range batches {
		if slices.ContainsFunc(b.Records, func(r store.Record) bool {
			return fixed[r.TenantID+"/"+r.InteractionID+fmt.Sprint(r.Revision)]
		}) {
			break
		}
		rest = i + 1
	}
	for _, b := range batches[:rest] {
		if err := st.Apply(ctx, b); err != nil {
			t.Fatal(err)
		}
	}
	if s := compact(); s.Days < 30 || s.Months < 1 {
		t.Fatalf("first seal: %+v, want at least 30 days and a month", s)
	}
	for _, b := range batches[rest:] {
		if err := st.Apply(ctx, b); err != nil {
			t.Fatal(err)
		}
	}
	return compact
}
