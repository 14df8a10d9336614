package simulator

import (
	"container/heap"
	"math"
)

// Fault delays, seconds: how much later in the stream (measured in ended_at
// of the regular records) a fault record appears. Drawn log-uniformly, so
// short and long delays are equally common.
const (
	dupDelayLo, dupDelayHi   = 30, 6 * 3600        // a redelivery: seconds to hours
	revDelayLo, revDelayHi   = 5 * 60, 48 * 3600   // a correction: minutes to two days
	lateDelayLo, lateDelayHi = 3600, 3 * 24 * 3600 // a late delivery: hours to days
	revExtraLo, revExtraHi   = 15, 180             // wrap-up a correction adds, seconds
)

// Stats counts what a run emitted.
type Stats struct {
	// Records is every record emitted, faults included.
	Records int64
	// Interactions is the number of distinct interactions (revision 1).
	Interactions int64
	// Duplicates, Revisions and Late count the fault records: identical
	// re-emissions, revision-2 corrections, and originals held back.
	Duplicates, Revisions, Late int64
}

// faults numbers regular records and injects duplicates, revisions and late
// deliveries. Every decision about a record is drawn from a stream derived
// from (seed, tenant, model, number), so it does not depend on batching.
// Not safe for concurrent use.
type faults struct {
	seed           uint64
	dup, rev, late float64
	next           [][]int64 // next interaction number per tenant and model
	pending        pendingHeap
	order          int64 // insertion counter: ties in release time keep FIFO order
	stats          Stats
}

func newFaults(cfg Config) *faults {
	f := &faults{seed: uint64(cfg.Seed), dup: cfg.DuplicateRate, rev: cfg.RevisionRate, late: cfg.LateRate}
	f.next = make([][]int64, cfg.Tenants)
	for t := range f.next {
		f.next[t] = make([]int64, len(catalogue))
	}
	return f
}

// process numbers the regular records of ready (sorted by ended_at, all
// before until) and appends to out what the stream carries up to until:
// the records in order, with released fault records interleaved.
func (f *faults) process(ready []rec, until int64, out []rec) []rec {
	var r rng
	for _, x := range ready {
		f.next[x.tenant][x.model]++
		x.num = f.next[x.tenant][x.model]
		out = f.release(x.end, out)
		f.stats.Interactions++
		if f.dup == 0 && f.rev == 0 && f.late == 0 {
			out = append(out, x)
			continue
		}
		r.reset(derive(f.seed, saltFault, uint64(x.tenant), uint64(x.model), uint64(x.num)))
		uLate, uDup, uRev := r.float64(), r.float64(), r.float64()
		at := x.end
		if uLate < f.late {
			at += int64(r.logUniform(lateDelayLo, lateDelayHi))
			f.push(at, x, faultLate)
		} else {
			out = append(out, x)
		}
		if uDup < f.dup {
			f.push(at+int64(r.logUniform(dupDelayLo, dupDelayHi)), x, faultDuplicate)
		}
		if uRev < f.rev {
			f.push(at+int64(r.logUniform(revDelayLo, revDelayHi)), revise(&r, x), faultRevision)
		}
	}
	return f.release(until-1, out)
}

// flush appends every record still held back, in release order.
func (f *faults) flush(out []rec) []rec { return f.release(math.MaxInt64, out) }

// release appends the held-back records due at or before t.
func (f *faults) release(t int64, out []rec) []rec {
	for len(f.pending) > 0 && f.pending[0].at <= t {
		p := heap.Pop(&f.pending).(pending)
		switch p.kind {
		case faultLate:
			f.stats.Late++
		case faultDuplicate:
			f.stats.Duplicates++
			p.r.copy = true
		case faultRevision:
			f.stats.Revisions++
			p.r.copy = true
		}
		out = append(out, p.r)
	}
	return out
}

// push holds x back until the stream reaches t.
func (f *faults) push(t int64, x rec, kind faultKind) {
	f.order++
	heap.Push(&f.pending, pending{at: t, order: f.order, r: x, kind: kind})
}

// revise returns the correction of x: revision 2 with either the inquiry
// reclassified to another of the model's inquiries or extra wrap-up time.
func revise(r *rng, x rec) rec {
	x.revision++
	n := len(catalogue[x.model].inquiries)
	if r.float64() < 0.5 && n > 1 {
		x.inquiry = int8((int(x.inquiry) + 1 + r.intn(n-1)) % n)
		return x
	}
	x.handle = int32(math.Min(maxHandle, float64(x.handle)+math.Round(r.uniform(revExtraLo, revExtraHi))))
	return x
}

// faultKind says why a record was held back.
type faultKind int8

const (
	faultLate faultKind = iota
	faultDuplicate
	faultRevision
)

// pending is a record held back until the stream reaches at.
type pending struct {
	at, order int64
	r         rec
	kind      faultKind
}

type pendingHeap []pending

func (h pendingHeap) Len() int { return len(h) }
func (h pendingHeap) Less(i, j int) bool {
	if h[i].at != h[j].at {
		return h[i].at < h[j].at
	}
	return h[i].order < h[j].order
}
func (h pendingHeap) Swap(i, j int) { h[i], h[j] = h[j], h[i] }
func (h *pendingHeap) Push(x any)   { *h = append(*h, x.(pending)) }
func (h *pendingHeap) Pop() any {
	old := *h
	p := old[len(old)-1]
	*h = old[:len(old)-1]
	return p
}
