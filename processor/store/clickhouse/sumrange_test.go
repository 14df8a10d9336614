package clickhouse

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/agentpulse/agentpulse/outcomes"
	"github.com/agentpulse/agentpulse/processor/store"
	"github.com/agentpulse/agentpulse/views"
)

// TestSumBucketsRangeBoundaries is a hand-computed SumBuckets of four
// nested ranges (as a cache build's presets: one end, four starts) over
// parts lying exactly on the ranges' starts, an hour before them and on
// their end, read from hours, then from sealed days (where a day is read
// as a rollup by the wider range and as hours by the narrower one), then
// with a learned part (the learned columns are read only from then on).
func TestSumBucketsRangeBoundaries(t *testing.T) {
	s := openStore(t, newDatabase(t))
	ctx := context.Background()
	at := func(s string) time.Time {
		t, err := time.Parse("2006-01-02 15:04", s)
		if err != nil {
			panic(err)
		}
		return t
	}
	to := at("2026-03-03 10:00")
	starts := []time.Time{at("2026-02-22 00:00"), at("2026-02-27 05:00"), at("2026-03-02 10:00"), at("2026-03-03 09:00")}
	part := func(agent, team, hour string, vol int64, version int64) store.Bucket {
		return store.Bucket{BucketKey: store.BucketKey{Tenant: "t1", Model: "voice", Agent: agent, Team: team, Inquiry: "x",
			Hour: at(hour)}, Partition: 0, Version: version, Sums: views.Sums{Volume: vol, HandleSum: 10 * float64(vol)}}
	}
	// Volumes are powers of two: each range's sum names its parts.
	parts := []store.Bucket{
		part("a1", "A", "2026-02-21 23:00", 1, 1),    // before every start: no range
		part("a1", "A", "2026-02-22 00:00", 2, 2),    // on start 0: range 0
		part("a1", "A", "2026-02-25 12:00", 4, 3),    // range 0
		part("a1", "A", "2026-02-27 04:00", 8, 4),    // an hour before start 1: range 0
		part("a1", "A", "2026-02-27 05:00", 16, 5),   // on start 1: ranges 0, 1
		part("a1", "A", "2026-03-01 00:00", 32, 6),   // ranges 0, 1
		part("a1", "A", "2026-03-02 10:00", 64, 7),   // on start 2: ranges 0–2
		part("a1", "A", "2026-03-03 08:00", 128, 8),  // an hour before start 3: ranges 0–2
		part("a1", "A", "2026-03-03 09:00", 256, 9),  // on start 3: every range
		part("a1", "A", "2026-03-03 10:00", 512, 10), // on the end: no range
		part("a2", "B", "2026-03-01 05:00", 0, 11),   // empty: never reported
		part("a3", "B", "2026-02-27 05:00", 1, 12),   // on start 1: ranges 0, 1
		part("a3", "B", "2026-02-27 04:00", 2, 13),   // range 0
	}
	if err := s.Apply(ctx, store.Batch{Buckets: parts, Next: 100}); err != nil {
		t.Fatal(err)
	}
	sums := func(vols ...int64) string {
		var out []string
		for _, v := range vols {
			out = append(out, fmt.Sprintf("%d/%g", v, 10*float64(v)))
		}
		return strings.Join(out, " ")
	}
	want := []string{
		"a1/x/A " + sums(2+4+8+16+32+64+128+256, 16+32+64+128+256, 64+128+256, 256),
		"a3/x/B " + sums(1+2, 1, 0, 0),
	}
	read := func(q store.SumQuery, learned bool) []string {
		t.Helper()
		var out []string
		err := s.SumBuckets(ctx, q, func(c store.CellSums) error {
			var f []string
			for _, x := range c.Sums {
				f = append(f, fmt.Sprintf("%d/%g", x.Volume, x.HandleSum))
				if !learned && (x.Lsat != outcomes.Cell{} || x.Lres != outcomes.Cell{}) {
					t.Errorf("%s/%s/%s: learned cells %+v %+v", c.Agent, c.Inquiry, c.Team, x.Lsat, x.Lres)
				}
			}
			line := fmt.Sprintf("%s/%s/%s %s", c.Agent, c.Inquiry, c.Team, strings.Join(f, " "))
			if learned {
				for _, x := range c.Sums {
					line += fmt.Sprintf(" L%d/%d", x.Lsat.N, x.Lres.N)
				}
			}
			out = append(out, line)
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		slices.Sort(out)
		return out
	}
	check := func(stage string, want []string, learned bool) {
		t.Helper()
		for _, q := range []store.SumQuery{
			{Tenant: "t1", Model: "voice", To: to, Starts: starts},
			{Tenant: "t1", Model: "voice", To: to, Starts: starts, Agents: []string{"a1", "a2", "a3"}},
		} {
			if got := read(q, learned); !slices.Equal(got, want) {
				t.Errorf("%s (agents %v):\n%s\nwant\n%s", stage, q.Agents, strings.Join(got, "\n"), strings.Join(want, "\n"))
			}
		}
		one := read(store.SumQuery{Tenant: "t1", Model: "voice", To: to, Starts: starts, Agent: "a3"}, learned)
		if w := want[len(want)-1:]; !slices.Equal(one, w) {
			t.Errorf("%s (agent a3): %v, want %v", stage, one, w)
		}
	}
	check("hours", want, false)

	st, err := s.Compact(ctx, 0)
	if err != nil {
		t.Fatal(err)
	}
	if st.Days == 0 {
		t.Fatalf("Compact = %+v: no day sealed", st)
	}
	ix, err := s.loadIndex(ctx, "t1", "voice")
	if err != nil {
		t.Fatal(err)
	}
	// Feb 27 is a rollup in range 0's plan and hours in range 1's.
	p0, p1 := ix.plan(starts[0].Unix(), to.Unix()), ix.plan(starts[1].Unix(), to.Unix())
	h := at("2026-02-27 05:00").Unix()
	inPeriods := func(p store.RangePlan) bool {
		return slices.ContainsFunc(p.Periods, func(pg store.PeriodGen) bool { return pg.Start <= h && h < pg.End() })
	}
	if !inPeriods(p0) || inPeriods(p1) || len(p1.Hours) == 0 {
		t.Fatalf("plans: range 0 %+v, range 1 %+v: want Feb 27 a rollup in range 0 only", p0, p1)
	}
	check("sealed", want, false)

	// A learned part (volume 0) on start 1, and one alone on start 3.
	learned := []store.Bucket{
		{BucketKey: store.BucketKey{Tenant: "t1", Model: "voice", Agent: "a1", Team: "A", Inquiry: "x", Hour: at("2026-02-27 05:00")},
			Partition: store.LearnedPartition, Version: 20, Sums: views.Sums{Lsat: outcomes.Cell{N: 1, SumP: 0.5}}},
		{BucketKey: store.BucketKey{Tenant: "t1", Model: "voice", Agent: "a2", Team: "B", Inquiry: "x", Hour: at("2026-03-03 09:00")},
			Partition: store.LearnedPartition, Version: 21, Sums: views.Sums{Lres: outcomes.Cell{N: 1, SumP: 0.25}}},
	}
	if err := s.ApplyLearned(ctx, learned); err != nil {
		t.Fatal(err)
	}
	check("learned", []string{
		"a1/x/A " + sums(2+4+8+16+32+64+128+256, 16+32+64+128+256, 64+128+256, 256) + " L1/0 L1/0 L0/0 L0/0",
		"a2/x/B " + sums(0, 0, 0, 0) + " L0/1 L0/1 L0/1 L0/1",
		"a3/x/B " + sums(1+2, 1, 0, 0) + " L0/0 L0/0 L0/0 L0/0",
	}, true)
}
