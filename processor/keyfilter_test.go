package processor

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"testing"
)

// TestKeyFilterNoFalseNegatives: a static filter built from any set of
// keys (repeats included) holds every one of them, before and after its
// encoding, and rejects nearly every other key.
func TestKeyFilterNoFalseNegatives(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for _, n := range []int{1, 2, 3, 7, 100, 1000, 4097, 50_000} {
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
		kf, err := newKeyFilter(hashes)
		if err != nil {
			t.Fatalf("n=%d: %v", n, err)
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
		if n >= 50_000 {
			if perKey := float64(len(kf.fuse.Fingerprints)) / float64(n); perKey > 1.3 {
				t.Errorf("n=%d: %.2f bytes per key, want at most 1.3 (1.125 for large sets)", n, perKey)
			}
		}
	}
	if kf, err := newKeyFilter(nil); kf != nil || err != nil {
		t.Errorf("newKeyFilter(nil) = %v, %v; want nil, nil", kf, err)
	}
}

// TestEvictedFilterNoFalseNegatives runs random sequences of what the
// worker does to the evicted filter (keys leave memory; the chain is
// sealed and a static filter of every key below the seal installed; a
// build fails and the seal is forgotten; a snapshot is written and
// restored with the stored static filter) and checks after every step that
// every key that ever left memory is found.
func TestEvictedFilterNoFalseNegatives(t *testing.T) {
	for seed := range uint64(12) {
		rng := rand.New(rand.NewPCG(seed, 7))
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
				kf, err := newKeyFilter(hs)
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
	kf, err := newKeyFilter(hs)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(kf.encode())
	one, _ := newKeyFilter([]uint64{42})
	f.Add(one.encode())
	f.Add([]byte(keyFilterMagic))
	f.Fuzz(func(t *testing.T, data []byte) {
		k, err := decodeKeyFilter(data)
		if err != nil {
			return
		}
		for i := range 100 {
			k.contains(appendKey(nil, "t", fmt.Sprint(i)))
		}
		if !bytes.Equal(k.encode(), data) {
			t.Fatal("re-encoding differs")
		}
	})
}
