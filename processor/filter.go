package processor

import (
	"encoding/binary"
	"errors"
	"fmt"

	"github.com/bits-and-blooms/bloom/v3"
)

// evictedFilter remembers which interactions of a partition have left the
// fold's memory: a chain of Bloom filters over their keys (tenant, a NUL
// byte, id), each twice the capacity of the one before, so it grows with
// what was evicted at about 1.8 bytes per interaction, not with a
// guess made up front. It has no false negatives: a key added is always
// found. A false positive (about 1 in 1,000) costs a store lookup that
// finds nothing. Its hashes depend on the bytes only, so it is stored in
// snapshots as it is.
type evictedFilter struct {
	filters []*bloom.BloomFilter
	caps    []uint // capacity of each filter
	n       uint   // keys added to the last filter
	total   uint64 // keys added
	locs    []uint64
}

const (
	filterHashes   = 10      // k: about 0.1% false positives at capacity
	filterFirstCap = 1 << 14 // keys of the first filter
	filterBitsPer  = 15      // bits per key at capacity
)

// add records key.
func (f *evictedFilter) add(key []byte) {
	if len(f.filters) == 0 || f.n >= f.caps[len(f.caps)-1] {
		c := uint(filterFirstCap)
		if len(f.caps) > 0 {
			c = 2 * f.caps[len(f.caps)-1]
		}
		f.filters = append(f.filters, bloom.New(c*filterBitsPer, filterHashes))
		f.caps = append(f.caps, c)
		f.n = 0
	}
	f.filters[len(f.filters)-1].Add(key)
	f.n++
	f.total++
}

// mayHold reports whether key may have been added: always true when it was.
func (f *evictedFilter) mayHold(key []byte) bool {
	if len(f.filters) == 0 {
		return false
	}
	f.locs = bloom.Locations(key, filterHashes)
	for _, b := range f.filters {
		if b.TestLocations(f.locs) {
			return true
		}
	}
	return false
}

// appendBinary appends the filter's encoding to buf: the counts, then per
// filter its capacity, its bit count and its 64-bit words little-endian
// (k is fixed: filterHashes).
func (f *evictedFilter) appendBinary(buf []byte) ([]byte, error) {
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
// counts the rest of the snapshot cannot hold.
func readFilter(r *snapReader) (evictedFilter, error) {
	var f evictedFilter
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
	return f, nil
}
