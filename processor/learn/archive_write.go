package learn

import (
	"bytes"
	"cmp"
	"encoding/binary"
	"fmt"
	"slices"
	"strings"

	bolt "go.etcd.io/bbolt"

	"github.com/agentpulse/agentpulse/outcomes"
)

// change is one write: put e (del false) or delete the interaction.
type change struct {
	tenant, id string
	e          archived
	del        bool
}

// writeChunk is how many changes one transaction takes: bbolt splits
// nodes at commit only, so one transaction of a very large eviction would
// move memory quadratically; a day of a 300-agent tenant (~3,300) is one.
const writeChunk = 4096

// segmentMin is the fewest interactions archived for the first time that
// a transaction writes as a segment; fewer go to ix (a segment costs a
// filter of its own, and every lookup of the tenant that the filter
// passes looks at each segment's filter).
const segmentMin = 16

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
		slices.SortFunc(order, func(x, y int32) int { // stable: ties in input order
			return cmp.Or(strings.Compare(chs[x].tenant, chs[y].tenant), strings.Compare(chs[x].id, chs[y].id), cmp.Compare(x, y))
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

// writeTx applies chs (sorted, one per interaction) in one transaction.
// Interactions the filter has never seen are archived for the first time
// (what an eviction writes: an interaction in the cells' memory is never
// archived too); when there are segmentMin of them, they go to the
// segment (tenant, pos) with no undo record (rollback drops the segment
// whole), and their bk keys are put in key order, at the end of the
// tenant's hours. Anything else (a move, a delete, a filter false
// positive, a small write) finds the old entry and writes ix and bk with
// an undo record per key it changes. Keys and values are cut from one
// growing buffer (bbolt keeps them until the commit).
func (a *archive) writeTx(pos int64, chs []change) error {
	fresh := make([]bool, len(chs))
	nFresh := 0
	for i := range chs {
		if !chs[i].del && !a.filter.mayHold(chs[i].tenant, chs[i].id) {
			fresh[i] = true
			nFresh++
		}
	}
	segment := nFresh >= segmentMin
	segIDs := map[string][]string{}
	err := a.db.Update(func(tx *bolt.Tx) error {
		sb, u := tx.Bucket(bucketSeg), tx.Bucket(bucketUndo)
		// A segment's keys, and mostly its bk keys, go after every key of
		// their tenant: full pages (bbolt's default leaves half of a
		// split page empty, for inserts in the middle).
		sb.FillPercent, tx.Bucket(bucketBk).FillPercent = 0.95, 0.95
		n := uint32(0)
		if k, _ := u.Cursor().Last(); k != nil && binary.BigEndian.Uint64(k) == uint64(pos) {
			n = binary.BigEndian.Uint32(k[8:]) + 1
		}
		buf := make([]byte, 0, len(chs)*160)
		cut := func(from int) []byte { return buf[from:len(buf):len(buf)] }
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
		var bks [][]byte // the segment's bk keys, put last in key order
		for i := range chs {
			ch := &chs[i]
			if segment && fresh[i] {
				from := len(buf)
				buf = append(binary.BigEndian.AppendUint64(appendString(buf, ch.tenant), uint64(pos)), ch.id...)
				key := cut(from)
				from = len(buf)
				buf = encodeArchived(buf, &ch.e)
				if err := sb.Put(key, cut(from)); err != nil {
					return err
				}
				from = len(buf)
				buf = append(bkPrefixTo(buf, ch.e.Key), ch.id...)
				bks = append(bks, cut(from))
				a.filter.add(ch.tenant, ch.id) // a failed transaction leaves a false positive only
				segIDs[ch.tenant] = append(segIDs[ch.tenant], ch.id)
				continue
			}
			if !fresh[i] { // it may be archived: leave its old place and bucket
				if b, key, old := a.locate(tx, ch.tenant, ch.id); old != nil {
					prev, err := decodeArchived(ch.tenant, old)
					if err != nil {
						return err
					}
					if err := set(bucketBk, append(bkPrefix(prev.Key), ch.id...), nil); err != nil {
						return err
					}
					if err := set(b, key, nil); err != nil {
						return err
					}
				}
			}
			if ch.del {
				continue
			}
			if err := set(bucketIx, ixArchiveKey(ch.tenant, ch.id), encodeArchived(nil, &ch.e)); err != nil {
				return err
			}
			a.filter.add(ch.tenant, ch.id)
			if err := set(bucketBk, append(bkPrefix(ch.e.Key), ch.id...), []byte{}); err != nil {
				return err
			}
		}
		slices.SortFunc(bks, bytes.Compare)
		bk := tx.Bucket(bucketBk)
		for _, k := range bks {
			if err := bk.Put(k, []byte{}); err != nil {
				return err
			}
		}
		return nil
	})
	if err == nil {
		for tenant, ids := range segIDs {
			a.filter.addSegment(tenant, uint64(pos), ids)
		}
	}
	return err
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

// splitIxKey splits an ix key into its tenant and interaction.
func splitIxKey(k []byte) (tenant, id string, ok bool) {
	l, n := binary.Uvarint(k)
	if n <= 0 || l > uint64(len(k)-n) {
		return "", "", false
	}
	return string(k[n : n+int(l)]), string(k[n+int(l):]), true
}

// splitSegKey splits a seg key into its tenant, segment and interaction.
func splitSegKey(k []byte) (tenant string, seg uint64, id string, ok bool) {
	l, n := binary.Uvarint(k)
	if n <= 0 || l > uint64(len(k)-n) || len(k)-n-int(l) < 8 {
		return "", 0, "", false
	}
	rest := k[n+int(l):]
	return string(k[n : n+int(l)]), binary.BigEndian.Uint64(rest), string(rest[8:]), true
}
