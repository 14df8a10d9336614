package main

import (
	"flag"
	"fmt"
	"log/slog"
	"math"
	"os"
	"runtime/debug"
	"strconv"
	"strings"
)

// defaultMemoryLimit is the soft memory limit of `agentpulse all`: the
// garbage collector works harder as the heap nears it instead of letting
// the heap grow to twice what is live (GOGC=100), which is most of the
// resident memory of a single-process deployment. It is soft: a live heap
// larger than it is not refused, only collected more often, and then the
// collector runs without pause at about half the CPU. So it must sit above
// the live heap with room to spare: `make run` (300 agents × 90 days,
// learner on) lives at ~1.1 GB once caught up (it was ~2.4 GB before the
// embedded store's and the learner's compact state, with a 3 GiB
// default), ~1.3–1.7 GB while the simulated history is backfilled and the
// learner catches up. 1792MiB: ~1.85 GB resident, the collector calm
// throughout. 1.4 GiB held ~1.6 GB resident once caught up, but ran the
// collector without pause during the catch-up (see the note of s19-mem);
// DESIGN.md §4's 1.5 GB needs a smaller live heap.
const defaultMemoryLimit = "1792MiB"

// memoryLimit is the --memory-limit flag: a size, or "off".
type memoryLimit struct{ v string }

func (m *memoryLimit) register(fs *flag.FlagSet) {
	fs.StringVar(&m.v, "memory-limit", defaultMemoryLimit, `soft memory limit of the process (runtime/debug.SetMemoryLimit): a size such as 1GiB, 1536MiB, 2GB or plain bytes; "off": none (GOMEMLIMIT, when set and this flag is not, wins)`)
}

// parseSize reads a byte size: digits with an optional unit (B, KB, MB,
// GB, KiB, MiB, GiB; case-insensitive), or "off" (-1: no limit).
func parseSize(s string) (int64, error) {
	t := strings.TrimSpace(strings.ToLower(s))
	if t == "off" {
		return -1, nil
	}
	units := []struct {
		suffix string
		mul    float64
	}{{"kib", 1 << 10}, {"mib", 1 << 20}, {"gib", 1 << 30}, {"kb", 1e3}, {"mb", 1e6}, {"gb", 1e9}, {"b", 1}}
	mul := 1.0
	for _, u := range units {
		if strings.HasSuffix(t, u.suffix) {
			t, mul = strings.TrimSpace(strings.TrimSuffix(t, u.suffix)), u.mul
			break
		}
	}
	f, err := strconv.ParseFloat(t, 64)
	if err != nil || !(f > 0) || math.IsInf(f, 0) || f*mul >= math.MaxInt64 {
		return 0, fmt.Errorf("--memory-limit: want a positive size such as 1GiB, 1536MiB or 2GB, or off; got %q", s)
	}
	return int64(f * mul), nil
}

// apply sets the soft memory limit, after fs was parsed. When neither the
// flag nor its AGENTPULSE_MEMORY_LIMIT fallback was given and GOMEMLIMIT
// is in the environment, the runtime's own setting stays.
func (m *memoryLimit) apply(fs *flag.FlagSet, log *slog.Logger) error {
	set := false
	fs.Visit(func(f *flag.Flag) { set = set || f.Name == "memory-limit" })
	n, err := parseSize(m.v)
	if err != nil {
		return &usageError{err.Error()}
	}
	if !set && os.Getenv("GOMEMLIMIT") != "" {
		log.Info("soft memory limit from GOMEMLIMIT", "bytes", debug.SetMemoryLimit(-1))
		return nil
	}
	if n < 0 {
		debug.SetMemoryLimit(math.MaxInt64)
		log.Info("no soft memory limit (--memory-limit=off)")
		return nil
	}
	debug.SetMemoryLimit(n)
	log.Info("soft memory limit", "bytes", n, "flag", m.v)
	return nil
}
