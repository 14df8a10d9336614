package processor

import (
	"hash/maphash"

	"github.com/agentpulse/agentpulse/schemas"
)

// appliedIndex maps interactions (tenant and id) to what the fold
// remembers of their current revision. The fold keeps one per day of
// event time (dayState), so that a day leaves memory at once. It holds no
// Go pointer per interaction: entries are plain values in one slice, ids
// in one byte slice, and the map goes from a 64-bit hash of the key to the
// first entry with that hash (others chain through next). A map of string
// keys to pointers made the garbage collector scan two objects per
// interaction on every cycle, which grew with the partition to a fifth of
// a replay's CPU; this index is invisible to it and about half the size.
//
// A pointer to an entry is valid until the next add to the same index.
type appliedIndex struct {
	seed    maphash.Seed
	byHash  map[uint64]int32 // hash → first entry index
	entries []applied
	keys    []byte // every entry's key: tenant, a NUL byte, id
	live    int
}

// applied is what the fold remembers of the current revision of an
// interaction: enough to retract its contribution when a higher revision
// arrives, and no more (the store keeps the full record).
type applied struct {
	revision int64
	handle   float64
	psat     float64
	pres     float64
	ended    int64 // ended_at, unix nanoseconds: the roster's order (roster.go)
	bucket   int32 // index into the dayState.buckets of the index's day
	next     int32 // next entry with the same hash, -1 for none
	keyOff   int32
	keyLen   int32 // -1 once removed
	hasPsat  bool
	hasPres  bool
}

// newAppliedIndex returns an empty index hashing with seed: every index of
// a fold shares one, so that a key is hashed once for all of them.
func newAppliedIndex(seed maphash.Seed) *appliedIndex { return newAppliedIndexSized(seed, 0, 0) }

// newAppliedIndexSized is newAppliedIndex with room for n entries and
// keyBytes bytes of keys, so that an index that grows to about that size
// never regrows (a new day's index is sized like the busiest day in memory).
func newAppliedIndexSized(seed maphash.Seed, n, keyBytes int) *appliedIndex {
	return &appliedIndex{seed: seed, byHash: make(map[uint64]int32, n), entries: make([]applied, 0, n), keys: make([]byte, 0, keyBytes)}
}

// keyHash is the hash of an interaction's key with seed: tenant, a NUL
// byte (which no id may contain) and the interaction id.
func keyHash(seed maphash.Seed, it *schemas.Interaction) uint64 {
	var h maphash.Hash
	h.SetSeed(seed)
	h.WriteString(it.TenantID)
	h.WriteByte(0)
	h.WriteString(it.InteractionID)
	return h.Sum64()
}

func (x *appliedIndex) hash(it *schemas.Interaction) uint64 { return keyHash(x.seed, it) }

func (x *appliedIndex) entry(i int32) *applied { return &x.entries[i] }

// key returns entry e's key bytes.
func (x *appliedIndex) key(e *applied) []byte { return x.keys[e.keyOff : e.keyOff+e.keyLen] }

// matches reports whether entry e is the key of it.
func (x *appliedIndex) matches(e *applied, it *schemas.Interaction) bool {
	k := x.key(e)
	t, id := it.TenantID, it.InteractionID
	return len(k) == len(t)+1+len(id) && string(k[:len(t)]) == t && k[len(t)] == 0 && string(k[len(t)+1:]) == id
}

// get returns the entry of it's key, nil when none, and the key's hash.
func (x *appliedIndex) get(it *schemas.Interaction) (*applied, uint64) {
	h := x.hash(it)
	return x.lookup(it, h), h
}

// lookup returns the entry of it's key among those of hash h, nil when none.
func (x *appliedIndex) lookup(it *schemas.Interaction, h uint64) *applied {
	i, ok := x.byHash[h]
	if !ok {
		return nil
	}
	for i >= 0 {
		e := x.entry(i)
		if x.matches(e, it) {
			return e
		}
		i = e.next
	}
	return nil
}

// add stores a new entry for it's key (which must not be in the index),
// with hash h from get, and returns it for the caller to fill.
func (x *appliedIndex) add(it *schemas.Interaction, h uint64) *applied {
	i := int32(len(x.entries))
	x.entries = append(x.entries, applied{next: -1})
	e := &x.entries[i]
	if first, ok := x.byHash[h]; ok {
		e.next = first
	}
	x.byHash[h] = i
	e.keyOff, e.keyLen = int32(len(x.keys)), int32(len(it.TenantID)+1+len(it.InteractionID))
	x.keys = append(x.keys, it.TenantID...)
	x.keys = append(x.keys, 0)
	x.keys = append(x.keys, it.InteractionID...)
	x.live++
	return e
}

// remove takes it's key (with hash h) out of the index, when there. Its
// slot stays unused until the index is dropped with its day.
func (x *appliedIndex) remove(it *schemas.Interaction, h uint64) {
	i, ok := x.byHash[h]
	if !ok {
		return
	}
	prev := int32(-1)
	for i >= 0 {
		e := x.entry(i)
		if x.matches(e, it) {
			switch {
			case prev >= 0:
				x.entry(prev).next = e.next
			case e.next >= 0:
				x.byHash[h] = e.next
			default:
				delete(x.byHash, h)
			}
			e.keyLen, e.next = -1, -1
			x.live--
			return
		}
		prev, i = i, e.next
	}
}

// each calls fn with every entry in the index and its key bytes (valid
// during the call).
func (x *appliedIndex) each(fn func(key []byte, e *applied)) {
	for i := range x.entries {
		if e := &x.entries[i]; e.keyLen >= 0 {
			fn(x.key(e), e)
		}
	}
}

// len is the number of interactions indexed.
func (x *appliedIndex) len() int { return x.live }
