package storeview_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"sync"
	"testing"
	"time"

	"github.com/agentpulse/agentpulse/views"
	"github.com/agentpulse/agentpulse/views/storeview"
)

// benchTeamRoutes measures, on warm views, the team agents route (a
// random team of 10 agents), the wallboard (admin: every team; a
// supervisor: two teams) and the models route (a random agent), each for
// the 3m and 24h presets where they take a range, and the team route
// beside a loop of admin wallboards.
func benchTeamRoutes(b *testing.B, sv *storeview.Views, agents int) {
	ctx := context.Background()
	teams := (agents + 9) / 10
	team := func(i int) string { return fmt.Sprintf("team-%04d", i) }
	for _, p := range []views.Preset{views.Preset3M, views.Preset24H} {
		spec := views.RangeSpec{Preset: p}
		b.Run("team/"+string(p), func(b *testing.B) {
			rng := rand.New(rand.NewPCG(5, 6))
			var lat []time.Duration
			for b.Loop() {
				t0 := time.Now()
				as, err := sv.TeamAgents(ctx, benchTenant, team(rng.IntN(teams)), benchModel, spec)
				if err != nil {
					b.Fatal(err)
				}
				lat = append(lat, time.Since(t0))
				if len(as) == 0 {
					b.Fatal("empty team")
				}
			}
			reportLatency(b, lat)
		})
		b.Run("wallboard_admin/"+string(p), func(b *testing.B) {
			var lat []time.Duration
			for b.Loop() {
				t0 := time.Now()
				wb, err := sv.Wallboard(ctx, benchTenant, benchModel, spec, storeview.WallboardQuery{})
				if err != nil {
					b.Fatal(err)
				}
				lat = append(lat, time.Since(t0))
				if len(wb.Teams) != teams {
					b.Fatalf("wallboard has %d teams, want %d", len(wb.Teams), teams)
				}
			}
			reportLatency(b, lat)
		})
		b.Run("wallboard_supervisor/"+string(p), func(b *testing.B) {
			rng := rand.New(rand.NewPCG(7, 8))
			var lat []time.Duration
			for b.Loop() {
				t0 := time.Now()
				only := []string{team(rng.IntN(teams)), team(rng.IntN(teams))}
				wb, err := sv.Wallboard(ctx, benchTenant, benchModel, spec, storeview.WallboardQuery{Only: only})
				if err != nil {
					b.Fatal(err)
				}
				lat = append(lat, time.Since(t0))
				if len(wb.Teams) == 0 {
					b.Fatal("supervisor wallboard empty")
				}
			}
			reportLatency(b, lat)
		})
	}
	// The team route while an admin's wallboard is built over and over
	// beside it (every team's agents: the longest hold of the entry's
	// lock): what a TV wall costs the other readers of the model.
	b.Run("team_beside_admin_wallboards/3m", func(b *testing.B) {
		spec := views.RangeSpec{Preset: views.Preset3M}
		stop := make(chan struct{})
		var boards sync.WaitGroup
		boards.Go(func() {
			for {
				select {
				case <-stop:
					return
				default:
				}
				if _, err := sv.Wallboard(ctx, benchTenant, benchModel, spec, storeview.WallboardQuery{}); err != nil {
					b.Error(err)
					return
				}
			}
		})
		rng := rand.New(rand.NewPCG(11, 12))
		var lat []time.Duration
		for b.Loop() {
			t0 := time.Now()
			if _, err := sv.TeamAgents(ctx, benchTenant, team(rng.IntN(teams)), benchModel, spec); err != nil {
				b.Fatal(err)
			}
			lat = append(lat, time.Since(t0))
			time.Sleep(time.Millisecond) // spread the samples over many boards
		}
		close(stop)
		boards.Wait()
		reportLatency(b, lat)
	})
	b.Run("models", func(b *testing.B) {
		rng := rand.New(rand.NewPCG(9, 10))
		var lat []time.Duration
		for b.Loop() {
			t0 := time.Now()
			ms, err := sv.Models(ctx, benchTenant, benchAgent(rng.IntN(agents)))
			if err != nil {
				b.Fatal(err)
			}
			lat = append(lat, time.Since(t0))
			if len(ms) != 1 {
				b.Fatalf("models %+v", ms)
			}
		}
		reportLatency(b, lat)
	})
}
