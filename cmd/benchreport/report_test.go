package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestReport(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "BENCHMARKS.md")
	if err := run("testdata/bench.txt", out, "make bench", "AGENTPULSE_BENCH_SCALE=full", "2026-11-30T16:00:00Z"); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	md := string(b)
	for _, want := range []string{
		// A target met, one missed with its reason, one not in the run.
		"| freshness, ingest accepted → websocket message received | p99 ≤ 50 ms at 1 000 interactions/s | 3.049 p99_ms | yes |",
		"| websocket fan-out, one server | 10 000 subscribers, broadcast p99 ≤ 100 ms | 196.3 broadcast_p99_ms | **no** |",
		"- **websocket fan-out, one server** falls short: the 10 000 client sockets",
		"| HTTP ingest, NDJSON batches, durable broker ack | ≥ 100 000 interactions/s | not measured in this run | — |",
		// The last result of a name is the one reported.
		"| replay/backfill, Kafka → processor → ClickHouse | ≥ 250 000 interactions/s | 110\u202f000 interactions/s | **no** |",
		// The command reruns exactly the target's benchmark.
		"`go test -run '^$' -bench '^BenchmarkFanout$/^hub$' -benchmem ./server/ws/`",
		"`go test -run '^$' -bench '^BenchmarkReplayToClickHouse$/^n=1000000$' -benchmem ./processor/`",
		// Same-run ratios.
		"| 196.3 broadcast_p99_ms | 152.7 broadcast_p99_ms | 1.29 |",
		"| 110\u202f000 interactions/s | 220\u202f000 raw_interactions/s | 0.50 |",
		// The scaling curve, sorted by size, with every unit.
		"### ReplayToClickHouse/n=…",
		"| n | ns/op | interactions/s | raw_interactions/s | replay/raw | peak_heap_MB |",
		"| 100\u202f000 | 1\u202f000\u202f000\u202f000 | 120\u202f000 | 240\u202f000 | 0.5 | 210 |",
		"| 1\u202f000\u202f000 | 1\u202f000\u202f000\u202f000 | 110\u202f000 | 220\u202f000 | 0.5 | 480 |",
		// Every line verbatim, under its package.
		"pkg: github.com/agentpulse/agentpulse/server/ws\nBenchmarkFanout/hub-2      \t      20\t 172880059 ns/op",
		"with `AGENTPULSE_BENCH_SCALE=full`",
	} {
		if !strings.Contains(md, want) {
			t.Errorf("report lacks %q\n%s", want, md)
		}
	}
}

func TestParseRejectsMalformedLine(t *testing.T) {
	_, err := parse(bytes.NewReader([]byte("BenchmarkX-2 notanumber 5 ns/op\n")), nil)
	if err == nil || !strings.Contains(err.Error(), "iteration count") {
		t.Fatalf("err = %v, want a syntax error naming the iteration count", err)
	}
}

func TestNumber(t *testing.T) {
	for v, want := range map[float64]string{0: "0", 3.049: "3.049", 0.5: "0.5", 196.3: "196.3", 1234567: "1\u202f234\u202f567", 62.5: "62.5"} {
		if got := number(v); got != want {
			t.Errorf("number(%v) = %q, want %q", v, got, want)
		}
	}
}

// TestTargetsNameExistingBenchmarks keeps targets.go and the benchmarks in
// step: a renamed benchmark would otherwise show as "not measured".
func TestTargetsNameExistingBenchmarks(t *testing.T) {
	defined := map[string]string{} // "BenchmarkX" → its package directory
	root := filepath.Join("..", "..")
	err := filepath.WalkDir(root, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, "_test.go") {
			return err
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for _, line := range strings.Split(string(b), "\n") {
			if name, ok := strings.CutPrefix(line, "func Benchmark"); ok {
				name, _, _ = strings.Cut(name, "(")
				dir, _ := filepath.Rel(root, filepath.Dir(path))
				defined[name] = "./" + dir + "/"
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, tg := range targets {
		base := strings.SplitN(tg.Bench, "/", 2)[0]
		if pkg, ok := defined[base]; !ok || pkg != tg.Pkg {
			t.Errorf("target %q: Benchmark%s is in %q, want %q", tg.What, base, pkg, tg.Pkg)
		}
	}
	for _, c := range comparisons {
		for _, b := range []string{c.Bench, c.OverBench} {
			if base := strings.SplitN(b, "/", 2)[0]; defined[base] == "" {
				t.Errorf("comparison %q: no Benchmark%s", c.What, base)
			}
		}
	}
}
