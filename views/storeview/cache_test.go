package storeview_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/agentpulse/agentpulse/processor/store"
	"github.com/agentpulse/agentpulse/processor/store/embedded"
	"github.com/agentpulse/agentpulse/processor/store/storetest"
	"github.com/agentpulse/agentpulse/schemas"
	"github.com/agentpulse/agentpulse/views"
	"github.com/agentpulse/agentpulse/views/reference"
	"github.com/agentpulse/agentpulse/views/storeview"
)

// updatesOf returns the updates a processor publishes for a batch before
// storing it: one per (tenant, model, agent) with a changed bucket part
// or an applied interaction, with the parts' full values and versions.
func updatesOf(b store.Batch) []schemas.Update {
	byKey := map[[3]string]*schemas.Update{}
	var order []*schemas.Update
	get := func(tenant, model, agent string) *schemas.Update {
		k := [3]string{tenant, model, agent}
		u := byKey[k]
		if u == nil {
			u = &schemas.Update{Tenant: tenant, Model: model, Agent: agent, Partition: b.Partition}
			byKey[k] = u
			order = append(order, u)
		}
		return u
	}
	for _, r := range b.Records {
		u := get(r.TenantID, r.Model, r.AgentID)
		u.Offset = max(u.Offset, r.Offset)
		u.Interactions = append(u.Interactions, schemas.UpdateInteraction{ID: r.InteractionID, Revision: r.Revision, Inquiry: r.Inquiry, EndedAt: r.EndedAt})
	}
	for _, bk := range b.Buckets {
		u := get(bk.Tenant, bk.Model, bk.Agent)
		u.Offset = max(u.Offset, bk.Version)
		u.Buckets = append(u.Buckets, schemas.UpdateBucket{Team: bk.Team, Inquiry: bk.Inquiry, Hour: bk.Hour, Sums: schemas.UpdateSums(bk.Sums), Version: bk.Version})
	}
	for _, p := range b.Roster {
		u := get(p.Tenant, p.Model, p.Agent)
		u.Offset = max(u.Offset, p.Version)
		u.Roster = &schemas.UpdateRoster{Team: p.Team, InteractionID: p.InteractionID, EndedAt: p.EndedAt, Version: p.Version}
	}
	out := make([]schemas.Update, len(order))
	for i, u := range order {
		out[i] = *u
	}
	return out
}

func interactionsOf(bs ...store.Batch) []schemas.Interaction {
	var out []schemas.Interaction
	for _, b := range bs {
		for _, r := range b.Records {
			out = append(out, r.Interaction)
		}
	}
	return out
}

// shifts is tenant "shift": agents s1..s4 in teams T1 and T2 over three
// days, then corrections of old interactions that move one to another
// agent and team and another hour, reclassify one, and move one out of
// the newest hour.
func shifts() []schemas.Interaction {
	p := func(f float64) *float64 { return &f }
	base := time.Date(2026, 11, 8, 6, 0, 0, 0, time.UTC)
	rec := func(id string, rev int64, agent, team, inquiry string, ended time.Time, handle float64) schemas.Interaction {
		return schemas.Interaction{TenantID: "shift", InteractionID: id, Revision: rev, Model: "voice",
			AgentID: agent, TeamID: team, Inquiry: inquiry, StartedAt: ended.Add(-time.Minute), EndedAt: ended,
			HandleTimeS: handle, PredictedSatisfaction: p(0.4 + handle/2000), PredictedResolution: p(0.95 - handle/3000), Source: "api"}
	}
	var out []schemas.Interaction
	for i := range 72 {
		agent := fmt.Sprintf("s%d", 1+i%4)
		team := []string{"T1", "T2"}[(i%4)/2]
		out = append(out, rec(fmt.Sprintf("i%02d", i), 1, agent, team, []string{"x", "y", "z"}[i%3], base.Add(time.Duration(i)*time.Hour+time.Duration(i%7)*time.Minute), float64(60+13*(i%11)+7*(i%4))))
	}
	last := out[len(out)-1].EndedAt
	return append(out,
		rec("i03", 2, "s2", "T1", "x", base.Add(30*time.Hour), 333), // s4/T2 → s2/T1, other hour
		rec("i10", 2, "s3", "T2", "z", out[10].EndedAt, 95),         // reclassified y → z
		rec("i71", 2, "s4", "T2", "y", last.Add(-50*time.Hour), 80), // the newest moves back 50 hours
		rec("late", 1, "s1", "T1", "x", base.Add(2*time.Hour), 500), // late data, sealed hour
		rec("new", 1, "s3", "T2", "x", last.Add(3*time.Hour), 210),  // the range end moves 3 hours
	)
}

// compareFresh compares the cached answers that read only buckets and
// the roster (performance, inquiry detail without the recent list, team
// agents, wallboards) with the reference's, for every preset and tenant
// (tenant "moves": teams decided by ended_at ties and corrections that
// move an agent's newest interaction across teams).
func compareFresh(t *testing.T, sv *storeview.Views, ref *reference.Dataset, its []schemas.Interaction, stride int, step string) {
	t.Helper()
	ctx := context.Background()
	u := universeOf(its)
	for tenant, agents := range u.agents {
		for _, model := range u.models[tenant] {
			if tenant == "moves" && !sameLatest(t, sv, ref, tenant, model) {
				// A correction moved the model's newest interaction back and
				// the store does not hold it yet: the overlay's documented
				// lag of LatestData (Overlay), not a roster matter.
				continue
			}
			for _, spec := range specs(t, ref, tenant, model)[:4] {
				compareWallboard(t, sv, ref, its, tenant, model, u.teams[tenant], spec, step)
				for _, team := range u.teams[tenant] {
					got, err := sv.TeamAgents(ctx, tenant, team, model, spec)
					want, werr := ref.TeamAgents(tenant, team, model, spec)
					if err != nil || werr != nil {
						t.Fatalf("%s: TeamAgents: %v / %v", step, err, werr)
					}
					diff(t, fmt.Sprintf("%s: TeamAgents(%s, %s, %s, %+v)", step, tenant, team, model, spec), got, want)
				}
				for ai, agent := range agents {
					if ai%stride != 0 && tenant != "shift" {
						continue
					}
					got, err := sv.AgentPerformance(ctx, tenant, agent, model, spec, views.SortSpec{})
					want, werr := ref.AgentPerformance(tenant, agent, model, spec, views.SortSpec{})
					if err != nil || werr != nil {
						t.Fatalf("%s: AgentPerformance: %v / %v", step, err, werr)
					}
					where := fmt.Sprintf("%s: AgentPerformance(%s, %s, %s, %+v)", step, tenant, agent, model, spec)
					diff(t, where, got, want)
					for _, p := range want.Inquiries {
						got, err := sv.InquiryDetail(ctx, tenant, agent, model, p.Inquiry, spec, 0)
						want, werr := ref.InquiryDetail(tenant, agent, model, p.Inquiry, spec, 0)
						if err != nil || werr != nil {
							t.Fatalf("%s: InquiryDetail: %v / %v", step, err, werr)
						}
						where := fmt.Sprintf("%s: InquiryDetail(%s, %s, %s, %s, %+v)", step, tenant, agent, model, p.Inquiry, spec)
						diff(t, where, got, want)
					}
				}
			}
		}
	}
}

// counter returns the value of a registered counter.
func counter(t *testing.T, reg *prometheus.Registry, name string) float64 {
	t.Helper()
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() == name {
			return mf.GetMetric()[0].GetCounter().GetValue()
		}
	}
	t.Fatalf("no metric %s", name)
	return 0
}

// TestCacheFollowsUpdates stores the first half of a feed, builds cached
// views over an Overlay, then streams the second half as processor updates
// with the store lagging several batches behind (updates reach the views
// before the store has them), and compares the views with the reference
// over everything delivered at regular steps; at the end the store catches
// up, the overlay empties and every answer is compared. The feed has late
// data into sealed hours, corrections moving interactions between agents,
// teams and hours, and range ends crossing hours.
func TestCacheFollowsUpdates(t *testing.T) {
	cases := []struct {
		name         string
		open         func(t *testing.T) store.Store
		size, stride int
		checks       int
		latestTTL    time.Duration
	}{
		{"embedded", func(*testing.T) store.Store { return embedded.New() }, 1, 2, 10, 0},
		// The range end remembered for the whole test: updates alone move it.
		{"embedded-latest-memo", func(*testing.T) store.Store { return embedded.New() }, 1, 2, 10, time.Hour},
		{"clickhouse", func(t *testing.T) store.Store { return openClickHouse(t) }, 60, 8, 2, 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ctx := context.Background()
			params := views.Params{MinVolume: 3}
			its := append(simulated(t, 8, 10), shifts()...)
			batches := storetest.Batches(its, 4, c.size)
			st := c.open(t)
			half := len(batches) / 2
			for _, b := range batches[:half] {
				if err := st.Apply(ctx, b); err != nil {
					t.Fatal(err)
				}
			}
			reg := prometheus.NewRegistry()
			ov := storeview.NewOverlay(st)
			sv := storeview.New(ov, params, storeview.WithCache(storeview.CacheConfig{HotHours: 2, MaxAgentRereads: 8, Registerer: reg,
				LatestTTL: c.latestTTL}))
			delivered := interactionsOf(batches[:half]...)
			compareFresh(t, sv, reference.New(delivered, params), delivered, c.stride, "warm")
			const lag = 5
			every := max(1, (len(batches)-half)/c.checks)
			for i := half; i < len(batches); i++ {
				for _, u := range updatesOf(batches[i]) {
					sv.OnUpdate(ctx, u)
				}
				delivered = append(delivered, interactionsOf(batches[i])...)
				if i-lag >= half {
					if err := st.Apply(ctx, batches[i-lag]); err != nil {
						t.Fatal(err)
					}
				}
				if i%7 == 0 {
					if err := ov.Prune(ctx); err != nil {
						t.Fatal(err)
					}
				}
				if (i-half)%every == every-1 || i == len(batches)-1 {
					compareFresh(t, sv, reference.New(delivered, params), delivered, c.stride, fmt.Sprintf("batch %d/%d", i, len(batches)))
				}
			}
			for _, b := range batches[max(half, len(batches)-lag):] {
				if err := st.Apply(ctx, b); err != nil {
					t.Fatal(err)
				}
			}
			if err := ov.Prune(ctx); err != nil {
				t.Fatal(err)
			}
			if n := ov.Len(); n != 0 {
				t.Errorf("overlay holds %d parts after the store caught up", n)
			}
			if c.name == "embedded" {
				compareAll(t, sv, reference.New(its, params), its, scope{specs: []int{0, 1, 2, 3, 4}, agentStride: 2})
			}
			for _, m := range []string{"slides_total", "agent_rereads_total", "builds_total"} {
				n := counter(t, reg, "agentpulse_storeview_cache_"+m)
				t.Logf("%s = %v", m, n)
				if n == 0 && m != "builds_total" && c.name == "embedded" { // big ClickHouse batches rebuild instead
					t.Errorf("the feed never caused a cache %s", strings.TrimSuffix(m, "_total"))
				}
			}
		})
	}
}

// TestCacheConcurrentReaders reads performance from several goroutines
// while updates stream in and the store flushes behind them (run with
// -race), then compares every answer with the reference once quiet.
func TestCacheConcurrentReaders(t *testing.T) {
	ctx := context.Background()
	params := views.Params{MinVolume: 3}
	// simulated(t, 8, 6) has two agents whose 24h pres means tie exactly in
	// the reference's summation order and differ in the last bit in a
	// bucket order, which flips a recommended metric: exact ties depend on
	// summation order (see the report); this feed has none.
	its := append(simulated(t, 8, 10), shifts()...)
	batches := storetest.Batches(its, 4, 5)
	st := embedded.New()
	half := len(batches) / 2
	for _, b := range batches[:half] {
		if err := st.Apply(ctx, b); err != nil {
			t.Fatal(err)
		}
	}
	ov := storeview.NewOverlay(st)
	sv := storeview.New(ov, params, storeview.WithCache(storeview.CacheConfig{HotHours: 1, MaxAgentRereads: 4, MaxModels: 3}))
	u := universeOf(its)
	var tenants []string
	for tenant := range u.agents {
		tenants = append(tenants, tenant)
	}
	done := make(chan struct{})
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := rand.New(rand.NewPCG(uint64(g), 1))
			for {
				select {
				case <-done:
					return
				default:
				}
				tenant := tenants[r.IntN(len(tenants))]
				agent := u.agents[tenant][r.IntN(len(u.agents[tenant]))]
				model := u.models[tenant][r.IntN(len(u.models[tenant]))]
				spec := views.RangeSpec{Preset: []views.Preset{views.Preset3M, views.Preset1M, views.Preset1W, views.Preset24H}[r.IntN(4)]}
				if _, err := sv.AgentPerformance(ctx, tenant, agent, model, spec, views.SortSpec{}); err != nil && !isNoData(err) {
					t.Errorf("AgentPerformance: %v", err)
					return
				}
				if _, err := sv.TeamAgents(ctx, tenant, u.teams[tenant][0], model, spec); err != nil && !isNoData(err) {
					t.Errorf("TeamAgents: %v", err)
					return
				}
			}
		}()
	}
	for i := half; i < len(batches); i++ {
		for _, up := range updatesOf(batches[i]) {
			sv.OnUpdate(ctx, up)
		}
		if i-3 >= half {
			if err := st.Apply(ctx, batches[i-3]); err != nil {
				t.Fatal(err)
			}
		}
		if i%5 == 0 {
			if err := ov.Prune(ctx); err != nil {
				t.Fatal(err)
			}
		}
	}
	close(done)
	wg.Wait()
	for _, b := range batches[len(batches)-3:] {
		if err := st.Apply(ctx, b); err != nil {
			t.Fatal(err)
		}
	}
	compareFresh(t, sv, reference.New(its, params), its, 1, "quiet")
}

func isNoData(err error) bool {
	return err != nil && strings.Contains(err.Error(), views.ErrNoData.Error())
}

// compareWallboard checks the admin's wallboard (every team) and a
// supervisor's (the first team only) against the reference: each team's
// agents are its TeamAgents, its figures those of the merged interactions
// in the range of the agents whose current team it is.
func compareWallboard(t *testing.T, sv *storeview.Views, ref *reference.Dataset, its []schemas.Interaction, tenant, model string, teams []string, spec views.RangeSpec, step string) {
	t.Helper()
	ctx := context.Background()
	latest, err := ref.LatestData(tenant, model)
	if err != nil {
		t.Fatal(err)
	}
	rng := spec.Resolve(latest)
	cur := map[string]schemas.Interaction{}
	for _, it := range its {
		if it.TenantID != tenant {
			continue
		}
		if o, ok := cur[it.InteractionID]; !ok || it.Revision > o.Revision {
			cur[it.InteractionID] = it
		}
	}
	sums := map[string]*views.Sums{}
	for _, it := range cur {
		if it.Model != model || !rng.Contains(it.EndedAt) {
			continue
		}
		team, _ := ref.TeamOf(tenant, it.AgentID)
		if sums[team] == nil {
			sums[team] = &views.Sums{}
		}
		sums[team].Add(&it)
	}
	want := storeview.Wallboard{Model: model, Range: rng, Teams: []storeview.WallboardTeam{}}
	for _, team := range slices.Sorted(slices.Values(teams)) {
		agents, err := ref.TeamAgents(tenant, team, model, spec)
		if err != nil {
			t.Fatal(err)
		}
		if len(agents) == 0 {
			continue
		}
		want.Teams = append(want.Teams, storeview.WallboardTeam{Team: team, Figures: sums[team].Figures(ref.Params().Floor),
			AgentCount: len(agents), Agents: agents})
	}
	got, err := sv.Wallboard(ctx, tenant, model, spec, storeview.WallboardQuery{})
	if err != nil {
		t.Fatalf("%s: Wallboard: %v", step, err)
	}
	diff(t, fmt.Sprintf("%s: Wallboard(%s, %s, %+v)", step, tenant, model, spec), got, want)
	compareWallboardForms(t, sv, want, tenant, spec, step)
	if len(teams) == 0 {
		return
	}
	only := []string{teams[0]}
	got, err = sv.Wallboard(ctx, tenant, model, spec, storeview.WallboardQuery{Only: only})
	if err != nil {
		t.Fatalf("%s: Wallboard(only): %v", step, err)
	}
	sup := storeview.Wallboard{Model: model, Range: rng, Teams: []storeview.WallboardTeam{}}
	for _, wt := range want.Teams {
		if wt.Team == teams[0] {
			sup.Teams = append(sup.Teams, wt)
		}
	}
	diff(t, fmt.Sprintf("%s: supervisor Wallboard(%s, %s, %+v, %v)", step, tenant, model, spec, only), got, sup)
}

// compareWallboardForms checks the teams-only form, pages walked with
// their cursors (with and without agents) and a list of teams against
// want, the full wallboard computed from raw interactions.
func compareWallboardForms(t *testing.T, sv *storeview.Views, want storeview.Wallboard, tenant string, spec views.RangeSpec, step string) {
	t.Helper()
	ctx := context.Background()
	where := fmt.Sprintf("%s: Wallboard(%s, %s, %+v", step, tenant, want.Model, spec)
	noAgents := want
	noAgents.Teams = make([]storeview.WallboardTeam, len(want.Teams))
	for i, wt := range want.Teams {
		wt.Agents = nil
		noAgents.Teams[i] = wt
	}
	got, err := sv.Wallboard(ctx, tenant, want.Model, spec, storeview.WallboardQuery{NoAgents: true})
	if err != nil {
		t.Fatalf("%s, no agents): %v", where, err)
	}
	diff(t, where+", no agents)", got, noAgents)
	for _, teamsOnly := range []bool{false, true} {
		full := want
		if teamsOnly {
			full = noAgents
		}
		for _, limit := range []int{2} { // pages of 2: a cut, a cursor, a last page
			var pages []storeview.WallboardTeam
			q := storeview.WallboardQuery{NoAgents: teamsOnly, Limit: limit}
			for n := 0; ; n++ {
				got, err := sv.Wallboard(ctx, tenant, want.Model, spec, q)
				if err != nil {
					t.Fatalf("%s, %+v): %v", where, q, err)
				}
				if len(got.Teams) > limit || (got.Next != "" && got.Next != got.Teams[len(got.Teams)-1].Team) || n > len(full.Teams) {
					t.Fatalf("%s, %+v): %d teams, next %q", where, q, len(got.Teams), got.Next)
				}
				pages = append(pages, got.Teams...)
				if got.Next == "" {
					break
				}
				q.After = got.Next
			}
			page := full
			page.Teams = pages
			diff(t, fmt.Sprintf("%s, pages of %d)", where, limit), page, full)
		}
	}
	if len(want.Teams) < 2 {
		return
	}
	pick := []string{want.Teams[len(want.Teams)-1].Team, "no-such-team", want.Teams[0].Team}
	got, err = sv.Wallboard(ctx, tenant, want.Model, spec, storeview.WallboardQuery{Only: pick})
	if err != nil {
		t.Fatalf("%s, %v): %v", where, pick, err)
	}
	two := want
	two.Teams = []storeview.WallboardTeam{want.Teams[0], want.Teams[len(want.Teams)-1]}
	diff(t, fmt.Sprintf("%s, %v)", where, pick), got, two)
}

// sameLatest reports whether the views and the reference agree on the
// model's latest data.
func sameLatest(t *testing.T, sv *storeview.Views, ref *reference.Dataset, tenant, model string) bool {
	t.Helper()
	got, err := sv.LatestData(context.Background(), tenant, model)
	want, werr := ref.LatestData(tenant, model)
	if err != nil || werr != nil {
		return false
	}
	return got.Equal(want)
}
