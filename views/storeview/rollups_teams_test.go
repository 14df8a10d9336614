package storeview_test

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/agentpulse/agentpulse/schemas"
	"github.com/agentpulse/agentpulse/views"
	"github.com/agentpulse/agentpulse/views/reference"
	"github.com/agentpulse/agentpulse/views/storeview"
)

// rosterCorrections returns, for the first three agents of each
// simulated tenant (sorted ids), a new interaction ending a minute after
// their newest one in team "<team>-new" (a roster move: their current
// team changes), and for the second of them a correction of that
// interaction that moves it 40 hours back, into a sealed day, to the
// third agent and team "<team>-back" (a correction across teams and
// agents into a sealed day that also moves the second agent back to
// their old team).
func rosterCorrections(its []schemas.Interaction) []schemas.Interaction {
	newest := map[[2]string]schemas.Interaction{} // tenant, agent
	for _, it := range its {
		k := [2]string{it.TenantID, it.AgentID}
		if o, ok := newest[k]; !ok || views.CompareNewestFirst(&it, &o) < 0 {
			newest[k] = it
		}
	}
	u := universeOf(its)
	var out []schemas.Interaction
	for _, tenant := range slices.Sorted(func(yield func(string) bool) {
		for t := range u.agents {
			if t != "moves" && !yield(t) {
				return
			}
		}
	}) {
		agents := u.agents[tenant]
		for i, agent := range agents[:3] {
			it := newest[[2]string{tenant, agent}]
			it.InteractionID, it.Revision = "roster-"+agent, 1
			it.EndedAt, it.StartedAt = it.EndedAt.Add(time.Minute), it.StartedAt.Add(time.Minute)
			it.TeamID += "-new"
			it.HandleTimeS += 11
			out = append(out, it)
			if i != 1 {
				continue
			}
			fix := it
			fix.Revision = 2
			fix.EndedAt, fix.StartedAt = fix.EndedAt.Add(-40*time.Hour), fix.StartedAt.Add(-40*time.Hour)
			fix.AgentID = agents[2]
			fix.TeamID = newest[[2]string{tenant, agents[2]}].TeamID + "-back"
			out = append(out, fix)
		}
	}
	return out
}

// checkRosterMoves fails unless the reference sees rosterCorrections'
// four roster moves (two tenants × the first and third agent; the
// second moved back).
func checkRosterMoves(t *testing.T, ref *reference.Dataset, its []schemas.Interaction) {
	t.Helper()
	moved := 0
	for _, f := range rosterCorrections(its) {
		if team, _ := ref.TeamOf(f.TenantID, f.AgentID); team == f.TeamID {
			moved++
		}
	}
	if moved != 4 {
		t.Fatalf("%d roster moves in the reference, want 4", moved)
	}
}

// compareTeamRoutes compares, for every tenant and model and the ranges
// of specs at indexes si: every team's TeamAgents, the admin's and a
// supervisor's Wallboard, and every stride-th agent's review lists on
// each of their inquiries (AES, limit 5).
func compareTeamRoutes(t *testing.T, sv *storeview.Views, ref *reference.Dataset, its []schemas.Interaction, si []int, stride int) {
	t.Helper()
	ctx := context.Background()
	u := universeOf(its)
	inquiries := map[[3]string][]string{} // tenant, model, agent
	for _, it := range its {
		k := [3]string{it.TenantID, it.Model, it.AgentID}
		if !slices.Contains(inquiries[k], it.Inquiry) {
			inquiries[k] = append(inquiries[k], it.Inquiry)
		}
	}
	lists := 0
	for tenant, agents := range u.agents {
		for _, model := range u.models[tenant] {
			for i, spec := range specs(t, ref, tenant, model) {
				if !slices.Contains(si, i) {
					continue
				}
				step := fmt.Sprintf("%s/%s/%d", tenant, model, i)
				for _, team := range u.teams[tenant] {
					got, err := sv.TeamAgents(ctx, tenant, team, model, spec)
					want, werr := ref.TeamAgents(tenant, team, model, spec)
					if err != nil || werr != nil {
						t.Fatalf("TeamAgents: %v / %v", err, werr)
					}
					diff(t, fmt.Sprintf("TeamAgents(%s, %s, %s, %+v)", tenant, team, model, spec), got, want)
				}
				compareWallboard(t, sv, ref, its, tenant, model, u.teams[tenant], spec, step)
				if !slices.Contains(ref.ModelMetrics(tenant, model), views.MetricAES) {
					continue
				}
				for ai, agent := range agents {
					if ai%stride != 0 && tenant != "moves" {
						continue
					}
					for _, inquiry := range inquiries[[3]string{tenant, model, agent}] {
						where := fmt.Sprintf("(%s, %s, %s, %s, %+v)", tenant, agent, model, inquiry, spec)
						want, werr := ref.WorstInteractions(tenant, agent, model, inquiry, views.MetricAES, spec, 5)
						got, err := sv.WorstInteractions(ctx, tenant, agent, model, inquiry, views.MetricAES, spec, 5)
						if err != nil || werr != nil {
							t.Fatalf("WorstInteractions%s: %v / %v", where, err, werr)
						}
						diff(t, "WorstInteractions"+where, got, want)
						all, _ := ref.WorstInteractions(tenant, agent, model, inquiry, views.MetricAES, spec, 1<<30)
						got, err = sv.NewestInteractions(ctx, tenant, agent, model, inquiry, views.MetricAES, spec, 5)
						if err != nil {
							t.Fatalf("NewestInteractions%s: %v", where, err)
						}
						diff(t, "NewestInteractions"+where, got, newestFirst(all, 5))
						lists += len(want)
					}
				}
			}
		}
	}
	if lists < 50 {
		t.Fatalf("only %d review list entries compared", lists)
	}
}
