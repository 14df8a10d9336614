package simulator

import (
	"context"
	"errors"
	"math"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/agentpulse/agentpulse/schemas"
)

// stepClock is a Clock that advances only when slept on: a run over an
// hour of its time takes milliseconds and counts exactly.
type stepClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *stepClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *stepClock) Sleep(ctx context.Context, d time.Duration) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
	return nil
}

// liveStart is a Wednesday at 10:00 UTC: acme (UTC) is fully staffed.
var liveStart = time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)

// liveConfig returns a small live world on a step clock starting at at.
func liveConfig(rate float64, at time.Time) LiveConfig {
	return LiveConfig{World: testConfig(60, 1), Rate: rate, RunID: "t1", Clock: &stepClock{now: at}}
}

// runFor runs l until its clock has advanced by d (or Count is reached)
// and returns every batch.
func runFor(t *testing.T, l *Live, d time.Duration) [][]schemas.Interaction {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	clock := l.Config().Clock
	stop := clock.Now().Add(d)
	var batches [][]schemas.Interaction
	err := l.Run(ctx, func(b []schemas.Interaction) error {
		batches = append(batches, b)
		if !clock.Now().Before(stop) {
			cancel()
		}
		return nil
	})
	if err != nil && !errors.Is(err, context.Canceled) {
		t.Fatal(err)
	}
	return batches
}

func flatten(bs [][]schemas.Interaction) []schemas.Interaction {
	var out []schemas.Interaction
	for _, b := range bs {
		out = append(out, b...)
	}
	return out
}

func TestLiveRateOverAControlledClock(t *testing.T) {
	for _, tc := range []struct {
		rate     float64
		interval time.Duration
		d        time.Duration
	}{
		{200, 50 * time.Millisecond, time.Minute},
		{7.3, 100 * time.Millisecond, 100 * time.Second},
		{0.5, 50 * time.Millisecond, time.Minute},
		{20000, 50 * time.Millisecond, 5 * time.Second},
	} {
		cfg := liveConfig(tc.rate, liveStart)
		cfg.Interval = tc.interval
		l, err := NewLive(cfg)
		if err != nil {
			t.Fatal(err)
		}
		batches := runFor(t, l, tc.d)
		n := len(flatten(batches))
		want := tc.rate * tc.d.Seconds()
		// The bucket never loses or invents more than one token.
		if math.Abs(float64(n)-want) > 1 {
			t.Errorf("rate %v over %v: %d interactions, want %.0f ± 1", tc.rate, tc.d, n, want)
		}
		if perBatch := want / float64(len(batches)); tc.rate >= 200 && math.Abs(perBatch-tc.rate*tc.interval.Seconds()) > 1 {
			t.Errorf("rate %v: %.1f per batch, want a batch every interval", tc.rate, perBatch)
		}
		if st := l.Stats(); st.Interactions != int64(n) || st.Records != int64(n) {
			t.Errorf("stats %+v, want %d interactions and records", st, n)
		}
	}
}

func TestLiveRecordsAreValidNowAndUnique(t *testing.T) {
	l, err := NewLive(liveConfig(300, liveStart))
	if err != nil {
		t.Fatal(err)
	}
	batches := runFor(t, l, 20*time.Second)
	seen := map[string]bool{}
	prevEnd := liveStart
	for bi, b := range batches {
		batchTime := liveStart.Add(time.Duration(bi+1) * DefaultLiveInterval)
		for i := range b {
			it := &b[i]
			if err := it.Validate(); err != nil {
				t.Fatalf("batch %d record %d: %v", bi, i, err)
			}
			if _, err := schemas.DecodeInteraction(it.AppendJSON(nil)); err != nil {
				t.Fatalf("batch %d record %d does not survive encoding: %v", bi, i, err)
			}
			key := it.TenantID + "/" + it.InteractionID
			if seen[key] {
				t.Fatalf("id %s repeats", key)
			}
			seen[key] = true
			if !strings.HasPrefix(it.InteractionID, "live-t1-") || it.Source != Source || !strings.Contains(it.SourceRefs.Map()["sim_id"], "/live-t1/") {
				t.Fatalf("ids %q %v", it.InteractionID, it.SourceRefs)
			}
			if it.EndedAt.After(batchTime) || it.EndedAt.Before(batchTime.Add(-DefaultLiveInterval)) || it.EndedAt.Before(prevEnd) {
				t.Fatalf("ended_at %v outside the interval ending %v, or before %v", it.EndedAt, batchTime, prevEnd)
			}
			prevEnd = it.EndedAt
			if it.StartedAt.After(it.EndedAt) || it.EndedAt.Sub(it.StartedAt) > time.Duration(it.HandleTimeS)*time.Second {
				t.Fatalf("started_at %v, ended_at %v, handle %v s", it.StartedAt, it.EndedAt, it.HandleTimeS)
			}
		}
	}
	if len(seen) != 6000 {
		t.Errorf("%d records, want 6000", len(seen))
	}
	// Another run (another run id) never reuses an id.
	cfg := liveConfig(300, liveStart)
	cfg.RunID = "t2"
	l2, _ := NewLive(cfg)
	for _, it := range flatten(runFor(t, l2, 5*time.Second)) {
		if seen[it.TenantID+"/"+it.InteractionID] {
			t.Fatalf("run t2 repeats id %s", it.InteractionID)
		}
	}
}

func TestLiveCountStopsTheRun(t *testing.T) {
	cfg := liveConfig(1000, liveStart)
	cfg.Count = 2345
	l, _ := NewLive(cfg)
	var got []schemas.Interaction
	if err := l.Run(context.Background(), func(b []schemas.Interaction) error { got = append(got, b...); return nil }); err != nil {
		t.Fatal(err)
	}
	if len(got) != 2345 || l.Stats().Interactions != 2345 {
		t.Errorf("%d records, stats %+v; want 2345", len(got), l.Stats())
	}
	if err := l.Run(context.Background(), func([]schemas.Interaction) error { return nil }); !errors.Is(err, ErrLiveStarted) {
		t.Errorf("second Run: %v, want ErrLiveStarted", err)
	}
}

func TestLiveFaults(t *testing.T) {
	cfg := liveConfig(500, liveStart)
	cfg.Count = 4000
	cfg.World.DuplicateRate, cfg.World.RevisionRate, cfg.World.LateRate = 0.1, 0.1, 0.1
	l, _ := NewLive(cfg)
	var got []schemas.Interaction
	var emitted []time.Time // clock time of each record's batch
	err := l.Run(context.Background(), func(b []schemas.Interaction) error {
		got = append(got, b...)
		for range b {
			emitted = append(emitted, cfg.Clock.Now())
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	st := l.Stats()
	type key struct {
		id  string
		rev int64
	}
	count := map[key]int{}
	late := 0
	for i := range got {
		it := &got[i]
		if err := it.Validate(); err != nil {
			t.Fatal(err)
		}
		count[key{it.InteractionID, it.Revision}]++
		if it.Revision == 1 && emitted[i].Sub(it.EndedAt) > cfg.Interval+time.Millisecond {
			late++
		}
	}
	dups, revs, originals := 0, 0, 0
	for k, c := range count {
		if k.rev == 1 {
			originals++
			dups += c - 1
		} else {
			revs += c
			if count[key{k.id, 1}] == 0 {
				t.Errorf("revision of %s without its original", k.id)
			}
		}
	}
	// Every interaction arrives (late ones too, flushed at the end), and
	// the fault counts agree with the records.
	if originals != 4000 || int64(dups) != st.Duplicates || int64(revs) != st.Revisions ||
		int64(len(got)) != st.Records || st.Records != 4000+st.Duplicates+st.Revisions {
		t.Errorf("originals %d dups %d revs %d records %d; stats %+v", originals, dups, revs, len(got), st)
	}
	for name, n := range map[string]int64{"duplicates": st.Duplicates, "revisions": st.Revisions, "late": st.Late} {
		if n < 250 || n > 550 {
			t.Errorf("%d %s for a rate of 0.1 over 4000, want about 400", n, name)
		}
	}
	if late < int(st.Late)/2 {
		t.Errorf("%d originals delivered after their own interval, want most of the %d late ones", late, st.Late)
	}
}

// TestLiveSameWorldAsHistory: with the same seed, agents and tenants the
// live generator has the historical roster, and the shifts it staffs
// from are those the historical stream simulates.
func TestLiveSameWorldAsHistory(t *testing.T) {
	world := testConfig(40, 2)
	world.Tenants = 3
	g := mustNew(t, world, 0)
	l, err := NewLive(LiveConfig{World: world, Rate: 10, Clock: &stepClock{now: testEnd}})
	if err != nil {
		t.Fatal(err)
	}
	for ti, tn := range g.Tenants() {
		lt := l.Tenants()[ti]
		if lt.ID != tn.ID || len(lt.Agents) != len(tn.Agents) {
			t.Fatalf("tenant %d: %s with %d agents, want %s with %d", ti, lt.ID, len(lt.Agents), tn.ID, len(tn.Agents))
		}
		for ai, a := range tn.Agents {
			la := lt.Agents[ai]
			if la.AgentID != a.AgentID || la.TeamID != a.TeamID || strings.Join(la.Models, ",") != strings.Join(a.Models, ",") || la.Skill != a.Skill {
				t.Fatalf("agent %d differs: %+v vs %+v", ai, la, a)
			}
		}
	}
	index := map[string]agentRef{}
	for _, ref := range l.agents {
		index[l.tenants[ref.tenant].ID+"/"+l.tenants[ref.tenant].Agents[ref.agent].AgentID] = ref
	}
	its, _ := collect(t, g)
	var r rng
	for i := range its {
		ref := index[its[i].TenantID+"/"+its[i].AgentID]
		if !l.working(&r, ref, its[i].StartedAt.Unix()) {
			t.Fatalf("historical record %s starts at %v, when the live roster has %s off shift", its[i].InteractionID, its[i].StartedAt, its[i].AgentID)
		}
	}
}

// TestLiveStaffsFromShifts: live contacts go to agents on shift, and at
// an hour when nobody works the feed goes on from every agent.
func TestLiveStaffsFromShifts(t *testing.T) {
	l, _ := NewLive(liveConfig(100, liveStart))
	index := map[string]agentRef{}
	for _, ref := range l.agents {
		index[l.tenants[ref.tenant].Agents[ref.agent].AgentID] = ref
	}
	var r rng
	for _, it := range flatten(runFor(t, l, 30*time.Second)) {
		if !l.working(&r, index[it.AgentID], it.EndedAt.Unix()) {
			t.Fatalf("%s took a contact at %v off shift", it.AgentID, it.EndedAt)
		}
	}
	// A lone agent is off shift most hours (Sunday 3:00 here, or the
	// fallback is exercised whenever it is): the feed must go on.
	cfg := liveConfig(100, time.Date(2026, 11, 29, 3, 0, 0, 0, time.UTC))
	cfg.World.Agents = 1
	lone, err := NewLive(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if n := len(flatten(runFor(t, lone, 10*time.Second))); n < 999 {
		t.Errorf("%d records with nobody on shift, want the feed to go on", n)
	}
}

func TestNewLiveRefusesBadSettings(t *testing.T) {
	for _, tc := range []struct {
		edit func(*LiveConfig)
		flag string
	}{
		{func(c *LiveConfig) { c.Rate = 0 }, "--rate"},
		{func(c *LiveConfig) { c.Rate = math.NaN() }, "--rate"},
		{func(c *LiveConfig) { c.Rate = 2e6 }, "--rate"},
		{func(c *LiveConfig) { c.Count = -1 }, "--count"},
		{func(c *LiveConfig) { c.Interval = time.Hour }, "--interval"},
		{func(c *LiveConfig) { c.RunID = "has space" }, "--run-id"},
		{func(c *LiveConfig) { c.World.Agents = 0 }, "--agents"},
		{func(c *LiveConfig) { c.World.LateRate = 2 }, "--late-rate"},
	} {
		cfg := liveConfig(10, liveStart)
		tc.edit(&cfg)
		_, err := NewLive(cfg)
		if !errors.Is(err, ErrInvalidConfig) || !strings.Contains(err.Error(), tc.flag) {
			t.Errorf("err = %v, want ErrInvalidConfig naming %s", err, tc.flag)
		}
	}
	cfg := liveConfig(10, liveStart)
	cfg.RunID = ""
	l, err := NewLive(cfg)
	if err != nil || !validRunID(l.Config().RunID) || !strings.HasPrefix(l.Config().RunID, strconv.FormatInt(liveStart.UnixMilli(), 36)+"-") {
		t.Errorf("default run id %q (%v), want the start time in base 36 first", l.Config().RunID, err)
	}
}

func TestLiveEmitErrorStopsTheRun(t *testing.T) {
	l, _ := NewLive(liveConfig(100, liveStart))
	boom := errors.New("boom")
	if err := l.Run(context.Background(), func([]schemas.Interaction) error { return boom }); !errors.Is(err, boom) {
		t.Errorf("err = %v, want emit's error", err)
	}
}

// BenchmarkLive measures generating live records (no faults), per record.
func BenchmarkLive(b *testing.B) {
	cfg := liveConfig(MaxLiveRate, liveStart)
	cfg.World.Agents = 1000
	cfg.Count = int64(b.N)
	l, err := NewLive(cfg)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	if err := l.Run(context.Background(), func([]schemas.Interaction) error { return nil }); err != nil {
		b.Fatal(err)
	}
}
