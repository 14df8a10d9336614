package storeview_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"testing"
	"time"

	ch "github.com/ClickHouse/clickhouse-go/v2"

	"github.com/agentpulse/agentpulse/processor/store/clickhouse/chtest"
	"github.com/agentpulse/agentpulse/views"
	"github.com/agentpulse/agentpulse/views/storeview"
)

// liveRate is issue 13's live feed: 200 interactions a second.
const liveRate = 200

// BenchmarkLiveClickHouse is issue 13's "done when": the server's read
// routes on loadBench's data in ClickHouse (10,000 agents × 90 days by
// default; 50,000 with AGENTPULSE_BENCH_SCALE=full; AGENTPULSE_BENCH_AGENTS
// sets the sizes) with the rollups sealed, while a live feed of 200
// interactions/s (liveFeed: store.Apply and OnUpdate, as the processor and
// the updates topic) runs during every measurement:
//
//   - cold: a new server's figures: Warm on fresh views (roster, every
//     preset of the model), once (cold_s), while the feed runs;
//   - perf, team/<preset>, wallboard_admin/<preset>,
//     wallboard_admin_teams/<preset> (every team, no agents),
//     wallboard_admin_page/<preset> (8 teams with their agents),
//     wallboard_supervisor/<preset> (two teams), models, review (the
//     worst-first review list: WorstInteractions, limit 20, AES, 3m, of
//     one of the first reviewAgents agents, whose interactions are
//     loaded in full by benchReviewLoad): p50/p99/max over the loop on the
//     warm views;
//   - custom: a model-wide custom range with ragged ends (uncached
//     AgentPerformance, every agent's sums, as BenchmarkRangesClickHouse);
//   - start: a coaching plan's Start (3 months of one agent).
//
// Every sub-benchmark also reports feed_per_s, the rate the feed kept
// during it. Plain `go test` never runs it. Each route's quantiles are
// of liveSamples answers whatever the benchtime (-benchtime=1x
// is enough); custom's of exactly 10, start's of 20.
func BenchmarkLiveClickHouse(b *testing.B) {
	addr := os.Getenv("AGENTPULSE_BENCH_CLICKHOUSE_ADDR")
	if addr == "" {
		addr = chtest.Start(b)
	}
	for _, agents := range benchSizes(b, []int{10_000}, []int{10_000, 50_000}) {
		b.Run(fmt.Sprintf("agents=%d", agents), func(b *testing.B) {
			st, _, db := benchClickHouse(b, addr, agents)
			benchReviewLoad(b, addr, db, min(agents, reviewAgents))
			benchSeal(b, st)
			ctx := context.Background()
			params := views.DefaultParams()
			feed := startLiveFeed(b, st, agents, liveRate)
			sub := func(name string, fn func(b *testing.B)) {
				b.Run(name, func(b *testing.B) {
					n0, t0 := feed.n.Load(), time.Now()
					fn(b)
					if err := feed.error(); err != nil {
						b.Fatalf("live feed: %v", err)
					}
					b.ReportMetric(float64(feed.n.Load()-n0)/time.Since(t0).Seconds(), "feed_per_s")
				})
			}
			// A new server's figures, once, during the feed.
			sv := storeview.New(st, params, storeview.WithCache(benchCache))
			feed.subscribe(sv)
			n0, t0 := feed.n.Load(), time.Now()
			if err := sv.Warm(ctx); err != nil {
				b.Fatal(err)
			}
			cold := time.Since(t0)
			coldFeed := float64(feed.n.Load()-n0) / cold.Seconds()
			b.Run("cold", func(b *testing.B) {
				for b.Loop() {
				}
				b.ReportMetric(cold.Seconds(), "cold_s")
				b.ReportMetric(coldFeed, "feed_per_s")
				b.ReportMetric(0, "ns/op")
			})
			spec := views.RangeSpec{Preset: views.Preset3M}
			sub("perf", func(b *testing.B) {
				rng := rand.New(rand.NewPCG(1, 2))
				timed(b, func() error {
					_, err := sv.AgentPerformance(ctx, benchTenant, benchAgent(rng.IntN(agents)), benchModel, spec, views.SortSpec{})
					return err
				})
			})
			liveTeamRoutes(b, sub, sv, agents)
			sub("review", func(b *testing.B) {
				rng := rand.New(rand.NewPCG(11, 12))
				timed(b, func() error {
					list, err := sv.WorstInteractions(ctx, benchTenant, benchAgent(rng.IntN(min(agents, reviewAgents))), benchModel,
						fmt.Sprintf("inq-%d", rng.IntN(benchInquiry)), views.MetricAES, spec, 20)
					if err == nil && len(list) != 20 {
						err = fmt.Errorf("review list of %d interactions, want 20", len(list))
					}
					return err
				})
			})
			custom := views.RangeSpec{Custom: true, From: benchEnd.AddDate(0, 0, -75).Add(5 * time.Hour),
				To: benchEnd.AddDate(0, 0, -2).Add(7 * time.Hour)}
			sub("custom", func(b *testing.B) {
				rng := rand.New(rand.NewPCG(13, 14))
				timedAtMost(b, 10, func() error {
					_, err := storeview.New(st, params).AgentPerformance(ctx, benchTenant, benchAgent(rng.IntN(agents)), benchModel, custom, views.SortSpec{})
					return err
				})
			})
			sub("start", func(b *testing.B) {
				rng := rand.New(rand.NewPCG(15, 16))
				timedAtMost(b, 20, func() error {
					_, err := storeview.New(st, params).AgentInquirySums(ctx, benchTenant, benchModel, benchAgent(rng.IntN(agents)), "inq-1",
						views.StartWindow(benchEnd.Add(-17*time.Minute)))
					return err
				})
			})
			b.Logf("live feed kept %.0f interactions/s", feed.stop())
		})
	}
}

// liveTeamRoutes are benchTeamRoutes' routes under the feed: a roster
// move may leave a team with 9 or 11 agents, so only emptiness fails.
func liveTeamRoutes(b *testing.B, sub func(string, func(*testing.B)), sv *storeview.Views, agents int) {
	ctx := context.Background()
	teams := (agents + 9) / 10
	team := func(i int) string { return fmt.Sprintf("team-%04d", i) }
	for _, p := range []views.Preset{views.Preset3M, views.Preset24H} {
		spec := views.RangeSpec{Preset: p}
		sub("team/"+string(p), func(b *testing.B) {
			rng := rand.New(rand.NewPCG(5, 6))
			timed(b, func() error {
				as, err := sv.TeamAgents(ctx, benchTenant, team(rng.IntN(teams)), benchModel, spec)
				if err == nil && len(as) == 0 {
					err = fmt.Errorf("empty team")
				}
				return err
			})
		})
		sub("wallboard_admin/"+string(p), func(b *testing.B) {
			timed(b, func() error {
				wb, err := sv.Wallboard(ctx, benchTenant, benchModel, spec, storeview.WallboardQuery{})
				if err == nil && len(wb.Teams) < teams*9/10 {
					err = fmt.Errorf("wallboard has %d teams, want about %d", len(wb.Teams), teams)
				}
				return err
			})
		})
		// The admin's O(teams) forms: every team without agents (the
		// dashboard's first read and the admin's websocket snapshot), and
		// one TV page of 8 teams with their agents.
		sub("wallboard_admin_teams/"+string(p), func(b *testing.B) {
			timed(b, func() error {
				wb, err := sv.Wallboard(ctx, benchTenant, benchModel, spec, storeview.WallboardQuery{NoAgents: true})
				if err == nil && len(wb.Teams) < teams*9/10 {
					err = fmt.Errorf("wallboard has %d teams, want about %d", len(wb.Teams), teams)
				}
				return err
			})
		})
		sub("wallboard_admin_page/"+string(p), func(b *testing.B) {
			rng := rand.New(rand.NewPCG(11, 12))
			timed(b, func() error {
				page := make([]string, 8)
				for i := range page {
					page[i] = team(rng.IntN(teams))
				}
				wb, err := sv.Wallboard(ctx, benchTenant, benchModel, spec, storeview.WallboardQuery{Only: page})
				if err == nil && len(wb.Teams) == 0 {
					err = fmt.Errorf("wallboard page empty")
				}
				return err
			})
		})
		sub("wallboard_supervisor/"+string(p), func(b *testing.B) {
			rng := rand.New(rand.NewPCG(7, 8))
			timed(b, func() error {
				wb, err := sv.Wallboard(ctx, benchTenant, benchModel, spec, storeview.WallboardQuery{Only: []string{team(rng.IntN(teams)), team(rng.IntN(teams))}})
				if err == nil && len(wb.Teams) == 0 {
					err = fmt.Errorf("supervisor wallboard empty")
				}
				return err
			})
		})
	}
	sub("models", func(b *testing.B) {
		rng := rand.New(rand.NewPCG(9, 10))
		timed(b, func() error {
			ms, err := sv.Models(ctx, benchTenant, benchAgent(rng.IntN(agents)))
			if err == nil && len(ms) != 1 {
				err = fmt.Errorf("models %+v", ms)
			}
			return err
		})
	})
}

// timed runs fn liveSamples times in b.Loop's first iteration, whatever
// the benchtime, and reports its latency quantiles.
func timed(b *testing.B, fn func() error) { timedAtMost(b, liveSamples, fn) }

// liveSamples is how many answers each route's quantiles are of.
const liveSamples = 200

// timedAtMost is timed with n calls of fn (the loop's later iterations
// do nothing).
func timedAtMost(b *testing.B, n int, fn func() error) {
	var lat []time.Duration
	for b.Loop() {
		for len(lat) < n {
			t0 := time.Now()
			if err := fn(); err != nil {
				b.Fatal(err)
			}
			lat = append(lat, time.Since(t0))
		}
	}
	reportLatency(b, lat)
}

// reviewAgents is how many agents' interactions benchReviewLoad loads in
// full (the review list's rows; the other agents have buckets only).
const reviewAgents = 1_000

// benchReviewLoad writes the full rows (interactions and
// interaction_revisions) of the interactions of loadBench's buckets for
// the first n agents — 4 per bucket part, 2,880 per agent — with random
// ids (as UUIDs are, spread over interaction_revisions' key), unless an
// earlier run did. Their values are not the buckets' (no figure of the
// benchmark compares them).
func benchReviewLoad(tb testing.TB, addr, db string, n int) {
	tb.Helper()
	perAgent := benchDays * 8 * 4
	if countRows(tb, addr, db+".interactions WHERE startsWith(interaction_id, 'r-')") == uint64(n*perAgent) {
		return
	}
	conn, err := ch.Open(&ch.Options{Addr: []string{addr}, ReadTimeout: time.Hour})
	if err != nil {
		tb.Fatal(err)
	}
	defer conn.Close()
	start := time.Now()
	from := fmt.Sprintf(`FROM (SELECT number AS n, intDiv(n, %d) AS a, intDiv(n %% %d, 32) AS d, 8 + intDiv(n %% 32, 4) AS h, n %% 4 AS j,
	a * 7 + d * 13 + h * 31 + j * 17 AS x, concat('r-', hex(cityHash64(n))) AS id,
	toInt64(%d + d * 86400 + h * 3600 + j * 900 + (a * 7) %% 900) * 1000000000 AS ended FROM numbers(%d))`,
		perAgent, perAgent, benchFirst.Unix(), n*perAgent)
	for _, q := range []string{
		`INSERT INTO ` + db + `.interactions (tenant_id, agent_id, model, inquiry, ended_at_ns, interaction_id, revision, log_partition,
	log_offset, team_id, started_at_ns, started_at_offset, ended_at_offset, handle_time_s, predicted_satisfaction, predicted_resolution,
	source, source_refs, attributes)
SELECT '` + benchTenant + `', concat('agent-', substring(toString(100000 + a), 2)), '` + benchModel + `',
	concat('inq-', toString((a + d + h) % ` + fmt.Sprint(benchInquiry) + `)), ended, id, toInt64(1), toInt32(a % 4), toInt64(n + 1),
	concat('team-', substring(toString(10000 + intDiv(a, 10)), 2)), ended - toInt64(200 + x % 300) * 1000000000, toInt32(0), toInt32(0),
	toFloat64(200 + x % 300), toNullable(0.3 + (x % 60) / 100), toNullable(0.4 + (x % 53) / 100), 'api', '', '' ` + from,
		`INSERT INTO ` + db + `.interaction_revisions (tenant_id, interaction_id, revision, log_partition, log_offset, ended_at_ns)
SELECT '` + benchTenant + `', id, toInt64(1), toInt32(a % 4), toInt64(n + 1), ended ` + from,
	} {
		if err := conn.Exec(context.Background(), q); err != nil {
			tb.Fatalf("load review rows: %v", err)
		}
	}
	tb.Logf("loaded %d agents' interactions (%d rows) in %v", n, n*perAgent, time.Since(start).Round(time.Millisecond))
}
