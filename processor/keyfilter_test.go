package processor

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"

	"github.com/FastFilter/xorfilter"
)

// newKeyFilter builds the filter of hashes as the worker does, in shards
// of at most shardKeys (0: keyShardKeys), spilling under dir when more
// than one.
func newKeyFilter(dir string, hashes []uint64, shardKeys int) (*keyFilter, error) {
	b := newKeyFilterBuilder(dir, int64(len(hashes)), shardKeys)
	for _, h := range hashes {
		b.add(h)
	}
	return b.build()
}

// TestKeyFilterNoFalseNegatives: a static filter built from any set of
// keys (repeats included), in one shard or many, holds every one of them,
// before and after its encoding, and rejects nearly every other key; a
// spilled build leaves no file behind.
func TestKeyFilterNoFalseNegatives(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	dir := t.TempDir()
	for _, c := range []struct{ n, shardKeys int }{{1, 0}, {2, 0}, {3, 0}, {7, 0}, {100, 0}, {1000, 0}, {4097, 0}, {50_000, 0},
		{1, 1}, {2, 1}, {7, 2}, {100, 16}, {1000, 64}, {4097, 100}, {50_000, 5000}, {300_000, 0}} {
		n := c.n
		var keys [][]byte
		var hashes []uint64
		for i := range n {
			k := appendKey(nil, fmt.Sprintf("t%d", rng.IntN(3)), fmt.Sprintf("i-%d-%d", i, rng.Uint64()))
			keys = append(keys, k)
			hashes = append(hashes, keyHash64(k))
			if i%10 == 0 { // a repeat, as a key with several revisions
				hashes = append(hashes, keyHash64(k))
			}
		}
		kf, err := newKeyFilter(dir, hashes, c.shardKeys)
		if err != nil {
			t.Fatalf("n=%d: %v", n, err)
		}
		if left, _ := os.ReadDir(dir); len(left) != 0 {
			t.Fatalf("n=%d, shards of %d: the build left %d files", n, c.shardKeys, len(left))
		}
		if c.shardKeys > 0 && n > c.shardKeys && kf.shardBits == 0 {
			t.Fatalf("n=%d, shards of %d: one shard", n, c.shardKeys)
		}
		back, err := decodeKeyFilter(kf.encode())
		if err != nil {
			t.Fatalf("n=%d: decode: %v", n, err)
		}
		if !bytes.Equal(back.encode(), kf.encode()) {
			t.Fatalf("n=%d: encoding changed through a decode", n)
		}
		for _, k := range keys {
			if !kf.contains(k) || !back.contains(k) {
				t.Fatalf("n=%d: key %q not found", n, k)
			}
		}
		fp := 0
		const probes = 20_000
		for i := range probes {
			if back.contains(appendKey(nil, "t0", fmt.Sprintf("absent-%d", i))) {
				fp++
			}
		}
		if fp > probes/100 {
			t.Errorf("n=%d: %d of %d absent keys found (want under 1%%)", n, fp, probes)
		}
		if n >= 50_000 && c.shardKeys == 0 { // small shards cost more per key
			if perKey := float64(kf.size()) / float64(n); perKey > 1.3 {
				t.Errorf("n=%d: %.2f bytes per key, want at most 1.3 (1.125 for large sets)", n, perKey)
			}
		}
	}
	for _, shardKeys := range []int{0, 1} {
		if kf, err := newKeyFilter(dir, nil, shardKeys); kf != nil || err != nil {
			t.Errorf("newKeyFilter(nil) = %v, %v; want nil, nil", kf, err)
		}
	}
}

// TestEvictedFilterNoFalseNegatives runs random sequences of what the
// worker does to the evicted filter (keys leave memory; the chain is
// sealed and a static filter of every key below the seal installed; a
// build fails and the seal is forgotten; a snapshot is written and
// restored with the stored static filter) and checks after every step that
// every key that ever left memory is found.
func TestEvictedFilterNoFalseNegatives(t *testing.T) {
	dir := t.TempDir()
	for seed := range uint64(12) {
		rng := rand.New(rand.NewPCG(seed, 7))
		// One shard, or shards of a few keys up to a few thousand
		// (spilled builds).
		shardKeys := []int{0, 5, 64, 500, 4096, 0}[seed%6]
		var f evictedFilter
		var added [][]byte // every key that left memory, in order
		sealedAt := -1     // len(added) when sealed, -1 when not
		var stored *keyFilter
		var storedBelow int64
		check := func(step string) {
			for _, k := range added {
				if !f.mayHold(k) {
					t.Fatalf("seed %d, after %s: key %q lost (%d keys, %d in the chain, static below %d)",
						seed, step, k, len(added), f.recent(), f.staticBelow)
				}
			}
		}
		next := 0
		for step := range 40 {
			switch op := rng.IntN(10); {
			case op < 6:
				for range 1 + rng.IntN(600) {
					k := appendKey(nil, "t", fmt.Sprintf("k%d", next))
					next++
					f.add(k)
					added = append(added, k)
				}
				check("add")
			case op < 7 && sealedAt < 0:
				f.seal()
				sealedAt = len(added)
				check("seal")
			case op < 8 && sealedAt >= 0:
				// The build read the store below the seal: every key
				// sealed, and some hot keys that never left.
				var hs []uint64
				for _, k := range added[:sealedAt] {
					hs = append(hs, keyHash64(k))
				}
				for i := range 50 {
					hs = append(hs, keyHash64(appendKey(nil, "t", fmt.Sprintf("hot-%d-%d", step, i))))
				}
				kf, err := newKeyFilter(dir, hs, shardKeys)
				if err != nil {
					t.Fatal(err)
				}
				if kf == nil {
					f.unseal()
				} else {
					stored, storedBelow = kf, int64(step+1)
					f.install(kf, storedBelow, false)
				}
				sealedAt = -1
				check("install")
			case op < 9 && sealedAt >= 0:
				f.unseal()
				sealedAt = -1
				check("failed build")
			default:
				buf, err := f.appendBinary(nil)
				if err != nil {
					t.Fatal(err)
				}
				r := &snapReader{b: buf}
				g, err := readFilter(r)
				if err != nil || len(r.b) != 0 {
					t.Fatalf("seed %d: filter does not decode: %v (%d bytes left)", seed, err, len(r.b))
				}
				if g.staticBelow != f.staticBelow {
					t.Fatalf("seed %d: static offset %d decoded as %d", seed, f.staticBelow, g.staticBelow)
				}
				if g.staticBelow > 0 {
					back, err := decodeKeyFilter(stored.encode())
					if err != nil || storedBelow < g.staticBelow {
						t.Fatalf("seed %d: stored filter below %d for a snapshot needing %d: %v", seed, storedBelow, g.staticBelow, err)
					}
					g.static = back
				}
				f, sealedAt = g, -1 // a restart: no build in flight
				check("snapshot and restore")
			}
		}
	}
}

// FuzzKeyFilter: decoding any bytes never panics; a filter that decodes
// answers lookups without panicking and encodes to the same bytes.
func FuzzKeyFilter(f *testing.F) {
	var hs []uint64
	for i := range 300 {
		hs = append(hs, keyHash64(appendKey(nil, "t", fmt.Sprint(i))))
	}
	dir := f.TempDir()
	kf, err := newKeyFilter(dir, hs, 0)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(kf.encode())
	f.Add(encodeV1(kf))
	sharded, err := newKeyFilter(dir, hs, 40)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(sharded.encode())
	one, _ := newKeyFilter(dir, []uint64{42}, 0)
	f.Add(one.encode())
	f.Add([]byte(keyFilterMagic))
	f.Fuzz(func(t *testing.T, data []byte) {
		k, err := decodeKeyFilter(data)
		if err != nil {
			return
		}
		back, err := decodeKeyFilter(k.encode())
		if err != nil {
			t.Fatalf("a decoded filter's encoding does not decode: %v", err)
		}
		for i := range 100 {
			key := appendKey(nil, "t", fmt.Sprint(i))
			if k.contains(key) != back.contains(key) {
				t.Fatal("re-encoded filter answers differently")
			}
		}
		if string(data[:len(keyFilterMagic)]) == keyFilterMagic && !bytes.Equal(k.encode(), data) {
			t.Fatal("re-encoding differs")
		}
	})
}

// encodeV1 is the "APK1" encoding of a one-shard filter (the format
// before shards).
func encodeV1(k *keyFilter) []byte {
	buf := append([]byte(keyFilterMagicV1), binary.AppendUvarint(nil, k.keys)...)
	return appendFuse(buf, &k.shards[0])
}

// TestKeyFilterReadsV1: a filter stored before shards ("APK1") still
// loads and finds every key; sharded encodings refuse a shard count that
// does not match and an empty filter.
func TestKeyFilterReadsV1(t *testing.T) {
	var keys [][]byte
	var hs []uint64
	for i := range 2000 {
		k := appendKey(nil, "t", fmt.Sprint(i))
		keys, hs = append(keys, k), append(hs, keyHash64(k))
	}
	kf, err := newKeyFilter(t.TempDir(), hs, 0)
	if err != nil {
		t.Fatal(err)
	}
	old, err := decodeKeyFilter(encodeV1(kf))
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range keys {
		if !old.contains(k) {
			t.Fatalf("key %q not found in the APK1 filter", k)
		}
	}
	if !bytes.Equal(old.encode(), kf.encode()) {
		t.Error("an APK1 filter re-encodes otherwise than the same one-shard filter")
	}
	sharded, err := newKeyFilter(t.TempDir(), hs, 100)
	if err != nil {
		t.Fatal(err)
	}
	enc := sharded.encode()
	bitsAt := len(keyFilterMagic) + len(binary.AppendUvarint(nil, sharded.keys))
	for _, bad := range []byte{byte(sharded.shardBits) - 1, byte(sharded.shardBits) + 1, maxKeyShardBits + 1} {
		mut := bytes.Clone(enc)
		mut[bitsAt] = bad
		if _, err := decodeKeyFilter(mut); err == nil {
			t.Errorf("shard bits %d of a %d-bit filter decoded", bad, sharded.shardBits)
		}
	}
	empty := append([]byte(keyFilterMagic), 1, 0)
	empty = appendFuse(empty, &xorfilter.BinaryFuse8{})
	if _, err := decodeKeyFilter(empty); err == nil {
		t.Error("a filter with no shard holding a key decoded")
	}
}

// TestKeyFilterSpillFails: a build whose scratch directory cannot be made
// fails (the worker keeps the Bloom chain); a scratch directory left by a
// process that stopped mid-build is removed at the next start.
func TestKeyFilterSpillFails(t *testing.T) {
	notDir := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(notDir, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	parent := filepath.Join(notDir, "scratch")
	b := newKeyFilterBuilder(parent, 1000, 10)
	for i := range 1000 {
		b.add(keyHash64(appendKey(nil, "t", fmt.Sprint(i))))
	}
	if kf, err := b.build(); err == nil || kf != nil {
		t.Fatalf("build with an unusable scratch directory = %v, %v; want an error", kf, err)
	}

	scratch := t.TempDir()
	left := newKeyFilterBuilder(scratch, 1000, 10)
	left.add(1)
	other := filepath.Join(scratch, "learn")
	if err := os.Mkdir(other, 0o700); err != nil {
		t.Fatal(err)
	}
	if entries, _ := os.ReadDir(scratch); len(entries) != 2 {
		t.Fatalf("scratch holds %d entries, want the build's and another", len(entries))
	}
	removeKeyScratch(scratch, slog.Default())
	if entries, _ := os.ReadDir(scratch); len(entries) != 1 || entries[0].Name() != "learn" {
		t.Errorf("after removeKeyScratch the scratch directory holds %v, want only learn", entries)
	}
}
