package simulator

import (
	"bytes"
	"context"
	"errors"
	"runtime"
	"testing"
	"time"

	"github.com/agentpulse/agentpulse/schemas"
)

func TestOutputIsIdenticalForAnyParallelism(t *testing.T) {
	cfg := testConfig(25, 6)
	cfg.Tenants = 3
	cfg.TeamSize = 5
	cfg.DuplicateRate, cfg.RevisionRate, cfg.LateRate = 0.05, 0.05, 0.05
	want := ndjson(t, mustNew(t, cfg, 1))
	if len(want) == 0 {
		t.Fatal("no output")
	}
	for _, workers := range []int{2, 3, 8} {
		if got := ndjson(t, mustNew(t, cfg, workers)); !bytes.Equal(got, want) {
			t.Errorf("workers=%d: output differs from workers=1 (%d vs %d bytes)", workers, len(got), len(want))
		}
	}
	prev := runtime.GOMAXPROCS(1)
	got := ndjson(t, mustNew(t, cfg, 0))
	runtime.GOMAXPROCS(prev)
	if !bytes.Equal(got, want) {
		t.Error("GOMAXPROCS=1: output differs")
	}
	// A second run of the same generator starts the stream afresh.
	g := mustNew(t, cfg, 2)
	if a, b := ndjson(t, g), ndjson(t, g); !bytes.Equal(a, b) {
		t.Error("two runs of one generator differ")
	}
}

func TestSeedAndEndChangeTheOutput(t *testing.T) {
	base := testConfig(20, 3)
	want := ndjson(t, mustNew(t, base, 0))
	other := base
	other.Seed++
	if bytes.Equal(ndjson(t, mustNew(t, other, 0)), want) {
		t.Error("a different seed gave the same output")
	}
	other = base
	other.End = other.End.Add(time.Hour)
	if bytes.Equal(ndjson(t, mustNew(t, other, 0)), want) {
		t.Error("a different end gave the same output")
	}
}

func TestEveryRecordIsValidAndInsideThePeriod(t *testing.T) {
	cfg := testConfig(45, 8)
	cfg.Tenants = 2
	cfg.End = time.Date(2026, 3, 1, 17, 0, 0, 0, time.UTC) // not midnight: day windows are 24 h from End
	cfg.DuplicateRate, cfg.RevisionRate, cfg.LateRate = 0.02, 0.02, 0.02
	g := mustNew(t, cfg, 0)
	from, to := g.Period()
	its, stats := collect(t, g)
	if int64(len(its)) != stats.Records {
		t.Fatalf("stats.Records = %d, emitted %d", stats.Records, len(its))
	}
	teams := map[string]string{}
	ids := map[string]bool{}
	for i := range its {
		it := &its[i]
		if err := it.Validate(); err != nil {
			t.Fatalf("record %d %s/%s invalid: %v", i, it.TenantID, it.InteractionID, err)
		}
		if it.EndedAt.Before(from) || !it.EndedAt.Before(to) {
			t.Errorf("record %d ended_at %s outside [%s, %s)", i, it.EndedAt, from, to)
		}
		if wall := it.EndedAt.Sub(it.StartedAt).Seconds(); wall < 0 || wall > it.HandleTimeS {
			t.Errorf("record %d: wall duration %vs not within 0..handle_time_s %v", i, wall, it.HandleTimeS)
		}
		if it.Source != Source || it.SourceRefs.Map()["sim_id"] == "" {
			t.Errorf("record %d: source %q refs %v", i, it.Source, it.SourceRefs)
		}
		key := it.TenantID + "/" + it.AgentID
		if team, ok := teams[key]; ok && team != it.TeamID {
			t.Errorf("agent %s moved from %s to %s", key, team, it.TeamID)
		}
		teams[key] = it.TeamID
		if it.Revision == 1 {
			ids[it.TenantID+"/"+it.InteractionID] = true
		}
	}
	if int64(len(ids)) != stats.Interactions {
		t.Errorf("%d distinct interaction ids, stats say %d interactions", len(ids), stats.Interactions)
	}
	// The NDJSON output is the same stream, and the strict decoder takes it.
	lines := bytes.Split(bytes.TrimSuffix(ndjson(t, g), []byte("\n")), []byte("\n"))
	if len(lines) != len(its) {
		t.Fatalf("%d lines, %d records", len(lines), len(its))
	}
	for i, line := range lines {
		if _, err := schemas.DecodeInteraction(line); err != nil {
			t.Fatalf("line %d refused by the decoder: %v", i+1, err)
		}
		if want := its[i].AppendJSON(nil); !bytes.Equal(line, want) {
			t.Fatalf("line %d = %s, record %d encodes as %s", i+1, line, i, want)
		}
	}
}

func TestRecordsArriveInEndedAtOrderWithoutFaults(t *testing.T) {
	cfg := testConfig(15, 5)
	cfg.Tenants = 4 // different UTC offsets interleave
	its, _ := collect(t, mustNew(t, cfg, 0))
	for i := 1; i < len(its); i++ {
		if its[i].EndedAt.Before(its[i-1].EndedAt) {
			t.Fatalf("record %d ended %s before record %d at %s", i, its[i].EndedAt, i-1, its[i-1].EndedAt)
		}
	}
}

func TestRosterIsStableAndTeamsAreBounded(t *testing.T) {
	cfg := testConfig(51, 1)
	cfg.Tenants, cfg.TeamSize = 2, 12
	g := mustNew(t, cfg, 0)
	tenants := g.Tenants()
	if len(tenants) != 2 || tenants[0].ID != "acme" || tenants[1].ID != "globex" {
		t.Fatalf("tenants = %v", TenantIDs(2))
	}
	if n0, n1 := len(tenants[0].Agents), len(tenants[1].Agents); n0 != 51 || n1 != 51 {
		t.Fatalf("agents per tenant = %d, %d; want 51 each", n0, n1)
	}
	for _, tn := range tenants {
		size := map[string]int{}
		for _, a := range tn.Agents {
			size[a.TeamID]++
			if len(a.Models) < 1 || len(a.Models) > 2 {
				t.Errorf("%s works %v", a.AgentID, a.Models)
			}
		}
		// 51 agents in teams of at most 12: 5 teams of 11 or 10.
		lo, hi := cfg.TeamSize, 0
		for _, n := range size {
			lo, hi = min(lo, n), max(hi, n)
		}
		if len(size) != (len(tn.Agents)+cfg.TeamSize-1)/cfg.TeamSize || hi > cfg.TeamSize || hi-lo > 1 {
			t.Errorf("%s team sizes %v: want the fewest teams of at most %d, sizes within one", tn.ID, size, cfg.TeamSize)
		}
	}
	// The roster does not depend on the period.
	other := cfg
	other.Days, other.End = 30, testEnd.Add(-400*time.Hour)
	a, b := g.Tenants()[1].Agents[7], mustNew(t, other, 0).Tenants()[1].Agents[7]
	if a.AgentID != b.AgentID || a.Skill != b.Skill || a.TeamID != b.TeamID {
		t.Errorf("agent changed with the period: %+v vs %+v", a, b)
	}
}

func TestTenantNames(t *testing.T) {
	got := TenantIDs(10)
	want := []string{"acme", "globex", "initech", "umbrella", "hooli", "stark", "wayne", "wonka", "tenant-9", "tenant-10"}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("tenant %d = %q, want %q", i, got[i], want[i])
		}
	}
}

func TestRunStopsOnCallbackErrorAndCancel(t *testing.T) {
	g := mustNew(t, testConfig(10, 5), 0)
	stop := errors.New("stop")
	calls := 0
	_, err := g.Run(context.Background(), func(Batch) error { calls++; return stop })
	if !errors.Is(err, stop) || calls != 1 {
		t.Errorf("err = %v after %d calls, want stop after 1", err, calls)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := g.Run(ctx, func(Batch) error { return nil }); !errors.Is(err, context.Canceled) {
		t.Errorf("err = %v, want context.Canceled", err)
	}
}
