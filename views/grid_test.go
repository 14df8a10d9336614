package views

import (
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/agentpulse/agentpulse/outcomes"
	"github.com/agentpulse/agentpulse/schemas"
)

func TestGridBounds(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 7))
	for range 100000 {
		h := r.Float64() * schemas.MaxHandleTimeS
		if g := OnHandleGrid(h); math.Abs(g-h) > 1.0/(2*HandleGrid) || g*HandleGrid != math.Trunc(g*HandleGrid) {
			t.Fatalf("OnHandleGrid(%v) = %v: more than half a grain away or off the grid", h, g)
		}
		p := r.Float64()
		if g := OnPredictionGrid(p); math.Abs(g-p) > 1.0/(2*PredictionGrid) || g < 0 || g > 1 || g*PredictionGrid != math.Trunc(g*PredictionGrid) {
			t.Fatalf("OnPredictionGrid(%v) = %v: more than half a grain away, outside [0, 1] or off the grid", p, g)
		}
	}
	for _, x := range []float64{0, 1, 0.5, 86400, 61.5, 0.25} {
		if OnHandleGrid(x) != x || (x <= 1 && OnPredictionGrid(x) != x) {
			t.Fatalf("%v is on the grid and must stay as it is", x)
		}
	}
	if OnPredictionGrid(5e-324) != 0 || OnHandleGrid(0.0001) != 0 {
		t.Fatal("values below half a grain must round to 0")
	}
	// Near the documented bound (2^43 s of handle time) a grain still adds
	// and subtracts exactly.
	s := Sums{Volume: 1, HandleSum: math.Ldexp(1, 42)}
	s.Add(rec(0.001, -1, -1))
	s.Sub(rec(0.001, -1, -1))
	if s.HandleSum != math.Ldexp(1, 42) || !s.OnGrid() {
		t.Fatalf("a grain near 2^42 s was not exact: %v", s.HandleSum)
	}
	if (Sums{HandleSum: 0.1}).OnGrid() || (Sums{PsatSum: 0.3}).OnGrid() || !(Sums{HandleSum: 0.5, PsatSum: 0.25}).OnGrid() {
		t.Fatal("OnGrid misjudges")
	}
}

// gridRev is one revision of an interaction of TestSumsAnyOrderBitIdentical.
type gridRev struct {
	id, rev int
	hour    int // hours since the start
	it      schemas.Interaction
	sat     outcomes.Cell // the learned cell when there is no feed psat
}

// TestSumsAnyOrderBitIdentical folds the same interactions (full-mantissa
// handle times and predictions, learned cells, corrections that move an
// interaction to another hour and take its predictions away or give them
// back, redeliveries) in random orders into hour buckets with retractions,
// groups the hours into days and months in random groupings and merge
// orders, and reads a range from months, days and ragged hours: every
// answer has the same bits as the reference's (the final revisions added
// one by one in id order), and so do the figures' JSON bytes.
func TestSumsAnyOrderBitIdentical(t *testing.T) {
	const hours = 24 * 90
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	r := rand.New(rand.NewPCG(12, 13))
	for trial := range 30 {
		var revs []gridRev
		for id := range 400 {
			for rev := 1; rev <= 1+r.IntN(3); rev++ {
				revs = append(revs, randomRev(r, id, rev, hours, start))
			}
		}
		// The reference: the newest revision of each id, added in id order.
		final := map[int]gridRev{}
		for _, x := range revs {
			if x.rev > final[x.id].rev {
				final[x.id] = x
			}
		}
		ids := make([]int, 0, len(final))
		for id := range final {
			ids = append(ids, id)
		}
		slices.Sort(ids)
		var want Sums
		wantHours := make([]Sums, hours)
		for _, id := range ids {
			x := final[id]
			addRev(&want, x)
			addRev(&wantHours[x.hour], x)
		}

		// A store: revisions arrive in random order with redeliveries; a
		// newer revision retracts the older one from its hour.
		events := append(slices.Clone(revs), revs[:len(revs)/5]...)
		r.Shuffle(len(events), func(i, j int) { events[i], events[j] = events[j], events[i] })
		cur := map[int]gridRev{}
		got := make([]Sums, hours)
		for _, x := range events {
			old, ok := cur[x.id]
			if ok && x.rev <= old.rev {
				continue
			}
			if ok {
				subRev(&got[old.hour], old)
			}
			cur[x.id] = x
			addRev(&got[x.hour], x)
		}
		for h := range got {
			if got[h] != wantHours[h] {
				t.Fatalf("trial %d hour %d: folded %+v, reference %+v", trial, h, got[h], wantHours[h])
			}
		}
		// Days from hours, months from days, in random groupings.
		days := mergeRandom(r, got, 24)
		months := mergeRandom(r, days, 30)
		for _, total := range []Sums{mergeAll(r, got), mergeAll(r, days), mergeAll(r, months)} {
			if total != want {
				t.Fatalf("trial %d: merged %+v, reference %+v", trial, total, want)
			}
			sameFigures(t, total, want)
		}
		// A range read the way the stores read it: sealed days (merged
		// from their hours in random order), months of 30 days (from their
		// days), ragged hours at both ends; the parts merged in random order.
		sealedDays := make([]Sums, hours/24)
		for d := range sealedDays {
			sealedDays[d] = mergeAll(r, got[24*d:24*d+24])
		}
		sealedMonths := make([]Sums, len(sealedDays)/30)
		for m := range sealedMonths {
			sealedMonths[m] = mergeAll(r, sealedDays[30*m:30*m+30])
		}
		from, to := 5+r.IntN(40), hours-5-r.IntN(40)
		parts := rangeParts(got, sealedDays, sealedMonths, from, to)
		if got, want := mergeAll(r, parts), sumHours(wantHours[from:to]); got != want {
			t.Fatalf("trial %d: range [%d, %d) read from months, days and hours %+v, reference %+v", trial, from, to, got, want)
		}
	}
}

// TestRawFloatSumsDependOnOrder shows what the grid prevents: the same
// full-mantissa handle times summed in two orders give other bits.
func TestRawFloatSumsDependOnOrder(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 1))
	xs := make([]float64, 1000)
	for i := range xs {
		xs[i] = r.Float64() * 3600
	}
	differs := false
	for range 20 {
		var a, b, ga, gb float64
		for _, x := range xs {
			a += x
			ga += OnHandleGrid(x)
		}
		r.Shuffle(len(xs), func(i, j int) { xs[i], xs[j] = xs[j], xs[i] })
		for _, x := range xs {
			b += x
			gb += OnHandleGrid(x)
		}
		differs = differs || a != b
		if ga != gb {
			t.Fatalf("grid sums differ: %v != %v", ga, gb)
		}
	}
	if !differs {
		t.Fatal("raw sums never differed: the test data does not exercise the order")
	}
}

func randomRev(r *rand.Rand, id, rev, hours int, start time.Time) gridRev {
	x := gridRev{id: id, rev: rev, hour: r.IntN(hours)}
	end := start.Add(time.Duration(x.hour)*time.Hour + time.Duration(r.IntN(3600))*time.Second)
	x.it = schemas.Interaction{TenantID: "t1", InteractionID: fmt.Sprint(id), Revision: int64(rev), Model: "voice",
		AgentID: "a1", TeamID: "team1", Inquiry: "billing", EndedAt: end, StartedAt: end.Add(-time.Minute),
		HandleTimeS: r.Float64() * 3600, Source: "api"}
	if r.IntN(4) > 0 {
		x.it.PredictedSatisfaction = ptr(r.Float64())
	} else {
		x.sat.Add(r.Float64(), r.IntN(2) == 0, r.IntN(2) == 0)
	}
	if r.IntN(3) > 0 {
		x.it.PredictedResolution = ptr(r.Float64())
	}
	return x
}

func addRev(s *Sums, x gridRev) {
	s.Add(&x.it)
	s.AddLearned(x.sat, outcomes.Cell{})
}

func subRev(s *Sums, x gridRev) {
	s.Sub(&x.it)
	s.Lsat.Sub(x.sat)
}

// mergeRandom merges runs of about n consecutive Sums (random lengths 1 to
// 2n, merged in random order) into one each.
func mergeRandom(r *rand.Rand, in []Sums, n int) []Sums {
	var out []Sums
	for i := 0; i < len(in); {
		j := min(len(in), i+1+r.IntN(2*n))
		out = append(out, mergeAll(r, in[i:j]))
		i = j
	}
	return out
}

// mergeAll merges ss in a random order and a random tree shape.
func mergeAll(r *rand.Rand, ss []Sums) Sums {
	xs := slices.Clone(ss)
	r.Shuffle(len(xs), func(i, j int) { xs[i], xs[j] = xs[j], xs[i] })
	for len(xs) > 1 {
		i := r.IntN(len(xs) - 1)
		xs[i].Merge(xs[i+1])
		xs = slices.Delete(xs, i+1, i+2)
	}
	if len(xs) == 0 {
		return Sums{}
	}
	return xs[0]
}

func sumHours(hs []Sums) Sums {
	var s Sums
	for _, h := range hs {
		s.Merge(h)
	}
	return s
}

// rangeParts covers hours [from, to) with whole months (720 hours) where
// they fit, whole days where they fit, and hours elsewhere.
func rangeParts(hours, days, months []Sums, from, to int) []Sums {
	var parts []Sums
	for h := from; h < to; {
		switch {
		case h%720 == 0 && h+720 <= to && h/720 < len(months):
			parts = append(parts, months[h/720])
			h += 720
		case h%24 == 0 && h+24 <= to:
			parts = append(parts, days[h/24])
			h += 24
		default:
			parts = append(parts, hours[h])
			h++
		}
	}
	return parts
}

func sameFigures(t *testing.T, a, b Sums) {
	t.Helper()
	for _, floor := range []float64{DefaultFloor, 0.3} {
		ja, _ := json.Marshal(a.Figures(floor))
		jb, _ := json.Marshal(b.Figures(floor))
		if string(ja) != string(jb) {
			t.Fatalf("figures differ:\n%s\n%s", ja, jb)
		}
	}
}

// TestUnmergeExact: merging hours and unmerging some of them (a cache
// sliding its range) has the bits of merging the rest.
func TestUnmergeExact(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for range 200 {
		hours := make([]Sums, 48)
		for id := range 300 {
			x := randomRev(r, id, 1, len(hours), start)
			addRev(&hours[x.hour], x)
		}
		all := mergeAll(r, hours)
		cut := r.IntN(len(hours))
		for _, h := range hours[:cut] {
			all.Unmerge(h)
		}
		if want := sumHours(hours[cut:]); all != want {
			t.Fatalf("unmerged %+v, merged the rest %+v", all, want)
		}
	}
}
