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
	bucketMeta = []byte("meta")
	// archiveLayout is the layout of the keys, in meta under "layout": a
	// file of another layout (or none: the first) is replaced by an empty
	// one, which makes a learner resuming from a checkpoint read the log
	// again from its start (Learner.Run, as for a lost archive).
	archiveLayout = []byte{2}
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
	db, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: archiveLockWait, NoSync: true, NoFreelistSync: true, FreelistType: bolt.FreelistMapType})
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
		for _, b := range [][]byte{bucketIx, bucketBk, bucketUndo, bucketMeta} {
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

// writeChunk is how many changes one transaction takes. bbolt rewrites
// every page a transaction touched at its commit, and an interaction's
// ix key lands on a random page (ids are not in time order), so larger
// transactions rewrite fewer pages per interaction; bbolt splits nodes at
// commit only, so one transaction of a very large eviction would move
// memory quadratically: a day of a 300-agent tenant (~3,300) is one.
const writeChunk = 4096

// write applies the changes, made after consuming pos records, keeping
// what rollback needs to undo them, in transactions of writeChunk (a kill
// between two leaves writes that rollback undoes: all are past the
// checkpoint). Not synced: sync does, before the checkpoint is written.
func (a *archive) write(pos int64, chs []change) error {
	if len(chs) > 1 { // in key order: each transaction touches fewer pages
		order := make([]int32, len(chs))
		for i := range order {
			order[i] = int32(i)
		}
		slices.SortStableFunc(order, func(x, y int32) int {
			return cmp.Or(strings.Compare(chs[x].tenant, chs[y].tenant), strings.Compare(chs[x].id, chs[y].id))
		})
		// One change per interaction, the last (what applying them in
		// turn leaves): a transaction then never changes a key twice.
		sorted := make([]change, 0, len(chs))
		for i, j := range order {
			if i+1 < len(order) {
				if n := chs[order[i+1]]; n.tenant == chs[j].tenant && n.id == chs[j].id {
					continue
				}
			}
			sorted = append(sorted, chs[j])
		}
		chs = sorted
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

// undoInserted names the undo record that lists the ix keys a
// transaction inserted fresh (rollback deletes them and their bk keys).
var undoInserted = []byte("+ix")

// writeTx applies chs in one transaction. An interaction the filter has
// never seen is a fresh insert (what an eviction writes: an interaction in
// the cells' memory is never archived too): two puts, and its key goes on
// the transaction's one list of inserted keys instead of an undo record
// of its own. Anything else (a move, a delete, a filter false positive)
// reads the old entry and keeps an undo record per key it changes. Keys
// and values are cut from one growing buffer per transaction (bbolt keeps
// them until the commit).
func (a *archive) writeTx(pos int64, chs []change) error {
	return a.db.Update(func(tx *bolt.Tx) error {
		ix, bk, u := tx.Bucket(bucketIx), tx.Bucket(bucketBk), tx.Bucket(bucketUndo)
		n := uint32(0)
		if k, _ := u.Cursor().Last(); k != nil && binary.BigEndian.Uint64(k) == uint64(pos) {
			n = binary.BigEndian.Uint32(k[8:]) + 1
		}
		buf := make([]byte, 0, len(chs)*160)
		cut := func(from int) []byte { return buf[from:len(buf):len(buf)] }
		putUndo := func(rec []byte) error {
			uk := binary.BigEndian.AppendUint32(binary.BigEndian.AppendUint64(nil, uint64(pos)), n)
			n++
			return u.Put(uk, rec)
		}
		set := func(b []byte, key, val []byte) error {
			old := tx.Bucket(b).Get(key)
			rec := appendBytes(appendBytes(nil, b), key)
			if old != nil {
				rec = appendBytes(append(rec, 1), old)
			} else {
				rec = append(rec, 0)
			}
			if err := putUndo(rec); err != nil {
				return err
			}
			if val == nil {
				return tx.Bucket(b).Delete(key)
			}
			return tx.Bucket(b).Put(key, val)
		}
		inserted := appendBytes(nil, undoInserted)
		fresh := 0
		var bks [][]byte // the fresh inserts' bk keys, put last in their order
		for i := range chs {
			ch := &chs[i]
			from := len(buf)
			buf = ixArchiveKeyTo(buf, ch.tenant, ch.id)
			key := cut(from)
			if !ch.del && !a.filter.mayHold(ch.tenant, ch.id) {
				from = len(buf)
				buf = encodeArchived(buf, &ch.e)
				val := cut(from)
				from = len(buf)
				buf = append(bkPrefixTo(buf, ch.e.Key), ch.id...)
				if err := ix.Put(key, val); err != nil {
					return err
				}
				bks = append(bks, cut(from))
				a.filter.add(ch.tenant, ch.id) // a failed transaction leaves a false positive only
				inserted = appendBytes(inserted, key)
				fresh++
				continue
			}
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
			a.filter.add(ch.tenant, ch.id)
			if err := set(bucketBk, append(bkPrefix(ch.e.Key), ch.id...), []byte{}); err != nil {
				return err
			}
		}
		// In key order, so that a node takes its new keys at its end (an
		// eviction's hours follow every hour archived before).
		slices.SortFunc(bks, bytes.Compare)
		for _, k := range bks {
			if err := bk.Put(k, []byte{}); err != nil {
				return err
			}
		}
		if fresh > 0 {
			return putUndo(inserted)
		}
		return nil
	})
}

// restoreUndo puts back what one undo record saved: a key's old value
// (or its absence), or, for a list of fresh inserts, their absence.
func restoreUndo(tx *bolt.Tx, rec []byte) error {
	d := outcomes.NewDecoder(rec)
	name := d.Bytes(d.Uvarint("bucket"), "bucket")
	if d.Err() == nil && bytes.Equal(name, undoInserted) {
		return undoInserts(tx, d)
	}
	key := d.Bytes(d.Uvarint("key"), "key")
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

// undoInserts deletes the interactions an undo record of fresh inserts
// lists, from ix and bk (rollback runs newest first: their entries are
// the inserted ones again).
func undoInserts(tx *bolt.Tx, d *outcomes.Decoder) error {
	ix, bk := tx.Bucket(bucketIx), tx.Bucket(bucketBk)
	for len(d.Rest()) > 0 && d.Err() == nil {
		key := slices.Clone(d.Bytes(d.Uvarint("key"), "key"))
		if d.Err() != nil {
			break
		}
		l, n := binary.Uvarint(key)
		if n <= 0 || l > uint64(len(key)-n) {
			return fmt.Errorf("%w: key %x", errBadArchive, key)
		}
		tenant, id := string(key[n:n+int(l)]), key[n+int(l):]
		if v := ix.Get(key); v != nil {
			e, err := decodeArchived(tenant, v)
			if err != nil {
				return err
			}
			if err := bk.Delete(append(bkPrefix(e.Key), id...)); err != nil {
				return err
			}
			if err := ix.Delete(key); err != nil {
				return err
			}
		}
	}
	if err := d.Err(); err != nil {
		return fmt.Errorf("learn: cells archive: bad undo record: %w", err)
	}
	return nil
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
