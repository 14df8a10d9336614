package storetest

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/agentpulse/agentpulse/processor/store"
	"github.com/agentpulse/agentpulse/views"
)

// testSummaries: the optional store.Summer answers what the same
// computation over Buckets answers, with superseded versions, emptied
// parts, several partitions and tenants.
func testSummaries(t *testing.T, open func(t *testing.T) store.Store) {
	s := open(t)
	ctx := context.Background()
	h := t0.Truncate(time.Hour)
	part := func(tenant, model, agent, team, inquiry string, hour int, p int32, version, volume int64) store.Bucket {
		b := store.Bucket{BucketKey: store.BucketKey{Tenant: tenant, Model: model, Team: team, Agent: agent, Inquiry: inquiry,
			Hour: h.Add(time.Duration(hour) * time.Hour)}, Partition: p, Version: version}
		if volume > 0 {
			b.Volume, b.HandleSum = volume, 60.5*float64(volume)
			b.PsatN, b.PsatSum = volume, 0.25*float64(volume)
			b.PresN, b.PresSum = volume-1, 0.5*float64(volume-1)
		}
		return b
	}
	apply(t, s, store.Batch{Partition: 0, Next: 100, Buckets: []store.Bucket{
		part("t1", "voice", "a", "A", "x", 0, 0, 1, 2),
		part("t1", "voice", "a", "A", "y", 1, 0, 2, 3),
		part("t1", "voice", "a", "B", "x", 2, 0, 3, 1),
		part("t1", "voice", "b", "A", "x", 0, 0, 5, 4),
		part("t1", "voice", "c", "C", "z", 1, 0, 6, 2),
		part("t1", "chat", "a", "A", "x", 0, 0, 7, 1),
		part("t2", "voice", "z", "Z", "x", 3, 0, 8, 5),
	}})
	apply(t, s, store.Batch{Partition: 0, Next: 200, Buckets: []store.Bucket{
		part("t1", "voice", "a", "B", "x", 2, 0, 150, 0), // a's newest hour emptied
		part("t1", "voice", "b", "A", "x", 0, 0, 3, 9),   // a lower version: ignored
		part("t1", "voice", "c", "C", "z", 1, 0, 160, 0), // c has nothing left
		part("t1", "voice", "b", "A", "x", 0, 0, 170, 6), // a higher one wins
	}})
	apply(t, s, store.Batch{Partition: 1, Next: 10, Buckets: []store.Bucket{
		part("t1", "voice", "a", "B", "x", 1, 1, 4, 1),
		part("t1", "voice", "b", "A", "y", 2, 1, 5, 2),
	}})

	if sm, ok := s.(store.Summer); ok {
		starts := []time.Time{h, h.Add(time.Hour), h.Add(2 * time.Hour), h.Add(9 * time.Hour)}
		for _, agent := range []string{"", "a", "b", "c"} {
			q := store.SumQuery{Tenant: "t1", Model: "voice", Agent: agent, To: h.Add(3 * time.Hour), Starts: starts}
			var got []string
			err := sm.SumBuckets(ctx, q, func(c store.CellSums) error {
				got = append(got, cellText(c))
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			want := sumsFromBuckets(t, s, q)
			slices.Sort(got)
			sameText(t, fmt.Sprintf("SumBuckets(agent %q)", agent), strings.Join(got, "\n"), strings.Join(want, "\n"))
		}
	}
}

func cellText(c store.CellSums) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s/%s/%s", c.Agent, c.Inquiry, c.Team)
	for _, s := range c.Sums {
		fmt.Fprintf(&b, " %d/%g/%d/%g/%d/%g", s.Volume, s.HandleSum, s.PsatN, s.PsatSum, s.PresN, s.PresSum)
		if s.Lsat.N != 0 || s.Lres.N != 0 {
			fmt.Fprintf(&b, " L%+v/%+v", s.Lsat, s.Lres)
		}
	}
	return b.String()
}

// sumsFromBuckets is SumBuckets computed from Buckets, as cellText lines.
func sumsFromBuckets(t testing.TB, s store.Reader, q store.SumQuery) []string {
	from := slices.MinFunc(q.Starts, func(a, b time.Time) int { return a.Compare(b) })
	cells := map[[3]string][]views.Sums{}
	for _, b := range readBuckets(t, s, store.BucketQuery{Tenant: q.Tenant, Model: q.Model, Agent: q.Agent, From: from, To: q.To}) {
		k := [3]string{b.Agent, b.Inquiry, b.Team}
		if cells[k] == nil {
			cells[k] = make([]views.Sums, len(q.Starts))
		}
		for i, st := range q.Starts {
			if !b.Hour.Before(st) {
				cells[k][i].Merge(b.Sums)
			}
		}
	}
	var out []string
	for k, sums := range cells {
		out = append(out, cellText(store.CellSums{Agent: k[0], Inquiry: k[1], Team: k[2], Sums: sums}))
	}
	slices.Sort(out)
	return out
}
