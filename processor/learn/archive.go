package learn

import (
	"bytes"
	"cmp"
	"encoding/binary"
	"errors"
	"fmt"
	"io/fs"
	"math"
	"os"
	"slices"
	"strings"
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
// A bbolt file beside the checkpoint, three buckets: "ix" (tenant,
// interaction) → entry; "bk" (bucket key, interaction) → nothing, the
// members of an archived bucket; "undo" (position, n) → the previous value
// of a key changed by a write made after consuming position records. A
// checkpoint at position P covers the writes up to P: at start, rollback
// undoes the later ones (a kill -9 between a write and the next
// checkpoint), and checkpointed forgets the undo records the checkpoint
// made permanent. A learner starting from the log's start clears it.
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
	bucketBk   = []byte("bk")
	bucketUndo = []byte("undo")
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

// openArchive opens (creating) the archive file.
func openArchive(path string) (*archive, error) {
	_, statErr := os.Stat(path)
	db, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: archiveLockWait, NoSync: true})
	if errors.Is(err, berrors.ErrTimeout) {
		// bbolt's exclusive lock is the learner directory's lock: a second
		// learner on the same directory would overwrite the first one's
		// checkpoint too.
		return nil, fmt.Errorf("learn: cells archive %s is locked by another running learner: give each `agentpulse process` its own --data-dir (or run the learner in one instance, --learn=false on the others): %w", path, err)
	}
	if err != nil {
		return nil, fmt.Errorf("learn: cells archive %s: %w", path, err)
	}
	if err := db.Update(func(tx *bolt.Tx) error {
		for _, b := range [][]byte{bucketIx, bucketBk, bucketUndo} {
			if _, err := tx.CreateBucketIfNotExists(b); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		_ = db.Close()
		return nil, fmt.Errorf("learn: cells archive %s: %w", path, err)
	}
	a := &archive{db: db, created: errors.Is(statErr, fs.ErrNotExist)}
	if err := a.refilter(); err != nil {
		_ = db.Close()
		return nil, fmt.Errorf("learn: cells archive %s: %w", path, err)
	}
	return a, nil
}

// refilter rebuilds the filter from the interactions in the file.
func (a *archive) refilter() error {
	a.filter = newArchiveFilter()
	return a.db.View(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketIx).ForEach(func(k, _ []byte) error {
			l, n := binary.Uvarint(k)
			if n <= 0 || l > uint64(len(k)-n) {
				return fmt.Errorf("%w: key %x", errBadArchive, k)
			}
			a.filter.add(string(k[n:n+int(l)]), string(k[n+int(l):]))
			return nil
		})
	})
}

func (a *archive) close() error { return a.db.Close() }

// rollback brings the archive to the checkpoint at position pos: every
// write made after it is undone, newest first; pos 0 (no checkpoint)
// empties it.
func (a *archive) rollback(pos int64) error {
	return a.db.Update(func(tx *bolt.Tx) error {
		if pos <= 0 {
			for _, b := range [][]byte{bucketIx, bucketBk, bucketUndo} {
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
		return nil
	})
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
		v := tx.Bucket(bucketIx).Get(ixArchiveKey(tenant, id))
		if v == nil {
			return nil
		}
		ok = true
		e, err = decodeArchived(tenant, v)
		return err
	})
	return e, ok, err
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

// change is one write: put e (del false) or delete the interaction.
type change struct {
	tenant, id string
	e          archived
	del        bool
}

// writeChunk is how many changes one transaction takes: bbolt splits
// nodes at commit only, so a transaction of a day's eviction would move
// memory quadratically.
const writeChunk = 512

// write applies the changes, made after consuming pos records, keeping an
// undo record of every key it changes, in transactions of writeChunk (a
// kill between two leaves writes that rollback undoes: all are past the
// checkpoint). Not synced: sync does, before the checkpoint is written.
func (a *archive) write(pos int64, chs []change) error {
	if len(chs) > writeChunk { // in key order: each transaction touches fewer pages
		chs = slices.Clone(chs)
		slices.SortStableFunc(chs, func(x, y change) int {
			return cmp.Or(strings.Compare(x.tenant, y.tenant), strings.Compare(x.id, y.id))
		})
	}
	for len(chs) > 0 {
		n := min(len(chs), writeChunk)
		if err := a.writeTx(pos, chs[:n]); err != nil {
			return err
		}
		chs = chs[n:]
	}
	return nil
}

// sync makes every write so far durable: called before a checkpoint is
// written, so that a checkpoint never covers writes a crash lost.
func (a *archive) sync() error { return a.db.Sync() }

func (a *archive) writeTx(pos int64, chs []change) error {
	return a.db.Update(func(tx *bolt.Tx) error {
		ix, u := tx.Bucket(bucketIx), tx.Bucket(bucketUndo)
		n := uint32(0)
		if k, _ := u.Cursor().Last(); k != nil && binary.BigEndian.Uint64(k) == uint64(pos) {
			n = binary.BigEndian.Uint32(k[8:]) + 1
		}
		set := func(b []byte, key, val []byte) error {
			old := tx.Bucket(b).Get(key)
			rec := appendBytes(appendBytes(nil, b), key)
			if old != nil {
				rec = appendBytes(append(rec, 1), old)
			} else {
				rec = append(rec, 0)
			}
			uk := binary.BigEndian.AppendUint32(binary.BigEndian.AppendUint64(nil, uint64(pos)), n)
			n++
			if err := u.Put(uk, rec); err != nil {
				return err
			}
			if val == nil {
				return tx.Bucket(b).Delete(key)
			}
			return tx.Bucket(b).Put(key, val)
		}
		for i := range chs {
			ch := &chs[i]
			key := ixArchiveKey(ch.tenant, ch.id)
			if old := ix.Get(key); old != nil { // leave its old bucket
				prev, err := decodeArchived(ch.tenant, old)
				if err != nil {
					return err
				}
				if err := set(bucketBk, append(bkPrefix(prev.Key), ch.id...), nil); err != nil {
					return err
				}
			}
			if ch.del {
				if err := set(bucketIx, key, nil); err != nil {
					return err
				}
				continue
			}
			if err := set(bucketIx, key, encodeArchived(nil, &ch.e)); err != nil {
				return err
			}
			a.filter.add(ch.tenant, ch.id) // a failed transaction leaves a false positive only
			if err := set(bucketBk, append(bkPrefix(ch.e.Key), ch.id...), []byte{}); err != nil {
				return err
			}
		}
		return nil
	})
}

// restoreUndo puts back what one undo record saved.
func restoreUndo(tx *bolt.Tx, rec []byte) error {
	d := outcomes.NewDecoder(rec)
	name, key := d.Bytes(d.Uvarint("bucket"), "bucket"), d.Bytes(d.Uvarint("key"), "key")
	had := d.Bool("had")
	var old []byte
	if had {
		old = d.Bytes(d.Uvarint("value"), "value")
	}
	if err := d.Err(); err != nil {
		return fmt.Errorf("learn: cells archive: bad undo record: %w", err)
	}
	b := tx.Bucket(name)
	if b == nil {
		return fmt.Errorf("learn: cells archive: undo record of unknown bucket %q", name)
	}
	if had {
		return b.Put(key, old)
	}
	return b.Delete(key)
}

func ixArchiveKey(tenant, id string) []byte {
	return append(appendString(nil, tenant), id...)
}

// bkPrefix encodes a bucket key so that no key is a prefix of another's
// encoding: length-prefixed strings, then the hour.
func bkPrefix(k store.BucketKey) []byte {
	var b []byte
	for _, s := range []string{k.Tenant, k.Model, k.Team, k.Agent, k.Inquiry} {
		b = appendString(b, s)
	}
	return binary.BigEndian.AppendUint64(b, uint64(k.Hour.Unix()))
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
