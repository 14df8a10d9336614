package storeview_test

import (
	"context"
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/agentpulse/agentpulse/processor/store/clickhouse/chtest"
	"github.com/agentpulse/agentpulse/views"
	"github.com/agentpulse/agentpulse/views/storeview"
)

// BenchmarkRangesClickHouse measures what rollups change, on loadBench's
// data in ClickHouse (sizes of benchSizes: 1,000 and 10,000 agents × 90
// days; 50,000 with AGENTPULSE_BENCH_SCALE=full):
//
//   - seal_s: the first compaction of the 90 days (once per cluster);
//   - cold_ms: a server's cold build of the model's cache entry (the
//     first cached request: four presets);
//   - custom_ms: a model-wide custom range with ragged ends (an uncached
//     AgentPerformance over [end−75d+5h, end−2d+7h): every agent's sums);
//   - start_ms: a coaching plan's Start (3 months of one agent).
//
// Each is the median of 3 runs on fresh views. Plain `go test` never
// runs it.
func BenchmarkRangesClickHouse(b *testing.B) {
	addr := os.Getenv("AGENTPULSE_BENCH_CLICKHOUSE_ADDR")
	if addr == "" {
		addr = chtest.Start(b)
	}
	for _, agents := range benchSizes(b, []int{1_000, 10_000}, []int{1_000, 10_000, 50_000}) {
		b.Run(fmt.Sprintf("agents=%d", agents), func(b *testing.B) {
			st, _, _ := benchClickHouse(b, addr, agents)
			seal := benchSeal(b, st)
			ctx := context.Background()
			params := views.DefaultParams()
			median := func(f func() error) time.Duration {
				var d []time.Duration
				for range 3 {
					t0 := time.Now()
					if err := f(); err != nil {
						b.Fatal(err)
					}
					d = append(d, time.Since(t0))
				}
				return min(max(d[0], d[1]), max(d[0], d[2]), max(d[1], d[2]))
			}
			spec3m := views.RangeSpec{Preset: views.Preset3M}
			custom := views.RangeSpec{Custom: true, From: benchEnd.AddDate(0, 0, -75).Add(5 * time.Hour),
				To: benchEnd.AddDate(0, 0, -2).Add(7 * time.Hour)}
			cold := median(func() error {
				sv := storeview.New(st, params, storeview.WithCache(benchCache))
				_, err := sv.AgentPerformance(ctx, benchTenant, benchAgent(1), benchModel, spec3m, views.SortSpec{})
				return err
			})
			customD := median(func() error {
				_, err := storeview.New(st, params).AgentPerformance(ctx, benchTenant, benchAgent(2), benchModel, custom, views.SortSpec{})
				return err
			})
			start := median(func() error {
				_, err := storeview.New(st, params).AgentInquirySums(ctx, benchTenant, benchModel, benchAgent(3), "inq-1",
					views.StartWindow(benchEnd.Add(-17*time.Minute)))
				return err
			})
			for b.Loop() {
			}
			b.ReportMetric(seal.Seconds(), "seal_s")
			b.ReportMetric(float64(cold.Milliseconds()), "cold_ms")
			b.ReportMetric(float64(customD.Milliseconds()), "custom_ms")
			b.ReportMetric(float64(start.Microseconds())/1000, "start_ms")
			b.ReportMetric(0, "ns/op")
		})
	}
}
