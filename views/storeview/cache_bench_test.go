package storeview_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"runtime"
	"slices"
	"testing"
	"time"

	"github.com/agentpulse/agentpulse/processor/store"
	"github.com/agentpulse/agentpulse/processor/store/clickhouse/chtest"
	"github.com/agentpulse/agentpulse/processor/store/embedded"
	"github.com/agentpulse/agentpulse/schemas"
	"github.com/agentpulse/agentpulse/views"
	"github.com/agentpulse/agentpulse/views/storeview"
)

// The performance-page benchmark loads buckets straight into a store
// (store.Apply), not through the pipeline, which would take far longer
// than a benchmark should. What is loaded, for tenant "bench", model
// "voice", 8 inquiries, teams of 10 agents, 4 log partitions:
//
//   - for every agent, each of the 90 days ending 2026-11-30, and each of
//     the 8 hours 08:00..15:00 UTC: one bucket part (one inquiry, rotating)
//     of 4 interactions with handle times and both predictions; 10,000
//     agents → 7.2 million parts standing for 28.8 million interactions;
//   - one interaction (agent-00000, 2026-11-30T23:30Z) and its bucket,
//     so that LatestData has a newest ended_at: ranges end 2026-12-01.
//
// AGENTPULSE_BENCH_AGENTS overrides the 10,000 of the ClickHouse bench;
// AGENTPULSE_BENCH_CLICKHOUSE_DB names a database an earlier run loaded
// (on AGENTPULSE_TEST_CLICKHOUSE_ADDR's server), skipping the load.
const (
	benchTenant   = "bench"
	benchModel    = "voice"
	benchDays     = 90
	benchInquiry  = 8
	benchPartitns = 4
)

var benchEnd = time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)

// benchCache is the server's cache configuration (server/app): the range
// end is read from the store at most once a second.
var benchCache = storeview.CacheConfig{LatestTTL: time.Second}

func benchAgent(i int) string { return fmt.Sprintf("agent-%05d", i) }

// loadBench applies the benchmark's buckets to w in batches.
func loadBench(tb testing.TB, w store.Writer, agents int) {
	tb.Helper()
	ctx := context.Background()
	start := time.Now()
	next := make([]int64, benchPartitns)
	var pending [benchPartitns][]store.Bucket
	var roster [benchPartitns][]store.RosterPart
	flush := func(p int) {
		if len(pending[p]) == 0 {
			return
		}
		if err := w.Apply(ctx, store.Batch{Partition: int32(p), Buckets: pending[p], Roster: roster[p], Next: next[p]}); err != nil {
			tb.Fatal(err)
		}
		pending[p], roster[p] = pending[p][:0], roster[p][:0]
	}
	first := benchEnd.AddDate(0, 0, -benchDays)
	for a := range agents {
		p := a % benchPartitns
		for d := range benchDays {
			day := first.AddDate(0, 0, d)
			for h := 8; h < 16; h++ {
				x := a*7 + d*13 + h*31
				s := views.Sums{Volume: 4, HandleSum: float64(4 * (200 + x%300)),
					PsatN: 4, PsatSum: 4 * (0.5 + float64(x%40)/100), PresN: 4, PresSum: 4 * (0.6 + float64(x%33)/100)}
				pending[p] = append(pending[p], store.Bucket{BucketKey: store.BucketKey{Tenant: benchTenant, Model: benchModel,
					Team: fmt.Sprintf("team-%04d", a/10), Agent: benchAgent(a), Inquiry: fmt.Sprintf("inq-%d", (a+d+h)%benchInquiry),
					Hour: day.Add(time.Duration(h) * time.Hour)}, Partition: int32(p), Sums: s, Version: next[p]})
				next[p]++
			}
		}
		roster[p] = append(roster[p], benchRosterPart(a, next[p]))
		if len(pending[p]) >= 200_000 {
			flush(p)
		}
	}
	for p := range benchPartitns {
		flush(p)
	}
	applyNewest(tb, w, next[0])
	tb.Logf("loaded %d agents × %d days: %d bucket parts in %v", agents, benchDays, agents*benchDays*8+1, time.Since(start).Round(time.Millisecond))
}

// benchRosterPart is agent a's roster part: their newest interaction
// ends at 15:30 of the last day, in their team.
func benchRosterPart(a int, version int64) store.RosterPart {
	return store.RosterPart{Tenant: benchTenant, Agent: benchAgent(a), Model: benchModel, Partition: int32(a % benchPartitns),
		Team: fmt.Sprintf("team-%04d", a/10), InteractionID: fmt.Sprintf("b-%05d", a), EndedAt: benchEnd.Add(-8*time.Hour - 30*time.Minute), Version: version}
}

// applyNewest applies the newest interaction (agent-00000,
// 2026-11-30T23:30Z) and its bucket at offset off of partition 0, so
// that ranges end at 2026-12-01.
func applyNewest(tb testing.TB, w store.Writer, off int64) {
	tb.Helper()
	pf := func(f float64) *float64 { return &f }
	it := schemas.Interaction{TenantID: benchTenant, InteractionID: "newest", Revision: 1, Model: benchModel, AgentID: benchAgent(0),
		TeamID: "team-0000", Inquiry: "inq-0", StartedAt: benchEnd.Add(-35 * time.Minute), EndedAt: benchEnd.Add(-30 * time.Minute),
		HandleTimeS: 300, PredictedSatisfaction: pf(0.8), PredictedResolution: pf(0.7), Source: "api"}
	var s views.Sums
	s.Add(&it)
	err := w.Apply(context.Background(), store.Batch{Partition: 0, Records: []store.Record{{Interaction: it, Partition: 0, Offset: off}},
		Buckets: []store.Bucket{{BucketKey: store.BucketKey{Tenant: benchTenant, Model: benchModel, Team: "team-0000", Agent: benchAgent(0),
			Inquiry: "inq-0", Hour: benchEnd.Add(-time.Hour)}, Partition: 0, Sums: s, Version: off}},
		Roster: []store.RosterPart{{Tenant: benchTenant, Agent: benchAgent(0), Model: benchModel, Partition: 0, Team: "team-0000",
			InteractionID: "newest", EndedAt: it.EndedAt, Version: off}}, Next: off + 1})
	if err != nil {
		tb.Fatal(err)
	}
}

// benchPerformance measures the cached performance page over st: the
// cold first request (one full build), then warm requests for random
// agents (p50/p99), and OnUpdate of one update into a hot hour. One
// uncached request and one warm-up pass (Views.Warm on fresh views) are
// timed for comparison; the live heap those fresh views add is the
// cache's memory (heap_MB). load is the time the data took to load
// (reported as load_s; 0 when reused), storeMB the store's heap (an
// embedded store's; 0: not reported).
func benchPerformance(b *testing.B, r store.Reader, agents int, load time.Duration, storeMB float64) {
	ctx := context.Background()
	params := views.DefaultParams()
	sv := storeview.New(r, params, storeview.WithCache(benchCache))
	spec := views.RangeSpec{Preset: views.Preset3M}
	start := time.Now()
	if _, err := sv.AgentPerformance(ctx, benchTenant, benchAgent(1), benchModel, spec, views.SortSpec{}); err != nil {
		b.Fatal(err)
	}
	cold := time.Since(start)
	start = time.Now()
	if _, err := storeview.New(r, params).AgentPerformance(ctx, benchTenant, benchAgent(2), benchModel, spec, views.SortSpec{}); err != nil {
		b.Fatal(err)
	}
	uncached := time.Since(start)
	for _, p := range []views.Preset{views.Preset1M, views.Preset1W, views.Preset24H} {
		if _, err := sv.AgentPerformance(ctx, benchTenant, benchAgent(1), benchModel, views.RangeSpec{Preset: p}, views.SortSpec{}); err != nil {
			b.Fatal(err)
		}
	}
	// Every agent's current team, remembered by the cache (one scan).
	start = time.Now()
	if _, err := sv.TeamAgents(ctx, benchTenant, "team-0000", benchModel, spec); err != nil {
		b.Fatal(err)
	}
	teams := time.Since(start)
	// A server's warm-up pass (Run): every entry built, teams learned.
	heap0 := heapMB()
	start = time.Now()
	warmed := storeview.New(r, params, storeview.WithCache(benchCache))
	if err := warmed.Warm(ctx); err != nil {
		b.Fatal(err)
	}
	warmup := time.Since(start)
	cacheMB := heapMB() - heap0
	runtime.KeepAlive(warmed)
	warmed = nil
	b.Run("warm", func(b *testing.B) {
		rng := rand.New(rand.NewPCG(1, 2))
		var lat []time.Duration
		b.ReportAllocs()
		for b.Loop() {
			agent := benchAgent(rng.IntN(agents))
			t0 := time.Now()
			perf, err := sv.AgentPerformance(ctx, benchTenant, agent, benchModel, spec, views.SortSpec{})
			if err != nil {
				b.Fatal(err)
			}
			lat = append(lat, time.Since(t0))
			if perf.Overall.Volume == 0 {
				b.Fatalf("%s has no volume", agent)
			}
		}
		reportLatency(b, lat)
		b.ReportMetric(float64(cold.Milliseconds()), "cold_ms")
		b.ReportMetric(float64(uncached.Milliseconds()), "uncached_ms")
		b.ReportMetric(float64(teams.Milliseconds()), "teams_ms")
		b.ReportMetric(float64(warmup.Milliseconds()), "warmup_ms")
		b.ReportMetric(cacheMB, "cache_heap_MB")
		if load > 0 {
			b.ReportMetric(load.Seconds(), "load_s")
		}
		if storeMB > 0 {
			b.ReportMetric(storeMB, "store_heap_MB")
		}
	})
	benchTeamRoutes(b, sv, agents)
	b.Run("onupdate", func(b *testing.B) {
		rng := rand.New(rand.NewPCG(3, 4))
		version := int64(1 << 40)
		b.ReportAllocs()
		for b.Loop() {
			a := rng.IntN(agents)
			version++
			u := schemas.Update{Tenant: benchTenant, Model: benchModel, Agent: benchAgent(a), Partition: int32(a % benchPartitns), Offset: version,
				Buckets: []schemas.UpdateBucket{{Team: fmt.Sprintf("team-%04d", a/10), Inquiry: "inq-3", Hour: benchEnd.Add(-2 * time.Hour),
					Sums: schemas.UpdateSums{Volume: 1 + version%3, HandleSum: 250, PsatN: 1, PsatSum: 0.7, PresN: 1, PresSum: 0.8}, Version: version}}}
			sv.OnUpdate(ctx, u)
		}
	})
}

func reportLatency(b *testing.B, lat []time.Duration) {
	if len(lat) == 0 {
		return
	}
	slices.Sort(lat)
	q := func(f float64) float64 {
		return float64(lat[min(len(lat)-1, int(f*float64(len(lat))))].Microseconds()) / 1000
	}
	b.ReportMetric(q(0.50), "p50_ms")
	b.ReportMetric(q(0.99), "p99_ms")
	b.ReportMetric(float64(lat[len(lat)-1].Microseconds())/1000, "max_ms")
	b.ReportMetric(0, "ns/op")
}

// BenchmarkPerformanceClickHouse is DESIGN.md §4's performance page
// (10,000 agents × 90 days in ClickHouse, see loadBench) and its scaling
// curve: one sub-benchmark per size of benchSizes (agents=1000, 10000,
// and 50000 with AGENTPULSE_BENCH_SCALE=full), each on one server. It
// skips when clickhouse-server is missing; plain `go test` never runs it.
// AGENTPULSE_BENCH_CLICKHOUSE_ADDR points it (only it) at a running server,
// with AGENTPULSE_BENCH_CLICKHOUSE_DB to reuse databases loaded there.
func BenchmarkPerformanceClickHouse(b *testing.B) {
	addr := os.Getenv("AGENTPULSE_BENCH_CLICKHOUSE_ADDR")
	if addr == "" {
		addr = chtest.Start(b)
	}
	for _, agents := range benchSizes(b, []int{1_000, 10_000}, []int{1_000, 10_000, 50_000}) {
		b.Run(fmt.Sprintf("agents=%d", agents), func(b *testing.B) {
			st, load, _ := benchClickHouse(b, addr, agents)
			benchPerformance(b, st, agents, load, 0)
		})
	}
}

// BenchmarkPerformanceEmbedded is the same page over the embedded store,
// loaded through store.Apply, for comparison: 1,000 agents by default;
// 10,000 with AGENTPULSE_BENCH_SCALE=full (7.2 million parts, ~3 GB of
// heap); AGENTPULSE_BENCH_AGENTS sets the sizes here too. 50,000 agents
// (~15 GB as Go maps) are not run: the machine's RAM is shared.
func BenchmarkPerformanceEmbedded(b *testing.B) {
	for _, agents := range benchSizes(b, []int{1_000}, []int{1_000, 10_000, 50_000}) {
		if agents > 20_000 {
			b.Logf("agents=%d: skipped, too large for the embedded store's maps in this machine's RAM", agents)
			continue
		}
		b.Run(fmt.Sprintf("agents=%d", agents), func(b *testing.B) {
			heap0 := heapMB()
			st := embedded.New()
			start := time.Now()
			loadBench(b, st, agents)
			load := time.Since(start)
			benchPerformance(b, st, agents, load, heapMB()-heap0)
		})
	}
}
