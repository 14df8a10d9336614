package processor

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math/bits"

	"github.com/FastFilter/xorfilter"
	"github.com/cespare/xxhash/v2"
)

// keyFilter is a static, exactly sized membership filter of interaction
// keys (tenant, a NUL byte, id): 2^shardBits binary fuse filters with
// 8-bit fingerprints (github.com/FastFilter/xorfilter), a key's shard
// being the top shardBits bits of its 64-bit xxhash, about 9 bits per key
// with 0.4% false positives and no false negatives. A lookup reads one
// shard, so sharding costs nothing in false positives; it lets a build
// hold one shard's keys at a time (keyFilterBuilder, keyspill.go) instead
// of every key of the partition. It cannot take more keys once built: the
// evicted filter keeps the keys that left memory since in a Bloom chain,
// and the worker builds a new one from the store now and then
// (keybuild.go).
type keyFilter struct {
	shards    []xorfilter.BinaryFuse8 // 1 << shardBits; one without fingerprints holds no key
	shardBits uint
	keys      uint64 // distinct key hashes it was built from
}

// maxKeyShardBits bounds a filter's shards (2^8 = 256): a build spills
// to one file per shard.
const maxKeyShardBits = 8

// keyHash64 is a key's hash in a keyFilter: stable across processes, so
// that a stored filter answers for the keys of any later process.
func keyHash64(key []byte) uint64 { return xxhash.Sum64(key) }

// shardOf is the shard of hash h among 2^shardBits.
func shardOf(h uint64, shardBits uint) int {
	if shardBits == 0 {
		return 0
	}
	return int(h >> (64 - shardBits))
}

func (k *keyFilter) contains(key []byte) bool {
	h := keyHash64(key)
	f := &k.shards[shardOf(h, k.shardBits)]
	return len(f.Fingerprints) > 0 && f.Contains(h)
}

// size is the filter's fingerprint bytes, about all the memory it holds.
func (k *keyFilter) size() int {
	n := 0
	for i := range k.shards {
		n += len(k.shards[i].Fingerprints)
	}
	return n
}

// keyFilterMagic versions a keyFilter's encoding:
//
//	"APK2"
//	uvarint keys; one byte shard bits; per shard (2^bits): u64 seed;
//	u32 segment length, mask, count, count length (little-endian);
//	uvarint fingerprints, then the fingerprint bytes (all zero and no
//	fingerprints: a shard without keys)
//
// "APK1" (one filter, before shards) is still read: the same fields
// without the shard bits and with a single filter.
const (
	keyFilterMagic   = "APK2"
	keyFilterMagicV1 = "APK1"
)

// encode returns the filter's encoding, stored with store.SaveKeyFilter.
func (k *keyFilter) encode() []byte {
	buf := make([]byte, 0, len(keyFilterMagic)+11+40*len(k.shards)+k.size())
	buf = append(buf, keyFilterMagic...)
	buf = binary.AppendUvarint(buf, k.keys)
	buf = append(buf, byte(k.shardBits))
	for i := range k.shards {
		buf = appendFuse(buf, &k.shards[i])
	}
	return buf
}

func appendFuse(buf []byte, f *xorfilter.BinaryFuse8) []byte {
	buf = binary.LittleEndian.AppendUint64(buf, f.Seed)
	for _, v := range []uint32{f.SegmentLength, f.SegmentLengthMask, f.SegmentCount, f.SegmentCountLength} {
		buf = binary.LittleEndian.AppendUint32(buf, v)
	}
	buf = binary.AppendUvarint(buf, uint64(len(f.Fingerprints)))
	return append(buf, f.Fingerprints...)
}

// decodeKeyFilter decodes what encode returned (or an "APK1" filter),
// refusing any encoding whose sizes do not match (a lookup must never
// index out of range).
func decodeKeyFilter(data []byte) (*keyFilter, error) {
	if len(data) < len(keyFilterMagic) {
		return nil, errors.New("key filter: unknown format")
	}
	sharded := false
	switch string(data[:len(keyFilterMagic)]) {
	case keyFilterMagic:
		sharded = true
	case keyFilterMagicV1:
	default:
		return nil, errors.New("key filter: unknown format")
	}
	r := &snapReader{b: data[len(keyFilterMagic):]}
	k := &keyFilter{keys: r.uvarint()}
	if sharded {
		k.shardBits = uint(r.byte())
	}
	if r.err != nil {
		return nil, errors.New("key filter: header ends early")
	}
	if k.shardBits > maxKeyShardBits || k.keys == 0 {
		return nil, errors.New("key filter: sizes do not match")
	}
	n := 1 << k.shardBits
	if len(r.b) < n*24 {
		return nil, errors.New("key filter: shards end early")
	}
	k.shards = make([]xorfilter.BinaryFuse8, n)
	filled := 0
	for i := range k.shards {
		if err := readFuse(r, &k.shards[i], sharded); err != nil {
			return nil, err
		}
		if len(k.shards[i].Fingerprints) > 0 {
			filled++
		}
	}
	if len(r.b) != 0 {
		return nil, errors.New("key filter: trailing bytes")
	}
	if filled == 0 {
		return nil, errors.New("key filter: no shard holds a key")
	}
	return k, nil
}

// readFuse reads one filter of appendFuse; an empty one (every field
// zero) only when empty is allowed.
func readFuse(r *snapReader, f *xorfilter.BinaryFuse8, empty bool) error {
	if len(r.b) < 24 {
		return errors.New("key filter: header ends early")
	}
	f.Seed = binary.LittleEndian.Uint64(r.b)
	f.SegmentLength = binary.LittleEndian.Uint32(r.b[8:])
	f.SegmentLengthMask = binary.LittleEndian.Uint32(r.b[12:])
	f.SegmentCount = binary.LittleEndian.Uint32(r.b[16:])
	f.SegmentCountLength = binary.LittleEndian.Uint32(r.b[20:])
	r.b = r.b[24:]
	fps := r.bytes()
	if r.err != nil {
		return fmt.Errorf("key filter: %w", r.err)
	}
	if empty && f.Seed == 0 && f.SegmentLength == 0 && f.SegmentLengthMask == 0 && f.SegmentCount == 0 &&
		f.SegmentCountLength == 0 && len(fps) == 0 {
		return nil
	}
	sl, sc := uint64(f.SegmentLength), uint64(f.SegmentCount)
	// Contains reads fingerprints at h0 < count length, h1 = h0 + length
	// and h2 = h1 + length (each XORed within the segment mask): the
	// array must be (count + 2) segments.
	if sl == 0 || bits.OnesCount64(sl) != 1 || uint64(f.SegmentLengthMask) != sl-1 || sc == 0 ||
		uint64(f.SegmentCountLength) != sc*sl || uint64(len(fps)) != (sc+2)*sl {
		return errors.New("key filter: sizes do not match")
	}
	f.Fingerprints = append([]uint8(nil), fps...)
	return nil
}
