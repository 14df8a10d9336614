package processor

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math/bits"
	"slices"

	"github.com/FastFilter/xorfilter"
	"github.com/cespare/xxhash/v2"
)

// keyFilter is a static, exactly sized membership filter of interaction
// keys (tenant, a NUL byte, id): a binary fuse filter with 8-bit
// fingerprints (github.com/FastFilter/xorfilter) over the keys' 64-bit
// xxhash, about 9 bits per key with 0.4% false positives and no false
// negatives. It cannot take more keys once built: the evicted filter
// keeps the keys that left memory since in a Bloom chain, and the worker
// builds a new one from the store now and then (keybuild.go).
type keyFilter struct {
	fuse xorfilter.BinaryFuse8
	keys uint64 // distinct key hashes it was built from
}

// keyHash64 is a key's hash in a keyFilter: stable across processes, so
// that a stored filter answers for the keys of any later process.
func keyHash64(key []byte) uint64 { return xxhash.Sum64(key) }

// newKeyFilter builds a filter of the keys whose hashes are hashes (which
// it sorts and deduplicates in place). Nil when hashes is empty.
func newKeyFilter(hashes []uint64) (*keyFilter, error) {
	if len(hashes) == 0 {
		return nil, nil
	}
	hashes = sortedUnique(hashes)
	if len(hashes) == 1 {
		// The library builds no filter of one key; a second, unused
		// hash costs one more possible false positive.
		hashes = append(hashes, ^hashes[0])
	}
	fuse, err := xorfilter.PopulateBinaryFuse8(hashes)
	if err != nil {
		return nil, fmt.Errorf("build key filter of %d keys: %w", len(hashes), err)
	}
	return &keyFilter{fuse: *fuse, keys: uint64(len(hashes))}, nil
}

// sortedUnique sorts hs and drops repeats, in place.
func sortedUnique(hs []uint64) []uint64 {
	slices.Sort(hs)
	out := hs[:0]
	for i, h := range hs {
		if i == 0 || h != hs[i-1] {
			out = append(out, h)
		}
	}
	return out
}

func (k *keyFilter) contains(key []byte) bool { return k.fuse.Contains(keyHash64(key)) }

// keyFilterMagic versions a keyFilter's encoding:
//
//	"APK1"
//	uvarint keys; u64 seed; u32 segment length, mask, count, count length
//	(little-endian); uvarint fingerprints, then the fingerprint bytes
const keyFilterMagic = "APK1"

// encode returns the filter's encoding, stored with store.SaveKeyFilter.
func (k *keyFilter) encode() []byte {
	f := &k.fuse
	buf := make([]byte, 0, len(keyFilterMagic)+40+len(f.Fingerprints))
	buf = append(buf, keyFilterMagic...)
	buf = binary.AppendUvarint(buf, k.keys)
	buf = binary.LittleEndian.AppendUint64(buf, f.Seed)
	for _, v := range []uint32{f.SegmentLength, f.SegmentLengthMask, f.SegmentCount, f.SegmentCountLength} {
		buf = binary.LittleEndian.AppendUint32(buf, v)
	}
	buf = binary.AppendUvarint(buf, uint64(len(f.Fingerprints)))
	return append(buf, f.Fingerprints...)
}

// decodeKeyFilter decodes what encode returned, refusing any encoding
// whose sizes do not match (a lookup must never index out of range).
func decodeKeyFilter(data []byte) (*keyFilter, error) {
	if len(data) < len(keyFilterMagic) || string(data[:len(keyFilterMagic)]) != keyFilterMagic {
		return nil, errors.New("key filter: unknown format")
	}
	r := &snapReader{b: data[len(keyFilterMagic):]}
	k := &keyFilter{keys: r.uvarint()}
	if r.err != nil || len(r.b) < 24 {
		return nil, errors.New("key filter: header ends early")
	}
	f := &k.fuse
	f.Seed = binary.LittleEndian.Uint64(r.b)
	f.SegmentLength = binary.LittleEndian.Uint32(r.b[8:])
	f.SegmentLengthMask = binary.LittleEndian.Uint32(r.b[12:])
	f.SegmentCount = binary.LittleEndian.Uint32(r.b[16:])
	f.SegmentCountLength = binary.LittleEndian.Uint32(r.b[20:])
	r.b = r.b[24:]
	fps := r.bytes()
	if r.err != nil {
		return nil, fmt.Errorf("key filter: %w", r.err)
	}
	if len(r.b) != 0 {
		return nil, errors.New("key filter: trailing bytes")
	}
	sl, sc := uint64(f.SegmentLength), uint64(f.SegmentCount)
	// Contains reads fingerprints at h0 < count length, h1 = h0 + length
	// and h2 = h1 + length (each XORed within the segment mask): the
	// array must be (count + 2) segments.
	if sl == 0 || bits.OnesCount64(sl) != 1 || uint64(f.SegmentLengthMask) != sl-1 || sc == 0 ||
		uint64(f.SegmentCountLength) != sc*sl || uint64(len(fps)) != (sc+2)*sl || k.keys == 0 {
		return nil, errors.New("key filter: sizes do not match")
	}
	f.Fingerprints = append([]uint8(nil), fps...)
	return k, nil
}
