package processor

import (
	"runtime"
	"testing"
	"time"

	"github.com/agentpulse/agentpulse/schemas"
)

// BenchmarkDecodeFold is the processor's per-record work without Kafka or a
// store: decode a simulated record's JSON and fold it, taking a batch every
// 5,000 records and evicting the days past a 7-day horizon as if each
// batch were stored at once (about 55 days of a 100-agent center). One op
// folds every record into a new fold; cpu_ns/record (the process's CPU
// time, garbage collection included, which the machine's load hardly
// moves) and allocs/record are the figures to read (a record's share of
// the maps' and slices' growth included).
func BenchmarkDecodeFold(b *testing.B) {
	const n = 200_000
	var data [][]byte
	simulatedStream(b, n, 10_000, func(its []schemas.Interaction) {
		for i := range its {
			data = append(data, its[i].AppendJSON(nil))
		}
	})
	b.ReportAllocs()
	b.ResetTimer()
	var ms0, ms1 runtime.MemStats
	runtime.ReadMemStats(&ms0)
	cpu0 := processCPU()
	for b.Loop() {
		f := newFold(0)
		f.horizon = 7 * 24 * time.Hour
		for i, d := range data {
			it, err := schemas.DecodeInteraction(d)
			if err != nil {
				b.Fatal(err)
			}
			f.apply(&it, int64(i))
			if (i+1)%5000 == 0 {
				f.takeBatch(int64(i + 1))
				f.evict(f.seq)
			}
		}
	}
	cpu := processCPU() - cpu0
	runtime.ReadMemStats(&ms1)
	records := float64(b.N) * n
	b.ReportMetric(float64(cpu.Nanoseconds())/records, "cpu_ns/record")
	b.ReportMetric(float64(ms1.Mallocs-ms0.Mallocs)/records, "allocs/record")
	b.ReportMetric(float64(ms1.TotalAlloc-ms0.TotalAlloc)/records, "B/record")
}
