package learn

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io/fs"
	"math"
	"os"
	"slices"
	"time"

	bolt "go.etcd.io/bbolt"
	berrors "go.etcd.io/bbolt/errors"

	"github.com/agentpulse/agentpulse/outcomes"
	"github.com/agentpulse/agentpulse/processor/store"
)

// archive keeps, on disk, the placement and final cells of every
// interaction the cells dropped from memory (cells.evict), so that a later
// revision of one (a correction after the tenant's event time moved more
// than the horizon ahead) takes its cell out of the bucket it was in
// exactly, and moves it: see cells.followDropped. Memory stays bounded by
// the horizon; the disk holds ~100 bytes per interaction dropped.
//
// A bbolt file beside the checkpoint. An archived interaction's entry is
// in exactly one of two buckets: "seg" (tenant, segment, interaction),
// where a large write of interactions archived for the first time (an
// eviction: a day of a tenant) puts them, the segment being the position
// the write was made at, so that each such write appends at the end of
// its tenant's keys; and "ix" (tenant, interaction), for the rest (an
// interaction archived again after a move, small writes). "bk" (tenant,
// hour, rest of the bucket key, interaction) → nothing lists the members
// of an archived bucket, hour first for the same reason. "undo" (position,
// n) → the previous value of a key an ix write changed. A checkpoint at
// position P covers the writes up to P: at start, rollback undoes the
// later ones (a kill -9 between a write and the next checkpoint): their
// undo records, newest first, then the segments after P, deleted whole;
// checkpointed forgets the undo records the checkpoint made permanent. A
// learner starting from the log's start clears it.
//
// Finding an interaction: the filter (in memory) answers no for nearly
// every new one; otherwise ix, then the segments of its tenant whose own
// filter holds it, newest first. Why segments: ids are not in time order
// (platform UUIDs), so in one key order a day's eviction touches a random
// page for every interaction and bbolt rewrites each touched page at the
// commit (BenchmarkArchiveEvict: ~10 µs of CPU per interaction in one
// bucket by (tenant, interaction), ~2 µs in segments).
//
// Not safe for concurrent use (cells' owner guards it).
type archive struct {
	db *bolt.DB
	// filter holds every interaction archived since open (and those in
	// the file at open): get reads the file only on its hits.
	filter *archiveFilter
	// created: the file did not exist before openArchive.
	created bool
}

var (
	bucketIx   = []byte("ix")
	bucketSeg  = []byte("seg")
	bucketBk   = []byte("bk")
	bucketUndo = []byte("undo")
	bucketMeta = []byte("meta")
	// archiveLayout is the layout of the keys, in meta under "layout": a
	// file of another layout (or none: the first) is replaced by an empty
	// one, which makes a learner resuming from a checkpoint read the log
	// again from its start (Learner.Run, as for a lost archive).
	archiveLayout = []byte{3}
	metaLayout    = []byte("layout")
)

// archived is one dropped interaction.
type archived struct {
	Revision         int64
	Key              store.BucketKey
	FeedSat, FeedRes bool
	Sat, Res         score
}

// archiveLockWait is how long opening the archive waits for another
// process's lock on it (a learner stopping as this one starts).
var archiveLockWait = 5 * time.Second

// openArchive opens (creating) the archive file; a file of another layout
// is replaced by an empty one (created).
func openArchive(path string) (*archive, error) {
	a, err := openArchiveFile(path)
	if err != nil || a.created {
		return a, err
	}
	var layout []byte
	if err := a.db.View(func(tx *bolt.Tx) error {
		if m := tx.Bucket(bucketMeta); m != nil {
			layout = slices.Clone(m.Get(metaLayout))
		}
		return nil
	}); err != nil {
		_ = a.close()
		return nil, fmt.Errorf("learn: cells archive %s: %w", path, err)
	}
	if bytes.Equal(layout, archiveLayout) {
		return a, nil
	}
	if err := a.close(); err != nil {
		return nil, fmt.Errorf("learn: cells archive %s: %w", path, err)
	}
	if err := os.Remove(path); err != nil {
		return nil, fmt.Errorf("learn: cells archive %s of an older layout: %w", path, err)
	}
	return openArchiveFile(path)
}

func openArchiveFile(path string) (*archive, error) {
	_, statErr := os.Stat(path)
	db, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: archiveLockWait, NoSync: true, FreelistType: bolt.FreelistMapType})
	if errors.Is(err, berrors.ErrTimeout) {
		// bbolt's exclusive lock is the learner directory's lock: a second
		// learner on the same directory would overwrite the first one's
		// checkpoint too.
		return nil, fmt.Errorf("learn: cells archive %s is locked by another running learner: give each `agentpulse process` its own --data-dir (or run the learner in one instance, --learn=false on the others): %w", path, err)
	}
	if err != nil {
		return nil, fmt.Errorf("learn: cells archive %s: %w", path, err)
	}
	created := errors.Is(statErr, fs.ErrNotExist)
	if err := db.Update(func(tx *bolt.Tx) error {
		for _, b := range [][]byte{bucketIx, bucketSeg, bucketBk, bucketUndo, bucketMeta} {
			if _, err := tx.CreateBucketIfNotExists(b); err != nil {
				return err
			}
		}
		if created {
			return tx.Bucket(bucketMeta).Put(metaLayout, archiveLayout)
		}
		return nil
	}); err != nil {
		_ = db.Close()
		return nil, fmt.Errorf("learn: cells archive %s: %w", path, err)
	}
	a := &archive{db: db, created: created}
	if err := a.refilter(); err != nil {
		_ = db.Close()
		return nil, fmt.Errorf("learn: cells archive %s: %w", path, err)
	}
	return a, nil
}

// refilter rebuilds the filters from the interactions in the file: ix's
// into the filter, each segment's into its own too.
func (a *archive) refilter() error {
	a.filter = newArchiveFilter()
	return a.db.View(func(tx *bolt.Tx) error {
		if err := tx.Bucket(bucketIx).ForEach(func(k, _ []byte) error {
			tenant, id, ok := splitIxKey(k)
			if !ok {
				return fmt.Errorf("%w: key %x", errBadArchive, k)
			}
			a.filter.add(tenant, id)
			return nil
		}); err != nil {
			return err
		}
		var (
			tenant string
			seg    uint64
			ids    []string
		)
		flush := func() {
			for _, id := range ids {
				a.filter.add(tenant, id)
			}
			if len(ids) > 0 {
				a.filter.addSegment(tenant, seg, ids)
			}
			ids = ids[:0]
		}
		if err := tx.Bucket(bucketSeg).ForEach(func(k, _ []byte) error {
			t, s, id, ok := splitSegKey(k)
			if !ok {
				return fmt.Errorf("%w: key %x", errBadArchive, k)
			}
			if t != tenant || s != seg {
				flush()
				tenant, seg = t, s
			}
			ids = append(ids, id)
			return nil
		}); err != nil {
			return err
		}
		flush()
		return nil
	})
}

func (a *archive) close() error { return a.db.Close() }

// rollback brings the archive to the checkpoint at position pos: every
// write made after it is undone (the undo records newest first, then the
// segments of later writes, with their bk keys); pos 0 (no checkpoint)
// empties it.
func (a *archive) rollback(pos int64) error {
	return a.db.Update(func(tx *bolt.Tx) error {
		if pos <= 0 {
			for _, b := range [][]byte{bucketIx, bucketSeg, bucketBk, bucketUndo} {
				if err := tx.DeleteBucket(b); err != nil {
					return err
				}
				if _, err := tx.CreateBucket(b); err != nil {
					return err
				}
			}
			return nil
		}
		u := tx.Bucket(bucketUndo)
		from := binary.BigEndian.AppendUint64(nil, uint64(pos)+1)
		var keys, vals [][]byte
		c := u.Cursor()
		for k, v := c.Seek(from); k != nil; k, v = c.Next() {
			keys, vals = append(keys, slices.Clone(k)), append(vals, slices.Clone(v))
		}
		for i := len(keys) - 1; i >= 0; i-- {
			if err := restoreUndo(tx, vals[i]); err != nil {
				return err
			}
			if err := u.Delete(keys[i]); err != nil {
				return err
			}
		}
		return dropSegmentsAfter(tx, uint64(pos))
	})
}

// dropSegmentsAfter deletes the segments of writes made after pos, and
// their entries' bk keys: each tenant's keys from (tenant, pos+1) on.
func dropSegmentsAfter(tx *bolt.Tx, pos uint64) error {
	sb, bk := tx.Bucket(bucketSeg), tx.Bucket(bucketBk)
	var keys, bks [][]byte
	c := sb.Cursor()
	for k, v := c.First(); k != nil; {
		tenant, seg, id, ok := splitSegKey(k)
		if !ok {
			return fmt.Errorf("%w: key %x", errBadArchive, k)
		}
		if seg <= pos { // to this tenant's first segment after pos
			k, v = c.Seek(binary.BigEndian.AppendUint64(appendString(nil, tenant), pos+1))
			continue
		}
		e, err := decodeArchived(tenant, v)
		if err != nil {
			return err
		}
		keys, bks = append(keys, slices.Clone(k)), append(bks, append(bkPrefix(e.Key), id...))
		k, v = c.Next()
	}
	for i := range keys {
		if err := sb.Delete(keys[i]); err != nil {
			return err
		}
		if err := bk.Delete(bks[i]); err != nil {
			return err
		}
	}
	return nil
}

// reset brings the archive to the checkpoint at pos (rollback) and
// rebuilds the filter.
func (a *archive) reset(pos int64) error {
	if err := a.rollback(pos); err != nil {
		return err
	}
	return a.refilter()
}

// checkpointed forgets the undo records of writes up to pos: a checkpoint
// at pos is on disk.
func (a *archive) checkpointed(pos int64) error {
	return a.db.Update(func(tx *bolt.Tx) error {
		u := tx.Bucket(bucketUndo)
		c := u.Cursor()
		var keys [][]byte
		for k, _ := c.First(); k != nil && binary.BigEndian.Uint64(k) <= uint64(pos); k, _ = c.Next() {
			keys = append(keys, slices.Clone(k))
		}
		for _, k := range keys {
			if err := u.Delete(k); err != nil {
				return err
			}
		}
		return nil
	})
}

// get returns the archived interaction, ok false when it is not there.
func (a *archive) get(tenant, id string) (e archived, ok bool, err error) {
	if !a.filter.mayHold(tenant, id) {
		return archived{}, false, nil
	}
	err = a.db.View(func(tx *bolt.Tx) error {
		_, _, v := a.locate(tx, tenant, id)
		if v == nil {
			return nil
		}
		ok = true
		e, err = decodeArchived(tenant, v)
		return err
	})
	return e, ok, err
}

// locate finds an interaction the filter may hold: the bucket and key of
// its entry and the entry (nil when it is not archived). The value is
// valid for the transaction only.
func (a *archive) locate(tx *bolt.Tx, tenant, id string) (bucket, key, v []byte) {
	key = ixArchiveKey(tenant, id)
	if v = tx.Bucket(bucketIx).Get(key); v != nil {
		return bucketIx, key, v
	}
	sb := tx.Bucket(bucketSeg)
	for seg := range a.filter.segments(tenant, id) {
		key = append(binary.BigEndian.AppendUint64(appendString(nil, tenant), seg), id...)
		if v = sb.Get(key); v != nil {
			return bucketSeg, key, v
		}
	}
	return nil, nil, nil
}

// members returns the interaction ids archived in bucket k, sorted.
func (a *archive) members(k store.BucketKey) (ids []string, err error) {
	prefix := bkPrefix(k)
	err = a.db.View(func(tx *bolt.Tx) error {
		c := tx.Bucket(bucketBk).Cursor()
		for key, _ := c.Seek(prefix); key != nil && bytes.HasPrefix(key, prefix); key, _ = c.Next() {
			ids = append(ids, string(key[len(prefix):]))
		}
		return nil
	})
	return ids, err
}

func ixArchiveKey(tenant, id string) []byte { return ixArchiveKeyTo(nil, tenant, id) }

func ixArchiveKeyTo(b []byte, tenant, id string) []byte {
	return append(appendString(b, tenant), id...)
}

// bkPrefix encodes a bucket key so that no key is a prefix of another's
// encoding: the tenant, the hour, then the other strings, length-prefixed.
// The hour comes second so that an eviction (the oldest hours of a
// tenant) writes at the end of the tenant's keys, not all over them.
func bkPrefix(k store.BucketKey) []byte { return bkPrefixTo(nil, k) }

func bkPrefixTo(b []byte, k store.BucketKey) []byte {
	b = appendString(b, k.Tenant)
	b = binary.BigEndian.AppendUint64(b, uint64(k.Hour.Unix()))
	for _, s := range []string{k.Model, k.Team, k.Agent, k.Inquiry} {
		b = appendString(b, s)
	}
	return b
}

func appendString(b []byte, s string) []byte {
	return append(binary.AppendUvarint(b, uint64(len(s))), s...)
}

func appendBytes(b, s []byte) []byte {
	return append(binary.AppendUvarint(b, uint64(len(s))), s...)
}

// encodeArchived encodes an entry (the tenant is in its key).
func encodeArchived(b []byte, e *archived) []byte {
	b = binary.AppendVarint(b, e.Revision)
	for _, s := range []string{e.Key.Model, e.Key.Team, e.Key.Agent, e.Key.Inquiry} {
		b = appendString(b, s)
	}
	b = binary.AppendVarint(b, e.Key.Hour.Unix())
	var flags byte
	for i, on := range []bool{e.FeedSat, e.FeedRes, e.Sat.OK, e.Sat.Has, e.Sat.Value, e.Res.OK, e.Res.Has, e.Res.Value} {
		if on {
			flags |= 1 << i
		}
	}
	b = append(b, flags)
	b = binary.LittleEndian.AppendUint64(b, math.Float64bits(e.Sat.P))
	return binary.LittleEndian.AppendUint64(b, math.Float64bits(e.Res.P))
}

// errBadArchive wraps every decoding error of an archive entry.
var errBadArchive = errors.New("learn: bad cells archive entry")

func decodeArchived(tenant string, v []byte) (archived, error) {
	d := outcomes.NewDecoder(v)
	e := archived{Revision: d.Varint("revision")}
	e.Key.Tenant = tenant
	e.Key.Model, e.Key.Team, e.Key.Agent, e.Key.Inquiry = d.Str("model"), d.Str("team"), d.Str("agent"), d.Str("inquiry")
	e.Key.Hour = time.Unix(d.Varint("hour"), 0).UTC()
	var flags byte
	if b := d.Bytes(1, "flags"); len(b) == 1 {
		flags = b[0]
	}
	on := func(i int) bool { return flags&(1<<i) != 0 }
	e.FeedSat, e.FeedRes = on(0), on(1)
	e.Sat = score{OK: on(2), Has: on(3), Value: on(4)}
	e.Res = score{OK: on(5), Has: on(6), Value: on(7)}
	e.Sat.P, e.Res.P = d.F64("satisfaction"), d.F64("resolution")
	if d.Err() == nil && len(d.Rest()) != 0 {
		d.Fail("entry: trailing bytes")
	}
	if err := d.Err(); err != nil {
		return archived{}, fmt.Errorf("%w: %w", errBadArchive, err)
	}
	return e, nil
}
