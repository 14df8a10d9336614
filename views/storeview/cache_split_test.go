package storeview_test

import (
	"context"
	"testing"
	"time"

	"github.com/agentpulse/agentpulse/processor/store/embedded"
	"github.com/agentpulse/agentpulse/processor/store/storetest"
	"github.com/agentpulse/agentpulse/schemas"
	"github.com/agentpulse/agentpulse/views"
	"github.com/agentpulse/agentpulse/views/reference"
	"github.com/agentpulse/agentpulse/views/storeview"
)

// TestCacheHotSealedSplit walks a hand-written email feed (AES = AHT)
// through the cache with HotHours 2: the first four interactions are
// stored, the rest reach the views only as updates. Each step states the
// agents' 24h volume and AHT, worked out by hand, and is also compared
// with the reference.
func TestCacheHotSealedSplit(t *testing.T) {
	ctx := context.Background()
	at := func(s string) time.Time { t, _ := time.Parse(time.RFC3339, s); return t }
	rec := func(tenant, id string, rev int64, agent, team, ended string, handle float64) schemas.Interaction {
		return schemas.Interaction{TenantID: tenant, InteractionID: id, Revision: rev, Model: "email", AgentID: agent, TeamID: team,
			Inquiry: "x", StartedAt: at(ended).Add(-time.Minute), EndedAt: at(ended), HandleTimeS: handle, Source: "api"}
	}
	feed := []schemas.Interaction{
		rec("h", "e1", 1, "a1", "T1", "2026-06-10T10:10:00Z", 100),
		rec("h", "e2", 1, "a1", "T1", "2026-06-10T11:10:00Z", 200),
		rec("h", "e3", 1, "a2", "T1", "2026-06-10T11:20:00Z", 300),
		rec("h", "e4", 1, "a1", "T1", "2026-06-10T12:05:00Z", 400),
		// to = 13:00, hot hours 11 and 12, hour 10 sealed.
		rec("h", "e5", 1, "a1", "T1", "2026-06-10T10:40:00Z", 500), // late, into the sealed hour
		rec("h", "e3", 2, "a1", "T2", "2026-06-10T12:30:00Z", 300), // moves to a1, team T2, another hour
		rec("h", "e6", 1, "a2", "T1", "2026-06-10T13:15:00Z", 600), // the end moves to 14:00 (a slide)
		rec("h", "e7", 1, "a2", "T1", "2026-06-11T11:30:00Z", 700), // to 06-11 12:00: a 22-hour slide
		rec("h", "e8", 1, "a1", "T1", "2026-06-13T00:10:00Z", 50),  // 37 hours on: a full build
		// 3m ending 31 May 23:00 starts 3 March 23:00 (Feb 31); ending
		// 1 June 01:00 it starts 1 March 01:00: hours enter at the start.
		rec("cal", "c1", 1, "c", "T1", "2026-03-01T05:00:00Z", 100),
		rec("cal", "c2", 1, "c", "T1", "2026-03-04T05:00:00Z", 200),
		rec("cal", "c3", 1, "c", "T1", "2026-05-31T22:10:00Z", 300),
		rec("cal", "c4", 1, "c", "T1", "2026-06-01T00:30:00Z", 400),
	}
	batches := storetest.Batches(feed, 1, 1) // one batch per interaction, in order
	st := embedded.New()
	for _, i := range []int{0, 1, 2, 3, 9, 10, 11} {
		if err := st.Apply(ctx, batches[i]); err != nil {
			t.Fatal(err)
		}
	}
	params := views.Params{MinVolume: 1}
	sv := storeview.New(storeview.NewOverlay(st), params, storeview.WithCache(storeview.CacheConfig{HotHours: 2}))
	type want struct {
		tenant, agent string
		spec          views.Preset
		volume        int64
		aht           float64
		team          string // the team figure's team (current team)
		teamAHT       float64
	}
	check := func(step string, upto int, wants ...want) {
		t.Helper()
		delivered := interactionsOf(batches[:upto+1]...)
		ref := reference.New(delivered, params)
		for _, w := range wants {
			spec := views.RangeSpec{Preset: w.spec}
			got, err := sv.AgentPerformance(ctx, w.tenant, w.agent, "email", spec, views.SortSpec{})
			if err != nil {
				t.Fatalf("%s: %v", step, err)
			}
			if got.Overall.Volume != w.volume || (w.volume > 0 && *got.Overall.AHT != w.aht) {
				t.Errorf("%s: %s %s volume %d aht %v, want %d %v", step, w.agent, w.spec, got.Overall.Volume, got.Overall.AHT, w.volume, w.aht)
			}
			if w.team != "" {
				team, _, _ := sv.TeamOf(ctx, w.tenant, w.agent)
				if team != w.team || len(got.Inquiries) != 1 || *got.Inquiries[0].AHT.Team != w.teamAHT {
					t.Errorf("%s: %s team %q figure %+v, want %q %v", step, w.agent, team, got.Inquiries, w.team, w.teamAHT)
				}
			}
			ref24, _ := ref.AgentPerformance(w.tenant, w.agent, "email", spec, views.SortSpec{})
			diff(t, step+" "+w.agent, got, ref24)
		}
	}
	apply := func(i int) {
		for _, u := range updatesOf(batches[i]) {
			sv.OnUpdate(ctx, u)
		}
	}
	check("stored", 3, want{"h", "a1", views.Preset24H, 3, 700.0 / 3, "T1", 250}, want{"h", "a2", views.Preset24H, 1, 300, "", 0})
	apply(4)
	check("late into sealed hour 10", 4, want{"h", "a1", views.Preset24H, 4, 300, "T1", 1500.0 / 5})
	apply(5)
	// The processor flushes e3's correction: a1's newest hour holds teams
	// T1 and T2, which only the stored interactions decide (store.Recent).
	if err := st.Apply(ctx, batches[5]); err != nil {
		t.Fatal(err)
	}
	check("e3 moved to a1/T2", 5,
		want{"h", "a1", views.Preset24H, 5, 300, "T2", 300}, // T2 on x: e3 alone
		want{"h", "a2", views.Preset24H, 0, 0, "", 0})
	apply(6)
	check("slide to 14:00", 6, want{"h", "a1", views.Preset24H, 5, 300, "", 0}, want{"h", "a2", views.Preset24H, 1, 600, "T1", 360})
	apply(7)
	// 24h = [06-10 12:00, 06-11 12:00): e4, e3', e6, e7; hours 10 and 11
	// left (e1, e5 still only an update, e2).
	check("22-hour slide", 7, want{"h", "a1", views.Preset24H, 2, 350, "", 0}, want{"h", "a2", views.Preset24H, 2, 650, "", 0},
		want{"h", "a1", views.Preset1W, 5, 300, "", 0})
	apply(8)
	check("full build", 8, want{"h", "a1", views.Preset24H, 1, 50, "", 0}, want{"h", "a2", views.Preset24H, 0, 0, "", 0},
		want{"h", "a1", views.Preset1W, 6, 1550.0 / 6, "", 0})
	check("calendar 3m before", 11, want{"cal", "c", views.Preset3M, 2, 250, "", 0})
	apply(12)
	check("calendar 3m after", 12, want{"cal", "c", views.Preset3M, 4, 250, "", 0})
}
