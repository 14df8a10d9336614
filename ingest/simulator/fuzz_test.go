package simulator

import (
	"bytes"
	"context"
	"errors"
	"testing"
	"time"

	"github.com/agentpulse/agentpulse/schemas"
)

// FuzzGenerate drives the simulator with arbitrary settings: a config is
// either refused with ErrInvalidConfig or produces records that all pass
// the canonical decoder, with the counts its stats claim. Sizes are kept
// small so each input runs in milliseconds.
func FuzzGenerate(f *testing.F) {
	f.Add(int64(1), uint8(5), uint8(1), uint8(1), uint8(12), uint8(0), uint8(0), uint8(0), int32(0))
	f.Add(int64(-7), uint8(9), uint8(2), uint8(3), uint8(2), uint8(50), uint8(80), uint8(120), int32(-1234567))
	f.Add(int64(42), uint8(0), uint8(0), uint8(0), uint8(0), uint8(255), uint8(0), uint8(0), int32(0))
	f.Add(int64(3), uint8(4), uint8(1), uint8(9), uint8(1), uint8(255), uint8(255), uint8(255), int32(86399))
	f.Fuzz(func(t *testing.T, seed int64, agents, days, tenants, teamSize, dup, rev, late uint8, endShift int32) {
		cfg := Config{
			Seed:          seed,
			Agents:        int(agents % 24),
			Days:          int(days % 4),
			Tenants:       int(tenants % 5),
			TeamSize:      int(teamSize % 16),
			DuplicateRate: float64(dup) / 200, // above 1 past 200: must be refused
			RevisionRate:  float64(rev) / 200,
			LateRate:      float64(late) / 200,
			End:           testEnd.Add(time.Duration(endShift) * time.Second),
		}
		g, err := New(cfg, int(agents%3))
		if cfg.Validate() != nil {
			if !errors.Is(err, ErrInvalidConfig) {
				t.Fatalf("New(%+v) = %v, want ErrInvalidConfig", cfg, err)
			}
			return
		}
		if err != nil {
			t.Fatalf("New(%+v): %v", cfg, err)
		}
		var buf bytes.Buffer
		stats, n, err := g.WriteNDJSON(context.Background(), &buf)
		if err != nil || n != int64(buf.Len()) {
			t.Fatalf("WriteNDJSON: %v (%d bytes reported, %d written)", err, n, buf.Len())
		}
		from, to := g.Period()
		lines := bytes.Split(bytes.TrimSuffix(buf.Bytes(), []byte("\n")), []byte("\n"))
		if buf.Len() == 0 {
			lines = nil
		}
		for i, line := range lines {
			it, err := schemas.DecodeInteraction(line)
			if err != nil {
				t.Fatalf("line %d refused by the canonical decoder: %v\n%s", i+1, err, line)
			}
			if it.EndedAt.Before(from) || !it.EndedAt.Before(to) {
				t.Fatalf("line %d: ended_at %s outside [%s, %s)", i+1, it.EndedAt, from, to)
			}
		}
		if int64(len(lines)) != stats.Records || stats.Records != stats.Interactions+stats.Duplicates+stats.Revisions {
			t.Fatalf("%d lines, stats %+v", len(lines), stats)
		}
	})
}
