package storeview_test

import (
	"context"
	"fmt"
	"slices"
	"testing"

	"github.com/agentpulse/agentpulse/processor/store"
	"github.com/agentpulse/agentpulse/processor/store/embedded"
	"github.com/agentpulse/agentpulse/views"
	"github.com/agentpulse/agentpulse/views/reference"
	"github.com/agentpulse/agentpulse/views/storeview"
)

// TestTrendEqualsReference: every agent's standing (label, rank, share
// of worse agents) and every point of every agent's daily and weekly
// trend (the whole model and one inquiry) and of every team's series
// equals the reference's, on the embedded store and on ClickHouse, over
// the default range and an unaligned custom one.
func TestTrendEqualsReference(t *testing.T) {
	its := simulated(t, 12, 10)
	params := views.Params{MinVolume: 3}
	ref := reference.New(its, params)
	for _, c := range []struct {
		name   string
		open   func(t *testing.T) store.Store
		stride int
		specs  []int // indexes of specs(): ClickHouse, a round trip per call, the custom range only
	}{
		{"embedded", func(*testing.T) store.Store { return embedded.New() }, 1, []int{0, 4}},
		{"clickhouse", func(t *testing.T) store.Store { return openClickHouse(t) }, 6, []int{4}},
	} {
		t.Run(c.name, func(t *testing.T) {
			st := c.open(t)
			fill(t, st, its)
			sv := storeview.New(st, params)
			ctx := context.Background()
			u := universeOf(its)
			points := 0
			for tenant, agents := range u.agents {
				for _, model := range u.models[tenant] {
					for si, spec := range specs(t, ref, tenant, model) {
						if !slices.Contains(c.specs, si) {
							continue
						}
						for _, step := range []views.TrendStep{views.TrendDay, views.TrendWeek} {
							for _, team := range u.teams[tenant] {
								got, err := sv.TeamTrend(ctx, tenant, team, model, spec, step)
								want, werr := ref.TeamTrend(tenant, team, model, spec, step)
								if err != nil || werr != nil {
									t.Fatalf("TeamTrend: %v / %v", err, werr)
								}
								diff(t, fmt.Sprintf("TeamTrend(%s, %s, %s, %+v, %s)", tenant, team, model, spec, step), got, want)
							}
							for ai, agent := range agents {
								if ai%c.stride != 0 && tenant != "moves" {
									continue
								}
								if step == views.TrendWeek {
									got, err := sv.Standing(ctx, tenant, agent, model, spec)
									want, werr := ref.Standing(tenant, agent, model, spec)
									if err != nil || werr != nil {
										t.Fatalf("Standing: %v / %v", err, werr)
									}
									diff(t, fmt.Sprintf("Standing(%s, %s, %s, %+v)", tenant, agent, model, spec), got, want)
								}
								for _, inquiry := range []string{"", its[0].Inquiry} {
									got, err := sv.Trend(ctx, tenant, agent, model, inquiry, spec, step)
									want, werr := ref.Trend(tenant, agent, model, inquiry, spec, step)
									if err != nil || werr != nil {
										t.Fatalf("Trend: %v / %v", err, werr)
									}
									diff(t, fmt.Sprintf("Trend(%s, %s, %s, %q, %+v, %s)", tenant, agent, model, inquiry, spec, step), got, want)
									points += len(want.Points)
								}
							}
						}
					}
				}
			}
			if points < 100 {
				t.Fatalf("only %d points compared", points)
			}
			t.Logf("%d trend points compared", points)
		})
	}
}
