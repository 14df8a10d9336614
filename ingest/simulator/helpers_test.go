package simulator

import (
	"bytes"
	"context"
	"testing"
	"time"

	"github.com/agentpulse/agentpulse/schemas"
)

// testEnd is the fixed end of every test period: tests never read the clock.
var testEnd = time.Date(2026, 11, 26, 0, 0, 0, 0, time.UTC)

// testConfig returns a small configuration ending at testEnd.
func testConfig(agents, days int) Config {
	cfg := DefaultConfig(testEnd)
	cfg.Agents, cfg.Days = agents, days
	return cfg
}

// mustNew builds a generator or fails the test.
func mustNew(t testing.TB, cfg Config, workers int) *Generator {
	t.Helper()
	g, err := New(cfg, workers)
	if err != nil {
		t.Fatalf("New(%+v): %v", cfg, err)
	}
	return g
}

// collect runs g and returns every record in stream order.
func collect(t testing.TB, g *Generator) ([]schemas.Interaction, Stats) {
	t.Helper()
	var out []schemas.Interaction
	stats, err := g.Run(context.Background(), func(b Batch) error {
		out = append(out, b.Records...)
		return nil
	})
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	return out, stats
}

// ndjson runs g through WriteNDJSON and returns the output.
func ndjson(t testing.TB, g *Generator) []byte {
	t.Helper()
	var buf bytes.Buffer
	if _, _, err := g.WriteNDJSON(context.Background(), &buf); err != nil {
		t.Fatalf("WriteNDJSON: %v", err)
	}
	return buf.Bytes()
}

// localTime returns the record's ended_at on its tenant's clock.
func localTime(g *Generator, it *schemas.Interaction) time.Time {
	for _, tn := range g.Tenants() {
		if tn.ID == it.TenantID {
			return it.EndedAt.Add(time.Duration(tn.UTCOffsetHours) * time.Hour)
		}
	}
	panic("unknown tenant " + it.TenantID)
}

// testContext is the context of test runs.
func testContext() context.Context { return context.Background() }
