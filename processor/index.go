package processor

import (
	"hash/maphash"

	"github.com/agentpulse/agentpulse/schemas"
)

// appliedIndex maps every interaction of a partition (tenant and id) to
// what the fold remembers of its current revision. It holds no Go pointer
// per interaction: entries live in fixed-size pages of plain values, ids
// in byte pages, and the map goes from a 64-bit hash of the key to the
// first entry with that hash (others chain through next). A map of string
// keys to pointers made the garbage collector scan two objects per
// interaction on every cycle, which grew with the partition to a fifth of
// a replay's CPU; this index is invisible to it and about half the size.
type appliedIndex struct {
	seed    maphash.Seed
	byHash  map[uint64]int32 // hash → first entry index
	entries [][]applied      // pages of indexPage entries
	keys    [][]byte         // pages of key bytes, each at most keyPage long unless one key is longer
	n       int32
}

const (
	indexPage = 1 << 16
	keyPage   = 1 << 20
)

// applied is what the fold remembers of the current revision of an
// interaction: enough to retract its contribution when a higher revision
// arrives, and no more (the store keeps the full record).
type applied struct {
	revision int64
	handle   float64
	psat     float64
	pres     float64
	ended    int64 // ended_at, unix nanoseconds: the roster's order (roster.go)
	bucket   int32 // index into fold.bucketList
	next     int32 // next entry with the same hash, -1 for none
	keyPage  int32
	keyOff   int32
	keyLen   int32
	hasPsat  bool
	hasPres  bool
}

func newAppliedIndex() *appliedIndex {
	return &appliedIndex{seed: maphash.MakeSeed(), byHash: map[uint64]int32{}}
}

// hash of an interaction's key: tenant, a NUL byte (which no id may
// contain) and the interaction id.
func (x *appliedIndex) hash(it *schemas.Interaction) uint64 {
	var h maphash.Hash
	h.SetSeed(x.seed)
	h.WriteString(it.TenantID)
	h.WriteByte(0)
	h.WriteString(it.InteractionID)
	return h.Sum64()
}

func (x *appliedIndex) entry(i int32) *applied {
	return &x.entries[i/indexPage][i%indexPage]
}

// matches reports whether entry e is the key of it.
func (x *appliedIndex) matches(e *applied, it *schemas.Interaction) bool {
	k := x.keys[e.keyPage][e.keyOff : e.keyOff+e.keyLen]
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
	if int(x.n)/indexPage == len(x.entries) {
		x.entries = append(x.entries, make([]applied, indexPage))
	}
	i := x.n
	x.n++
	e := x.entry(i)
	*e = applied{next: -1}
	if first, ok := x.byHash[h]; ok {
		e.next = first
	}
	x.byHash[h] = i

	klen := len(it.TenantID) + 1 + len(it.InteractionID)
	p := len(x.keys) - 1
	if p < 0 || len(x.keys[p])+klen > cap(x.keys[p]) {
		x.keys = append(x.keys, make([]byte, 0, max(keyPage, klen)))
		p++
	}
	e.keyPage, e.keyOff, e.keyLen = int32(p), int32(len(x.keys[p])), int32(klen)
	x.keys[p] = append(x.keys[p], it.TenantID...)
	x.keys[p] = append(x.keys[p], 0)
	x.keys[p] = append(x.keys[p], it.InteractionID...)
	return e
}

// len is the number of interactions indexed.
func (x *appliedIndex) len() int { return int(x.n) }
