package simulator

import (
	"context"
	"io"
	"testing"
)

// benchmarkNDJSON measures the whole path: simulate, encode, write.
// It reports records/s; MB/s comes from SetBytes.
func benchmarkNDJSON(b *testing.B, agents, days int) {
	cfg := testConfig(agents, days)
	g := mustNew(b, cfg, 0)
	b.ReportAllocs()
	var records, bytes int64
	for b.Loop() {
		stats, n, err := g.WriteNDJSON(context.Background(), io.Discard)
		if err != nil {
			b.Fatal(err)
		}
		records, bytes = stats.Records, n
	}
	b.SetBytes(bytes)
	b.ReportMetric(float64(records)*float64(b.N)/b.Elapsed().Seconds(), "records/s")
	b.ReportMetric(float64(records), "records/op")
}

// BenchmarkSimulate1000Agents90Days is the acceptance size: 1,000 agents
// over 90 days (about 3.2 million records, 1.2 GB of NDJSON).
func BenchmarkSimulate1000Agents90Days(b *testing.B) { benchmarkNDJSON(b, 1000, 90) }

// BenchmarkSimulate100Agents7Days is a quick run of the same path.
func BenchmarkSimulate100Agents7Days(b *testing.B) { benchmarkNDJSON(b, 100, 7) }

// BenchmarkGenerate measures generation alone (no encoding).
func BenchmarkGenerate(b *testing.B) {
	g := mustNew(b, testConfig(100, 7), 0)
	b.ReportAllocs()
	var records int64
	for b.Loop() {
		stats, err := g.Run(context.Background(), func(Batch) error { return nil })
		if err != nil {
			b.Fatal(err)
		}
		records = stats.Records
	}
	b.ReportMetric(float64(records)*float64(b.N)/b.Elapsed().Seconds(), "records/s")
}

// BenchmarkShift measures one agent's working day.
func BenchmarkShift(b *testing.B) {
	g := mustNew(b, testConfig(1, 90), 0)
	a := &g.tenants[0].Agents[0]
	var r rng
	out := make([]rec, 0, 128)
	day := floorDiv(g.start, 86400) + 2
	b.ReportAllocs()
	for b.Loop() {
		for d := day; d < day+7; d++ {
			out = g.simulateShift(&r, 0, a, d, g.start, g.end, out[:0])
		}
	}
}
