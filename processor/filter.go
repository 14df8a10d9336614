package processor

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"

	"github.com/bits-and-blooms/bloom/v3"
)

// evictedFilter remembers which interactions of a partition have left the
// fold's memory, with no false negatives: a key that left is always
// found. It has two parts:
//
//   - static, a binary fuse filter (keyfilter.go) of every interaction the
//     partition applied below staticBelow — a superset of what had left
//     memory when it was built — exactly sized (about 1.1 bytes per key,
//     0.4% false positives), built from the store and stored apart from
//     the snapshots (store.SaveKeyFilter), which only name staticBelow;
//   - recent, a chain of Bloom filters of the keys that left since
//     (tenant, a NUL byte, id), each twice the capacity of the one
//     before, so it grows with what was evicted, not with a guess made up
//     front (about 0.1% false positives). Its hashes depend on the bytes
//     only, so it is stored in snapshots as it is.
//
// The recent chain is folded into a new static filter once it holds an
// eighth of the static filter's keys (rebuildDue): the chain so far is
// sealed, the worker builds the filter from the store in the background,
// and installing it drops the sealed part. Memory is then about 1.1 bytes
// per key of history plus a chain bounded by an eighth of that, instead
// of the chain's 2 to 3 bytes per key. A false positive costs a store
// lookup that finds nothing.
type evictedFilter struct {
	static      *keyFilter // nil when none
	staticBelow int64      // what static covers; 0 when none
	staticKeys  uint64     // distinct keys static was built from

	filters []*bloom.BloomFilter
	caps    []uint // capacity of each filter
	n       uint   // keys added to the last filter
	total   uint64 // keys added to the chain
	// sealed filters (filters[:sealed], sealedKeys keys) are covered by
	// the static filter being built; fresh makes the next add start a new
	// filter of the first capacity.
	sealed     int
	sealedKeys uint64
	fresh      bool
	locs       []uint64
}

const (
	filterHashes   = 10      // k: about 0.1% false positives at capacity
	filterFirstCap = 1 << 14 // keys of the first filter
	filterBitsPer  = 15      // bits per key at capacity
	// rebuildMinKeys is the fewest recent keys worth a rebuild of the
	// static filter; rebuildShare the share of the static filter's keys
	// past which the recent chain is folded into it.
	rebuildMinKeys = 1 << 16
	rebuildShare   = 8
)

// add records key.
func (f *evictedFilter) add(key []byte) {
	if len(f.filters) == 0 || f.fresh || f.n >= f.caps[len(f.caps)-1] {
		c := uint(filterFirstCap)
		if len(f.caps) > 0 && !f.fresh {
			c = 2 * f.caps[len(f.caps)-1]
		}
		f.filters = append(f.filters, bloom.New(c*filterBitsPer, filterHashes))
		f.caps = append(f.caps, c)
		f.n = 0
		f.fresh = false
	}
	f.filters[len(f.filters)-1].Add(key)
	f.n++
	f.total++
}

// mayHold reports whether key may have been added: always true when it was.
func (f *evictedFilter) mayHold(key []byte) bool {
	if f.static != nil && f.static.contains(key) {
		return true
	}
	switch len(f.filters) {
	case 0:
		return false
	case 1:
		return f.filters[0].Test(key) // hashes once, like Locations, without allocating
	}
	f.locs = bloom.Locations(key, filterHashes)
	for _, b := range f.filters {
		if b.TestLocations(f.locs) {
			return true
		}
	}
	return false
}

// recent is how many keys the chain holds that no static filter being
// built will cover.
func (f *evictedFilter) recent() uint64 { return f.total - f.sealedKeys }

// rebuildDue reports whether the chain is large enough to be folded into a
// new static filter (min is the fewest keys worth it), and no build is in
// flight.
func (f *evictedFilter) rebuildDue(min uint64) bool {
	return f.sealed == 0 && f.recent() >= max(min, f.staticKeys/rebuildShare)
}

// seal marks the chain so far as covered by a static filter about to be
// built: every key in it was stored below the offset the build reads to.
func (f *evictedFilter) seal() {
	f.sealed, f.sealedKeys, f.fresh = len(f.filters), f.total, true
}

// unseal forgets a seal whose build failed: the chain keeps covering.
func (f *evictedFilter) unseal() { f.sealed, f.sealedKeys = 0, 0 }

// install makes s, built from every key applied below below, the static
// filter, and drops the sealed part of the chain (all is sealed when
// sealedAll: the first load's filter covers every key evicted so far).
func (f *evictedFilter) install(s *keyFilter, below int64, sealedAll bool) {
	if sealedAll {
		f.seal()
	}
	f.static, f.staticBelow, f.staticKeys = s, below, s.keys
	f.filters = append([]*bloom.BloomFilter(nil), f.filters[f.sealed:]...)
	f.caps = append([]uint(nil), f.caps[f.sealed:]...)
	f.total -= f.sealedKeys
	if len(f.filters) == 0 {
		f.n, f.fresh = 0, false
	}
	f.unseal()
}

// bytes is the memory the filter holds, roughly.
func (f *evictedFilter) bytes() int {
	n := 0
	if f.static != nil {
		n += f.static.size()
	}
	for _, b := range f.filters {
		n += int(b.Cap() / 8)
	}
	return n
}

// appendBinary appends the filter's encoding to buf: the offset the static
// filter covers (0: none) and its keys, the chain's counts, then per Bloom
// filter its capacity, its bit count and its 64-bit words little-endian
// (k is fixed: filterHashes). The static filter itself is stored apart
// (store.SaveKeyFilter): restoring needs one built below at least that
// offset.
func (f *evictedFilter) appendBinary(buf []byte) ([]byte, error) {
	buf = binary.AppendUvarint(buf, uint64(f.staticBelow))
	buf = binary.AppendUvarint(buf, f.staticKeys)
	buf = binary.AppendUvarint(buf, uint64(len(f.filters)))
	buf = binary.AppendUvarint(buf, uint64(f.n))
	buf = binary.AppendUvarint(buf, f.total)
	for i, b := range f.filters {
		if b.K() != filterHashes {
			return nil, fmt.Errorf("encode evicted filter: %d hashes, want %d", b.K(), filterHashes)
		}
		words := b.BitSet().Words()
		buf = binary.AppendUvarint(buf, uint64(f.caps[i]))
		buf = binary.AppendUvarint(buf, uint64(b.Cap()))
		buf = binary.AppendUvarint(buf, uint64(len(words)))
		for _, w := range words {
			buf = binary.LittleEndian.AppendUint64(buf, w)
		}
	}
	return buf, nil
}

var errShortSnapshot = errors.New("snapshot ends early")

// readFilter decodes a filter encoded by appendBinary from r, refusing
// counts the rest of the snapshot cannot hold. The static filter is not
// loaded: staticBelow says which one the chain needs.
func readFilter(r *snapReader) (evictedFilter, error) {
	var f evictedFilter
	below := r.uvarint()
	f.staticKeys = r.uvarint()
	if below > math.MaxInt64 {
		return f, errors.New("evicted filter: static offset out of range")
	}
	f.staticBelow = int64(below)
	n := r.uvarint()
	f.n = uint(r.uvarint())
	f.total = r.uvarint()
	if r.err != nil || n > 64 {
		return f, fmt.Errorf("evicted filter header: %w", errors.Join(r.err, errShortSnapshot))
	}
	for range n {
		c := uint(r.uvarint())
		m := r.uvarint()
		nw := r.count(8)
		if r.err != nil {
			return f, r.err
		}
		if m == 0 || (m+63)/64 != uint64(nw) || c == 0 || c > 1<<40 {
			return f, errors.New("evicted filter: sizes do not match")
		}
		words := make([]uint64, nw)
		for i := range words {
			words[i] = binary.LittleEndian.Uint64(r.b[8*i:])
		}
		r.b = r.b[8*nw:]
		f.filters = append(f.filters, bloom.FromWithM(words, uint(m), filterHashes))
		f.caps = append(f.caps, c)
	}
	if n == 0 && f.n != 0 {
		return f, errors.New("evicted filter: keys without a filter")
	}
	if f.total < uint64(f.n) {
		return f, errors.New("evicted filter: fewer keys than its last filter holds")
	}
	return f, nil
}
