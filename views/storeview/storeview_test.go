package storeview_test

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"log/slog"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/agentpulse/agentpulse/ingest/simulator"
	"github.com/agentpulse/agentpulse/processor/store"
	"github.com/agentpulse/agentpulse/processor/store/clickhouse"
	"github.com/agentpulse/agentpulse/processor/store/clickhouse/chtest"
	"github.com/agentpulse/agentpulse/processor/store/embedded"
	"github.com/agentpulse/agentpulse/processor/store/storetest"
	"github.com/agentpulse/agentpulse/schemas"
	"github.com/agentpulse/agentpulse/views"
	"github.com/agentpulse/agentpulse/views/reference"
	"github.com/agentpulse/agentpulse/views/storeview"
)

// simulated returns a small simulated feed with duplicates, revisions and
// late arrivals, in stream order, followed by the team-move scenario.
func simulated(t testing.TB, agents, days int) []schemas.Interaction {
	t.Helper()
	cfg := simulator.DefaultConfig(time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC))
	cfg.Agents, cfg.Days, cfg.Tenants, cfg.Seed = agents, days, 2, 7
	cfg.TeamSize = 4
	cfg.DuplicateRate, cfg.RevisionRate, cfg.LateRate = 0.05, 0.05, 0.05
	g, err := simulator.New(cfg, 2)
	if err != nil {
		t.Fatal(err)
	}
	out, err := g.All(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	millis(out)
	return append(out, teamMoves()...)
}

// millis gives each simulated revision's whole-second handle time a
// fraction of milliseconds (the same for a redelivery), as platforms
// that measure in ms send: values off the sums' grid, whose float sums
// depend on the order of adding unless put on it.
func millis(its []schemas.Interaction) {
	for i := range its {
		it := &its[i]
		h := fnv.New32a()
		fmt.Fprintf(h, "%s/%s/%d", it.TenantID, it.InteractionID, it.Revision)
		if it.HandleTimeS < schemas.MaxHandleTimeS-1 {
			it.HandleTimeS += float64(h.Sum32()%1000) / 1000
		}
	}
}

// teamMoves is tenant "moves": agents whose newest interaction is in
// another model or team than most of their work, in the same hour, with
// an ended_at tie, and with a correction that moves the newest one.
func teamMoves() []schemas.Interaction {
	at := func(s string) time.Time { t, _ := time.Parse(time.RFC3339, s); return t }
	p := func(f float64) *float64 { return &f }
	rec := func(id string, rev int64, model, agent, team, inquiry, ended string, handle float64) schemas.Interaction {
		it := schemas.Interaction{TenantID: "moves", InteractionID: id, Revision: rev, Model: model,
			AgentID: agent, TeamID: team, Inquiry: inquiry, StartedAt: at(ended).Add(-time.Minute), EndedAt: at(ended),
			HandleTimeS: handle, Source: "api"}
		if model != "email" {
			it.PredictedSatisfaction, it.PredictedResolution = p(0.5+handle/10000), p(0.9-handle/10000)
		}
		return it
	}
	var out []schemas.Interaction
	for i, agent := range []string{"m1", "m2", "m3", "m4", "m5", "m6"} {
		for j := range 6 {
			out = append(out, rec(fmt.Sprintf("v-%s-%d", agent, j), 1, "voice", agent, "A", []string{"x", "y"}[j%2],
				fmt.Sprintf("2026-10-0%dT0%d:1%d:00Z", 1+j%3, j, i), float64(100+37*i+11*j)))
		}
	}
	return append(out,
		// m1: newest is chat, team B, same hour as a voice one of team A.
		rec("c-m1", 1, "chat", "m1", "B", "x", "2026-10-05T10:20:00Z", 200),
		rec("v-m1-late", 1, "voice", "m1", "A", "x", "2026-10-05T10:05:00Z", 300),
		// m2: tie on ended_at; the larger interaction_id is newer → team A.
		rec("z-m2", 1, "voice", "m2", "A", "y", "2026-10-05T11:00:00Z", 250),
		rec("a-m2", 1, "chat", "m2", "B", "y", "2026-10-05T11:00:00Z", 150),
		// m3: newest in team B, then corrected to an earlier hour → team A.
		rec("v-m3-new", 1, "voice", "m3", "B", "x", "2026-10-05T12:00:00Z", 120),
		rec("v-m3-new", 2, "voice", "m3", "B", "x", "2026-10-01T00:00:00Z", 130),
		// m4: email newest, team C.
		rec("e-m4", 1, "email", "m4", "C", "z", "2026-10-06T09:00:00Z", 500),
	)
}

// fill applies the feed's batches to st.
func fill(t testing.TB, st store.Writer, its []schemas.Interaction) {
	t.Helper()
	storetest.Fill(t, st, its, 4, 500)
}

func openClickHouse(t testing.TB) *clickhouse.Store {
	t.Helper()
	addr := chtest.Start(t)
	db := fmt.Sprintf("storeview_%d_%d", os.Getpid(), time.Now().UnixNano())
	st, err := clickhouse.Open(context.Background(), clickhouse.Config{
		Addr: []string{addr}, Database: db,
		RetryBackoff: 10 * time.Millisecond, MaxRetryBackoff: 100 * time.Millisecond,
		Logger: slog.New(slog.DiscardHandler),
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close() })
	return st
}

// TestStoreViewsEqualReference folds a simulated feed into each store and
// compares every answer of storeview with the reference's.
func TestStoreViewsEqualReference(t *testing.T) {
	its := simulated(t, 12, 10)
	params := views.Params{MinVolume: 3}
	ref := reference.New(its, params)
	// The embedded store answers every query; ClickHouse, where each call
	// is several round trips, the default (3m) and the custom range and
	// every fifth simulated agent, to keep the test within seconds.
	cases := []struct {
		name  string
		open  func(t *testing.T) store.Store
		scope scope
	}{
		{"embedded", func(*testing.T) store.Store { return embedded.New() }, scope{specs: []int{0, 1, 2, 3, 4}, agentStride: 1}},
		{"clickhouse", func(t *testing.T) store.Store { return openClickHouse(t) }, scope{specs: []int{0, 4}, agentStride: 5}},
		{"embedded+cache", func(*testing.T) store.Store { return embedded.New() }, scope{specs: []int{0, 1, 2, 3, 4}, agentStride: 1, cache: true}},
		{"clickhouse+cache", func(t *testing.T) store.Store { return openClickHouse(t) }, scope{specs: []int{0, 2, 3}, agentStride: 6, cache: true}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			start := time.Now()
			st := c.open(t)
			fill(t, st, its)
			t.Logf("%d interactions stored in %v", len(its), time.Since(start).Round(time.Millisecond))
			var opts []storeview.Option
			if c.scope.cache {
				opts = append(opts, storeview.WithCache(storeview.CacheConfig{HotHours: 2}))
			}
			compareAll(t, storeview.New(st, params, opts...), ref, its, c.scope)
		})
	}
}

// universe lists, per tenant, the agents, teams and models of its.
type universe struct {
	agents, teams, models map[string][]string
}

func universeOf(its []schemas.Interaction) universe {
	u := universe{agents: map[string][]string{}, teams: map[string][]string{}, models: map[string][]string{}}
	add := func(m map[string][]string, k, v string) {
		if !slices.Contains(m[k], v) {
			m[k] = append(m[k], v)
		}
	}
	for _, it := range its {
		add(u.agents, it.TenantID, it.AgentID)
		add(u.teams, it.TenantID, it.TeamID)
		add(u.models, it.TenantID, it.Model)
	}
	for _, m := range []map[string][]string{u.agents, u.teams, u.models} {
		for k := range m {
			slices.Sort(m[k])
		}
	}
	return u
}

func specs(t testing.TB, ref *reference.Dataset, tenant, model string) []views.RangeSpec {
	out := []views.RangeSpec{{}}
	for _, p := range []views.Preset{views.Preset1M, views.Preset1W, views.Preset24H} {
		out = append(out, views.RangeSpec{Preset: p})
	}
	// A custom range ending two days before the latest data, with unaligned
	// bounds: some of the agents' interactions lie after it.
	latest, err := ref.LatestData(tenant, model)
	if err != nil {
		t.Fatal(err)
	}
	return append(out, views.RangeSpec{Custom: true, From: latest.Add(-120*time.Hour - 17*time.Minute), To: latest.Add(-48*time.Hour + 5*time.Minute)})
}

// scope selects what compareAll asks: the indexes of specs' ranges, and
// every agentStride-th agent of the simulated tenants (every agent of the
// hand-written tenant "moves").
type scope struct {
	specs       []int
	agentStride int
	cache       bool // the views use WithCache
	// rangesOnly asks only AgentPerformance and ModelMetrics (the answers
	// that read ranges of the model's buckets), for the rollup tests.
	rangesOnly bool
}

func compareAll(t *testing.T, sv *storeview.Views, ref *reference.Dataset, its []schemas.Interaction, sc scope) {
	ctx := context.Background()
	u := universeOf(its)
	checked := 0
	for tenant, agents := range u.agents {
		for ai, agent := range agents {
			if ai%sc.agentStride != 0 && tenant != "moves" || sc.rangesOnly {
				continue
			}
			got, err := sv.Models(ctx, tenant, agent)
			if err != nil {
				t.Fatal(err)
			}
			diff(t, fmt.Sprintf("Models(%s, %s)", tenant, agent), got, ref.Models(tenant, agent))
			wantTeam, wantOK := ref.TeamOf(tenant, agent)
			team, ok, err := sv.TeamOf(ctx, tenant, agent)
			if err != nil || team != wantTeam || ok != wantOK {
				t.Errorf("TeamOf(%s, %s) = %q, %v, %v; want %q, %v", tenant, agent, team, ok, err, wantTeam, wantOK)
			}
		}
		for _, model := range append(u.models[tenant], "nosuchmodel") {
			if model == "nosuchmodel" {
				_, err := sv.AgentPerformance(ctx, tenant, agents[0], model, views.RangeSpec{}, views.SortSpec{})
				if !errors.Is(err, views.ErrNoData) {
					t.Errorf("unknown model: err = %v, want ErrNoData", err)
				}
				continue
			}
			metrics, err := sv.ModelMetrics(ctx, tenant, model)
			if err != nil {
				t.Fatal(err)
			}
			diff(t, fmt.Sprintf("ModelMetrics(%s, %s)", tenant, model), metrics, ref.ModelMetrics(tenant, model))
			for si, spec := range specs(t, ref, tenant, model) {
				if !slices.Contains(sc.specs, si) {
					continue
				}
				for _, team := range u.teams[tenant] {
					if sc.rangesOnly {
						break
					}
					got, err := sv.TeamAgents(ctx, tenant, team, model, spec)
					want, werr := ref.TeamAgents(tenant, team, model, spec)
					if err != nil || werr != nil {
						t.Fatalf("TeamAgents: %v / %v", err, werr)
					}
					diff(t, fmt.Sprintf("TeamAgents(%s, %s, %s, %+v)", tenant, team, model, spec), got, want)
				}
				for ai, agent := range agents {
					if ai%sc.agentStride != 0 && tenant != "moves" {
						continue
					}
					sort := views.SortSpec{}
					if si%2 == 1 {
						sort = views.SortSpec{Key: views.SortAES, Explicit: true}
					}
					got, err := sv.AgentPerformance(ctx, tenant, agent, model, spec, sort)
					want, werr := ref.AgentPerformance(tenant, agent, model, spec, sort)
					if err != nil || werr != nil {
						t.Fatalf("AgentPerformance: %v / %v", err, werr)
					}
					where := fmt.Sprintf("AgentPerformance(%s, %s, %s, %+v)", tenant, agent, model, spec)
					diff(t, where, got, want)
					checked++
					if si != 0 && si != 4 || sc.rangesOnly {
						continue
					}
					inquiries := []string{"nosuchinquiry"}
					for _, p := range want.Inquiries {
						inquiries = append(inquiries, p.Inquiry)
					}
					for _, inquiry := range inquiries {
						got, err := sv.InquiryDetail(ctx, tenant, agent, model, inquiry, spec, 5)
						want, werr := ref.InquiryDetail(tenant, agent, model, inquiry, spec, 5)
						if err != nil || werr != nil {
							t.Fatalf("InquiryDetail: %v / %v", err, werr)
						}
						where := fmt.Sprintf("InquiryDetail(%s, %s, %s, %s, %+v)", tenant, agent, model, inquiry, spec)
						diff(t, where, got, want)
					}
				}
			}
		}
	}
	if checked < 20 {
		t.Fatalf("only %d performance answers compared", checked)
	}
}

// diff compares a store-backed answer with the reference's bit for bit:
// both compute every figure from the same Sums on the grid.
func diff(t *testing.T, where string, got, want any) {
	t.Helper()
	if d := views.ExactDiff(got, want); d != nil {
		if len(d) > 10 {
			d = append(d[:10], fmt.Sprintf("… %d more", len(d)-10))
		}
		t.Errorf("%s differs from the reference:\n  %s", where, strings.Join(d, "\n  "))
	}
}
