package main

import (
	"flag"
	"io"
	"log/slog"
	"math"
	"runtime/debug"
	"testing"
)

func TestParseSize(t *testing.T) {
	for in, want := range map[string]int64{
		"1GiB": 1 << 30, "1536MiB": 1536 << 20, "2GB": 2e9, "1.5gib": 3 << 29, "4096": 4096, "512 KiB": 512 << 10,
		"off": -1, "OFF": -1, "10b": 10,
	} {
		if got, err := parseSize(in); err != nil || got != want {
			t.Errorf("parseSize(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	for _, in := range []string{"", "0", "-1GiB", "GiB", "1TB", "NaN", "inf", "1e30GiB", "lots"} {
		if _, err := parseSize(in); err == nil {
			t.Errorf("parseSize(%q): no error", in)
		}
	}
}

// TestMemoryLimitApplies: the flag (or its environment fallback) sets the
// runtime's soft limit; "off" removes it; a bad value is a usage error
// naming the flag.
func TestMemoryLimitApplies(t *testing.T) {
	defer debug.SetMemoryLimit(debug.SetMemoryLimit(-1))
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	run := func(args ...string) error {
		fs := flag.NewFlagSet("all", flag.ContinueOnError)
		var m memoryLimit
		m.register(fs)
		if err := parseFlags(fs, args); err != nil {
			return err
		}
		return m.apply(fs, log)
	}
	if err := run("--memory-limit=768MiB"); err != nil || debug.SetMemoryLimit(-1) != 768<<20 {
		t.Fatalf("--memory-limit=768MiB: %v, limit %d", err, debug.SetMemoryLimit(-1))
	}
	t.Setenv("AGENTPULSE_MEMORY_LIMIT", "off")
	if err := run(); err != nil || debug.SetMemoryLimit(-1) != math.MaxInt64 {
		t.Fatalf("AGENTPULSE_MEMORY_LIMIT=off: %v, limit %d", err, debug.SetMemoryLimit(-1))
	}
	t.Setenv("AGENTPULSE_MEMORY_LIMIT", "")
	if err := run("--memory-limit=lots"); err == nil {
		t.Fatal("a bad size was accepted")
	} else if _, ok := err.(*usageError); !ok {
		t.Fatalf("a bad size: %T %v, want a usage error", err, err)
	}
}
