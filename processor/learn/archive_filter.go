package learn

import (
	"hash/maphash"
	"iter"
)

// archiveFilter answers "may this interaction be archived?" in memory, so
// that a new interaction (nearly every record) costs no archive read: a
// chain of Bloom filters, each twice the capacity of the one before
// (about 1.5 bytes per archived interaction, 1 false positive in ~100,
// which costs one read that finds nothing). It has no false negatives.
// Interactions leaving the archive stay in it (a later read finds
// nothing). It is rebuilt from the archive when the learner starts, not
// checkpointed: its answers never change a result, only their cost.
type archiveFilter struct {
	seed  maphash.Seed
	parts []filterPart
	// segs are, per tenant, the filters of the archive's segments, in
	// the order they were written (archive.locate reads the segments
	// theirs may hold).
	segs map[string][]segPart
}

type filterPart struct {
	bits   []uint64
	n, cap int
}

const (
	filterHashes   = 7
	filterBitsEach = 10 // bits per key: ~0.8 % false positives at capacity
	filterFirstCap = 1 << 14
)

func newArchiveFilter() *archiveFilter { return &archiveFilter{seed: maphash.MakeSeed()} }

func (f *archiveFilter) hashes(tenant, id string) (uint64, uint64) {
	var h maphash.Hash
	h.SetSeed(f.seed)
	_, _ = h.WriteString(tenant)
	_ = h.WriteByte(0)
	_, _ = h.WriteString(id)
	a := h.Sum64()
	return a, a>>33 | a<<31 | 1
}

// setBits sets the filterHashes bits of the hash pair (a, b) in bits.
func setBits(bits []uint64, a, b uint64) {
	m := uint64(len(bits) * 64)
	for i := range uint64(filterHashes) {
		bit := (a + i*b) % m
		bits[bit/64] |= 1 << (bit % 64)
	}
}

// hasBits reports whether every one of the hash pair's bits is set.
func hasBits(bits []uint64, a, b uint64) bool {
	m := uint64(len(bits) * 64)
	for i := range uint64(filterHashes) {
		bit := (a + i*b) % m
		if bits[bit/64]&(1<<(bit%64)) == 0 {
			return false
		}
	}
	return true
}

// add records an archived interaction.
func (f *archiveFilter) add(tenant, id string) {
	if n := len(f.parts); n == 0 || f.parts[n-1].n >= f.parts[n-1].cap {
		c := filterFirstCap
		if n > 0 {
			c = 2 * f.parts[n-1].cap
		}
		f.parts = append(f.parts, filterPart{bits: make([]uint64, (c*filterBitsEach+63)/64), cap: c})
	}
	p := &f.parts[len(f.parts)-1]
	a, b := f.hashes(tenant, id)
	setBits(p.bits, a, b)
	p.n++
}

// mayHold reports whether the interaction may be archived: always true
// when it was added.
func (f *archiveFilter) mayHold(tenant, id string) bool {
	a, b := f.hashes(tenant, id)
	for pi := range f.parts {
		if hasBits(f.parts[pi].bits, a, b) {
			return true
		}
	}
	return false
}

// segPart is the filter of one segment of the archive (segment: the
// position of the write that archived its interactions).
type segPart struct {
	seg  uint64
	bits []uint64
}

// addSegment records the interactions of a tenant's segment (add them to
// the filter too).
func (f *archiveFilter) addSegment(tenant string, seg uint64, ids []string) {
	bits := make([]uint64, (len(ids)*filterBitsEach+63)/64)
	for _, id := range ids {
		a, b := f.hashes(tenant, id)
		setBits(bits, a, b)
	}
	if f.segs == nil {
		f.segs = map[string][]segPart{}
	}
	f.segs[tenant] = append(f.segs[tenant], segPart{seg: seg, bits: bits})
}

// segments returns the segments of the tenant that may hold the
// interaction, newest first.
func (f *archiveFilter) segments(tenant, id string) iter.Seq[uint64] {
	return func(yield func(uint64) bool) {
		ps := f.segs[tenant]
		if len(ps) == 0 {
			return
		}
		a, b := f.hashes(tenant, id)
		for pi := len(ps) - 1; pi >= 0; pi-- {
			p := &ps[pi]
			if hasBits(p.bits, a, b) && !yield(p.seg) {
				return
			}
		}
	}
}
