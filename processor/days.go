package processor

import (
	"hash/maphash"
	"time"

	"github.com/agentpulse/agentpulse/processor/store"
	"github.com/agentpulse/agentpulse/schemas"
)

// dayState is one UTC day of event time in a fold's memory: the bucket
// parts of its hours and the interactions whose current revision counts
// in them. A day leaves memory as a whole (evict).
type dayState struct {
	day     int32
	index   *appliedIndex
	buckets []*bucketState
	// slab is where the day's next bucket parts are carved from, so that a
	// new part is not an allocation of its own: parts leave memory a whole
	// day at a time, and so do their slabs.
	slab []bucketState
	// touched is the batch (fold.seq numbering) that carries the day's
	// last change: the day is in the store once that batch is.
	touched uint64
}

const dayNS = int64(24 * time.Hour)

// dayOf is the UTC day number of a unix-nanosecond instant.
func dayOf(ns int64) int32 {
	d := ns / dayNS
	if ns < 0 && ns%dayNS != 0 {
		d--
	}
	return int32(d)
}

// day returns the day numbered n, creating it when missing.
func (f *fold) day(n int32) *dayState {
	d := f.days[n]
	if d == nil {
		// A new newest day is sized like the busiest day in memory: days
		// of a center are alike, and growing an index by doubling copies
		// it about twice. An older day (brought back for a correction)
		// starts empty.
		entries, keys := 0, 0
		for m, o := range f.days {
			if m > n {
				entries, keys = 0, 0
				break
			}
			entries, keys = max(entries, len(o.index.entries)), max(keys, len(o.index.keys))
		}
		d = &dayState{day: n, index: newAppliedIndexSized(f.seed, entries, keys)}
		f.days[n] = d
	}
	return d
}

// evict drops from memory every day that ended at least horizon before
// the watermark and whose changes are all in the store (batches up to
// stored are), remembering its interactions in the evicted filter. It
// returns how many days and interactions left.
func (f *fold) evict(stored uint64) (days, interactions int) {
	if f.horizon <= 0 || f.watermark == 0 {
		return 0, 0
	}
	limit := f.watermark - int64(f.horizon)
	for n, d := range f.days {
		if d.touched > stored || (int64(n)+1)*dayNS > limit {
			continue
		}
		d.index.each(func(key []byte, _ *applied) {
			f.evicted.add(key)
			if h := maphash.Bytes(f.seed, key); f.where[h] == n {
				delete(f.where, h)
			}
		})
		for _, b := range d.buckets {
			delete(f.buckets, bucketIndexKey{agent: b.agent, team: b.team, inquiry: b.inquiry, hour: b.hour.Unix()})
			if f.last == b {
				f.last = nil
			}
		}
		interactions += d.index.len()
		days++
		delete(f.days, n)
		f.evictedThrough = max(f.evictedThrough, n)
	}
	if days > 0 {
		f.shrinkMaps()
	}
	return days, interactions
}

// shrinkMaps copies the fold's per-key maps into new ones once they hold
// far fewer keys than they grew to (a Go map keeps its peak size): a
// replay's first days, folded before anything could leave, must not set
// the size of memory for good.
func (f *fold) shrinkMaps() {
	if n := len(f.buckets); f.bucketsPeak > 4*n+4096 {
		m := make(map[bucketIndexKey]*bucketState, n)
		for k, v := range f.buckets {
			m[k] = v
		}
		f.buckets, f.bucketsPeak = m, n
	}
	if n := len(f.where); f.wherePeak > 4*n+4096 {
		m := make(map[uint64]int32, n)
		for k, v := range f.where {
			m[k] = v
		}
		f.where, f.wherePeak = m, n
	}
}

// overdue reports whether memory holds a day that ended a day or more
// past the horizon: one a flush would let leave.
func (f *fold) overdue() bool {
	if f.horizon <= 0 || f.watermark == 0 {
		return false
	}
	limit := f.watermark - int64(f.horizon) - dayNS
	for n := range f.days {
		if (int64(n)+1)*dayNS <= limit {
			return true
		}
	}
	return false
}

// hot counts the interactions and bucket parts in memory.
func (f *fold) hot() (interactions, buckets int) {
	for _, d := range f.days {
		interactions += d.index.len()
		buckets += len(d.buckets)
	}
	return interactions, buckets
}

// needs reports what of the store applying it may need: whether its
// interaction may have left memory (its earlier revision must then be
// looked up), and whether its bucket part may be in the store and not in
// memory (it must then be loaded).
func (f *fold) needs(it *schemas.Interaction) (interaction, bucket bool) {
	if f.evictedThrough == minDay {
		return false, false
	}
	bucket = f.coldMissing(BucketKeyOf(it))
	h := keyHash(f.seed, it)
	if e, _ := f.find(it, h); e == nil {
		f.keyBuf = appendKey(f.keyBuf[:0], it.TenantID, it.InteractionID)
		interaction = f.evicted.mayHold(f.keyBuf)
	}
	return interaction, bucket
}

// coldMissing reports whether bucket part k is not in memory though it may
// be in the store.
func (f *fold) coldMissing(k store.BucketKey) bool {
	if dayOf(k.Hour.UnixNano()) > f.evictedThrough {
		return false
	}
	a := f.agents[agentKey{k.Tenant, k.Model, k.Agent}]
	return a == nil || f.buckets[bucketIndexKey{agent: a, team: k.Team, inquiry: k.Inquiry, hour: k.Hour.Unix()}] == nil
}

// appendKey appends an interaction's key bytes: tenant, NUL, id.
func appendKey(buf []byte, tenant, id string) []byte {
	buf = append(buf, tenant...)
	buf = append(buf, 0)
	return append(buf, id...)
}

// loadPart brings bucket part k back into memory as the store holds it:
// recs are the current revisions that count in it (store.CurrentIn).
func (f *fold) loadPart(k store.BucketKey, recs []store.Record) {
	a := f.agent(k.Tenant, k.Model, k.Agent)
	key := bucketIndexKey{agent: a, team: k.Team, inquiry: k.Inquiry, hour: k.Hour.Unix()}
	if f.buckets[key] != nil {
		return
	}
	b := f.newBucket(key)
	for i := range recs {
		b.sums.Add(&recs[i].Interaction)
		b.version = max(b.version, recs[i].Offset)
	}
}

// loadInteraction brings an interaction back into memory as the store
// holds it (its bucket part must be in memory already).
func (f *fold) loadInteraction(r *store.Record) {
	k := BucketKeyOf(&r.Interaction)
	a := f.agent(k.Tenant, k.Model, k.Agent)
	b := f.buckets[bucketIndexKey{agent: a, team: k.Team, inquiry: k.Inquiry, hour: k.Hour.Unix()}]
	if b == nil {
		panic("processor: interaction loaded before its bucket part")
	}
	f.remember(&r.Interaction, b)
}
