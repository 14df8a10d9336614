package processor

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"slices"

	"github.com/FastFilter/xorfilter"
)

// keyShardKeys is the most keys a keyFilter shard is meant to hold: a
// build holds one shard's hashes (8 bytes a key) and the library's work
// arrays (about 25 bytes a key) at once, so about 9 MB, however many keys
// the partition has. Up to 2^maxKeyShardBits shards (67 M keys a
// partition) the bound holds; past that shards grow.
const keyShardKeys = 1 << 18

// keyFilterBuilder builds a keyFilter from a stream of key hashes without
// holding them all: it is told an upper bound of the hashes to come (the
// offset below which they were applied: every hash is a record's), picks
// enough shards that each holds at most shardKeys, and, when that is more
// than one, writes each hash to its shard's file in a scratch directory as
// it comes (8 bytes a hash, removed when the build ends), then builds the
// shards one at a time from their files, reusing one set of work arrays.
// With one shard the hashes stay in memory (at most shardKeys of them).
// Not safe for concurrent use.
type keyFilterBuilder struct {
	shardBits uint
	shardKeys int
	parent    string // where the scratch directory goes; "" for os.TempDir()
	dir       string // the scratch directory, once made
	mem       []uint64
	files     []*os.File
	out       []*bufio.Writer
	added     uint64
	err       error // the first spill error: build returns it
}

// newKeyFilterBuilder returns a builder for at most bound hashes (more
// still build correctly, in larger shards), shards of at most shardKeys
// (keyShardKeys when 0), spilling under parent.
func newKeyFilterBuilder(parent string, bound int64, shardKeys int) *keyFilterBuilder {
	if shardKeys <= 0 {
		shardKeys = keyShardKeys
	}
	b := &keyFilterBuilder{parent: parent, shardKeys: shardKeys}
	for b.shardBits < maxKeyShardBits && bound > int64(shardKeys)<<b.shardBits {
		b.shardBits++
	}
	return b
}

// add takes one key hash (repeats are fine).
func (b *keyFilterBuilder) add(h uint64) {
	b.added++
	if b.shardBits == 0 {
		b.mem = append(b.mem, h)
		return
	}
	if b.err != nil {
		return
	}
	if b.files == nil {
		if b.err = b.open(); b.err != nil {
			return
		}
	}
	var v [8]byte
	binary.LittleEndian.PutUint64(v[:], h)
	if _, err := b.out[shardOf(h, b.shardBits)].Write(v[:]); err != nil {
		b.err = fmt.Errorf("spill key hashes: %w", err)
	}
}

// keyScratchPattern names a build's scratch directory (os.MkdirTemp).
const keyScratchPattern = "agentpulse-keys-"

// removeKeyScratch removes the scratch directories that builds of a
// process that stopped mid-build left in dir (Config.ScratchDir: the
// process's own); nothing when dir is "" (os.TempDir() is shared).
func removeKeyScratch(dir string, log *slog.Logger) {
	if dir == "" {
		return
	}
	left, _ := filepath.Glob(filepath.Join(dir, keyScratchPattern+"*"))
	for _, d := range left {
		if err := os.RemoveAll(d); err != nil {
			log.Warn("key filter scratch left by an earlier run not removed", "dir", d, "err", err)
		}
	}
}

// open makes the scratch directory and one file per shard.
func (b *keyFilterBuilder) open() error {
	if b.parent != "" {
		if err := os.MkdirAll(b.parent, 0o700); err != nil {
			return fmt.Errorf("key filter scratch directory: %w", err)
		}
	}
	dir, err := os.MkdirTemp(b.parent, keyScratchPattern)
	if err != nil {
		return fmt.Errorf("key filter scratch directory: %w", err)
	}
	b.dir = dir
	n := 1 << b.shardBits
	b.files, b.out = make([]*os.File, 0, n), make([]*bufio.Writer, 0, n)
	for s := range n {
		f, err := os.Create(filepath.Join(dir, fmt.Sprintf("shard-%03d", s)))
		if err != nil {
			return fmt.Errorf("key filter scratch file: %w", err)
		}
		b.files = append(b.files, f)
		b.out = append(b.out, bufio.NewWriterSize(f, 16<<10))
	}
	return nil
}

// close removes the scratch files; a builder may be closed any number of
// times, built or not.
func (b *keyFilterBuilder) close() {
	for _, f := range b.files {
		f.Close()
	}
	if b.dir != "" {
		os.RemoveAll(b.dir)
	}
	b.files, b.out, b.dir, b.mem = nil, nil, "", nil
}

// build returns the filter of every hash added (nil when none) and closes
// the builder.
func (b *keyFilterBuilder) build() (*keyFilter, error) {
	defer b.close()
	if b.err != nil {
		return nil, b.err
	}
	kf := &keyFilter{shardBits: b.shardBits, shards: make([]xorfilter.BinaryFuse8, 1<<b.shardBits)}
	var work xorfilter.BinaryFuseBuilder
	if b.shardBits == 0 || b.files == nil {
		// Nothing spilled: every hash is in memory (or none came).
		if err := kf.fill(0, b.mem, &work); err != nil {
			return nil, err
		}
	} else {
		hashes := b.mem[:0]
		var chunk [64 << 10]byte
		for s, f := range b.files {
			if err := b.out[s].Flush(); err != nil {
				return nil, fmt.Errorf("spill key hashes: %w", err)
			}
			if _, err := f.Seek(0, io.SeekStart); err != nil {
				return nil, fmt.Errorf("read spilled key hashes: %w", err)
			}
			hashes = hashes[:0]
			for {
				n, err := io.ReadFull(f, chunk[:])
				for i := 0; i+8 <= n; i += 8 {
					hashes = append(hashes, binary.LittleEndian.Uint64(chunk[i:]))
				}
				if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
					break
				}
				if err != nil {
					return nil, fmt.Errorf("read spilled key hashes: %w", err)
				}
			}
			if err := kf.fill(s, hashes, &work); err != nil {
				return nil, err
			}
			// The shard's file is no longer needed: free its disk now.
			f.Close()
			os.Remove(f.Name())
		}
	}
	if kf.keys == 0 {
		return nil, nil
	}
	return kf, nil
}

// fill builds shard s of the hashes (which it sorts and deduplicates in
// place), leaving it empty when there are none.
func (k *keyFilter) fill(s int, hashes []uint64, work *xorfilter.BinaryFuseBuilder) error {
	hashes = sortedUnique(hashes)
	if len(hashes) == 0 {
		return nil
	}
	k.keys += uint64(len(hashes))
	if len(hashes) == 1 {
		// The library builds no filter of one key; a second, unused
		// hash costs one more possible false positive.
		hashes = append(hashes, ^hashes[0])
	}
	f, err := xorfilter.BuildBinaryFuse[uint8](work, hashes)
	if err != nil {
		return fmt.Errorf("build key filter shard %d of %d keys: %w", s, len(hashes), err)
	}
	// The fingerprints are the work arrays' (reused by the next shard).
	f.Fingerprints = slices.Clone(f.Fingerprints)
	k.shards[s] = xorfilter.BinaryFuse8(f)
	return nil
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
