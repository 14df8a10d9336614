package storeview_test

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"strings"
	"syscall"
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
//   - start_ms: a coaching plan's Start (3 months of one agent);
//   - cold_cpu_ms, cold_ch_cpu_ms: the CPU time of a cold build (mean of
//     the 3), this process's and the ClickHouse server's (when its pid
//     is known: the server the benchmark started, or
//     AGENTPULSE_BENCH_CLICKHOUSE_PID with AGENTPULSE_BENCH_CLICKHOUSE_ADDR),
//     which a loaded machine moves far less than the wall times.
//
// Each is the median of 3 runs on fresh views. Plain `go test` never
// runs it.
func BenchmarkRangesClickHouse(b *testing.B) {
	addr := os.Getenv("AGENTPULSE_BENCH_CLICKHOUSE_ADDR")
	chPid, _ := strconv.Atoi(os.Getenv("AGENTPULSE_BENCH_CLICKHOUSE_PID"))
	if addr == "" {
		srv, err := chtest.StartServer(b.TempDir())
		if err != nil {
			b.Skip(err)
		}
		b.Cleanup(func() { _ = srv.Close() })
		addr, chPid = srv.Addr, srv.Pid()
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
			cpu0, ch0 := processCPU(), pidCPU(chPid)
			cold := median(func() error {
				sv := storeview.New(st, params, storeview.WithCache(benchCache))
				_, err := sv.AgentPerformance(ctx, benchTenant, benchAgent(1), benchModel, spec3m, views.SortSpec{})
				return err
			})
			coldCPU, coldCH := (processCPU()-cpu0)/3, (pidCPU(chPid)-ch0)/3
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
			b.ReportMetric(float64(coldCPU.Milliseconds()), "cold_cpu_ms")
			if chPid > 0 {
				b.ReportMetric(float64(coldCH.Milliseconds()), "cold_ch_cpu_ms")
			}
			b.ReportMetric(float64(customD.Milliseconds()), "custom_ms")
			b.ReportMetric(float64(start.Microseconds())/1000, "start_ms")
			b.ReportMetric(0, "ns/op")
		})
	}
}

// processCPU is this process's CPU time (user and system).
func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// pidCPU is process pid's CPU time (user and system) from /proc, 0 when
// pid is 0 or unreadable.
func pidCPU(pid int) time.Duration {
	if pid <= 0 {
		return 0
	}
	raw, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0
	}
	// Fields after the command's closing parenthesis: state is the 1st,
	// utime the 12th and stime the 13th (proc(5)), in clock ticks (100/s).
	_, rest, ok := strings.Cut(string(raw), ") ")
	f := strings.Fields(rest)
	if !ok || len(f) < 13 {
		return 0
	}
	u, _ := strconv.ParseInt(f[11], 10, 64)
	s, _ := strconv.ParseInt(f[12], 10, 64)
	return time.Duration(u+s) * 10 * time.Millisecond
}
