package processor

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"time"

	"github.com/agentpulse/agentpulse/schemas"
	"github.com/agentpulse/agentpulse/views"
)

// A snapshot is a fold's hot state as of a checkpoint, stored with it
// (store.Batch.Snapshot) so that a restarted or reassigned partition loads
// it and refolds only the records after it. Its encoding, versioned by
// its first bytes:
//
//	"APS4"
//	uvarint watermark (unix ns, as int64 bits), varint evictedThrough
//	the evicted filter (evictedFilter.appendBinary): the offset its static
//	  filter covers, stored apart (store.SaveKeyFilter), and its Bloom chain
//	uvarint strings, each uvarint length + bytes (tenants, models, agents, teams, inquiries)
//	uvarint buckets, each: uvarint string index of tenant, model, agent, team, inquiry;
//	  varint hour (unix s); varint volume; f64 handle_sum; varint psat_n; f64 psat_sum;
//	  varint pres_n; f64 pres_sum; varint version
//	uvarint interactions, each: uvarint bucket index; bytes key; varint revision;
//	  varint ended_at (unix ns); f64 handle; byte flags (1 psat, 2 pres); f64 psat
//	  and f64 pres when flagged
//	the agents' roster parts (appendRosters, roster_snapshot.go)
//
// f64 is 8 little-endian bytes of the IEEE 754 bits, so sums come back
// bit for bit and a refold from a snapshot writes the values the first
// fold wrote.
//
// "APS4" is "APS3" with every sum on the grid of views.Sums (handle times
// in 1/1024 s, predictions in 2^-20): a retraction subtracts exactly what
// was added. An older snapshot ("APS3"; "APS2", before the static key
// filter; "APS1", before the roster) was folded before the grid: its
// bucket parts hold sums of the values as ingested, from which
// subtracting a value on the grid would leave up to half a grain behind.
// It is refused (errPreGridSnapshot): the partition is loaded from the
// store once, every part in memory re-summed on the grid from its
// records, and a new snapshot written.
const snapshotMagic = "APS4"

// errPreGridSnapshot is why a snapshot of an older version is refused.
var errPreGridSnapshot = errors.New(`snapshot written before sums were on the grid ("APS1" to "APS3"); the partition is loaded from the store once`)

// snapshot encodes the fold's hot state.
func (f *fold) snapshot() ([]byte, error) {
	buf := make([]byte, 0, 1<<16)
	buf = append(buf, snapshotMagic...)
	buf = binary.AppendUvarint(buf, uint64(f.watermark))
	buf = binary.AppendVarint(buf, int64(f.evictedThrough))
	var err error
	if buf, err = f.evicted.appendBinary(buf); err != nil {
		return nil, err
	}
	strIndex := map[string]uint64{}
	var strs []string
	str := func(s string) {
		if _, ok := strIndex[s]; !ok {
			strIndex[s] = uint64(len(strs))
			strs = append(strs, s)
		}
	}
	nb := 0
	for _, d := range f.days {
		for _, b := range d.buckets {
			str(b.agent.tenant)
			str(b.agent.model)
			str(b.agent.agent)
			str(b.team)
			str(b.inquiry)
			nb++
		}
	}
	buf = binary.AppendUvarint(buf, uint64(len(strs)))
	for _, s := range strs {
		buf = binary.AppendUvarint(buf, uint64(len(s)))
		buf = append(buf, s...)
	}
	buf = binary.AppendUvarint(buf, uint64(nb))
	first := map[*dayState]int{} // index of each day's first bucket
	i := 0
	for _, d := range f.days {
		first[d] = i
		for _, b := range d.buckets {
			for _, s := range []string{b.agent.tenant, b.agent.model, b.agent.agent, b.team, b.inquiry} {
				buf = binary.AppendUvarint(buf, strIndex[s])
			}
			buf = binary.AppendVarint(buf, b.hour.Unix())
			buf = binary.AppendVarint(buf, b.sums.Volume)
			buf = appendF64(buf, b.sums.HandleSum)
			buf = binary.AppendVarint(buf, b.sums.PsatN)
			buf = appendF64(buf, b.sums.PsatSum)
			buf = binary.AppendVarint(buf, b.sums.PresN)
			buf = appendF64(buf, b.sums.PresSum)
			buf = binary.AppendVarint(buf, b.version)
			i++
		}
	}
	ni := 0
	for _, d := range f.days {
		ni += d.index.len()
	}
	buf = binary.AppendUvarint(buf, uint64(ni))
	for _, d := range f.days {
		base := first[d]
		d.index.each(func(key []byte, e *applied) {
			buf = binary.AppendUvarint(buf, uint64(base+int(e.bucket)))
			buf = binary.AppendUvarint(buf, uint64(len(key)))
			buf = append(buf, key...)
			buf = binary.AppendVarint(buf, e.revision)
			buf = binary.AppendVarint(buf, e.ended)
			buf = appendF64(buf, e.handle)
			var flags byte
			if e.hasPsat {
				flags |= 1
			}
			if e.hasPres {
				flags |= 2
			}
			buf = append(buf, flags)
			if e.hasPsat {
				buf = appendF64(buf, e.psat)
			}
			if e.hasPres {
				buf = appendF64(buf, e.pres)
			}
		})
	}
	return f.appendRosters(buf), nil
}

func appendF64(buf []byte, v float64) []byte {
	return binary.LittleEndian.AppendUint64(buf, math.Float64bits(v))
}

// errBadSnapshot wraps every reason a snapshot cannot be restored.
var errBadSnapshot = errors.New("bad snapshot")

// restore replaces an empty fold's state with a snapshot's.
func (f *fold) restore(data []byte) error {
	if err := f.decode(data); err != nil {
		return fmt.Errorf("%w: %w", errBadSnapshot, err)
	}
	return nil
}

func (f *fold) decode(data []byte) error {
	if len(data) < len(snapshotMagic) {
		return errors.New("unknown format")
	}
	switch string(data[:len(snapshotMagic)]) {
	case snapshotMagic:
	case "APS1", "APS2", "APS3":
		return errPreGridSnapshot
	default:
		return errors.New("unknown format")
	}
	r := &snapReader{b: data[len(snapshotMagic):]}
	f.watermark = int64(r.uvarint())
	et := r.varint()
	if et < math.MinInt32 || et > math.MaxInt32 {
		return errors.New("evicted day out of range")
	}
	f.evictedThrough = int32(et)
	var err error
	if f.evicted, err = readFilter(r); err != nil {
		return err
	}
	ns := r.count(1)
	strs := make([]string, 0, ns)
	for range ns {
		strs = append(strs, string(r.bytes()))
	}
	str := func() string {
		i := r.uvarint()
		if i >= uint64(len(strs)) {
			r.fail("string index out of range")
			return ""
		}
		return strs[i]
	}
	nb := r.count(8)
	buckets := make([]*bucketState, 0, nb)
	for range nb {
		tenant, model, agent, team, inquiry := str(), str(), str(), str(), str()
		hour := time.Unix(r.varint(), 0).UTC()
		if r.err != nil {
			return r.err
		}
		key := bucketIndexKey{agent: f.agent(tenant, model, agent), team: team, inquiry: inquiry, hour: hour.Unix()}
		if f.buckets[key] != nil {
			return errors.New("bucket part twice")
		}
		b := f.newBucket(key)
		b.sums = views.Sums{Volume: r.varint(), HandleSum: r.f64(), PsatN: r.varint(), PsatSum: r.f64(), PresN: r.varint(), PresSum: r.f64()}
		b.version = r.varint()
		buckets = append(buckets, b)
	}
	ni := r.count(4)
	var it schemas.Interaction
	for range ni {
		bi := r.uvarint()
		key := r.bytes()
		if r.err != nil {
			return r.err
		}
		if bi >= uint64(len(buckets)) {
			return errors.New("bucket index out of range")
		}
		sep := -1
		for i, c := range key {
			if c == 0 {
				sep = i
				break
			}
		}
		if sep < 0 {
			return errors.New("interaction key without tenant")
		}
		it.TenantID, it.InteractionID = string(key[:sep]), string(key[sep+1:])
		b := buckets[bi]
		h := keyHash(f.seed, &it)
		if e, _ := f.find(&it, h); e != nil {
			return errors.New("interaction twice")
		}
		e := f.add(b.day, &it, h)
		e.bucket = b.slot
		e.revision = r.varint()
		e.ended = r.varint()
		e.handle = r.f64()
		flags := r.byte()
		if flags&1 != 0 {
			e.psat, e.hasPsat = r.f64(), true
		}
		if flags&2 != 0 {
			e.pres, e.hasPres = r.f64(), true
		}
	}
	f.readRosters(r)
	if r.err != nil {
		return r.err
	}
	if len(r.b) != 0 {
		return errors.New("trailing bytes")
	}
	return nil
}

// snapReader decodes a snapshot; the first error sticks.
type snapReader struct {
	b   []byte
	err error
}

func (r *snapReader) fail(msg string) {
	if r.err == nil {
		r.err = errors.New(msg)
	}
	r.b = nil
}

func (r *snapReader) uvarint() uint64 {
	v, n := binary.Uvarint(r.b)
	if n <= 0 {
		r.fail("truncated or overlong number")
		return 0
	}
	r.b = r.b[n:]
	return v
}

func (r *snapReader) varint() int64 {
	v, n := binary.Varint(r.b)
	if n <= 0 {
		r.fail("truncated or overlong number")
		return 0
	}
	r.b = r.b[n:]
	return v
}

// count reads a number of items each at least min bytes long, refusing
// one the rest of the snapshot cannot hold.
func (r *snapReader) count(min int) int {
	n := r.uvarint()
	if n > uint64(len(r.b)/min) {
		r.fail("count larger than the snapshot")
		return 0
	}
	return int(n)
}

func (r *snapReader) bytes() []byte {
	n := r.uvarint()
	if n > uint64(len(r.b)) {
		r.fail("truncated bytes")
		return nil
	}
	v := r.b[:n]
	r.b = r.b[n:]
	return v
}

func (r *snapReader) byte() byte {
	if len(r.b) < 1 {
		r.fail("truncated")
		return 0
	}
	v := r.b[0]
	r.b = r.b[1:]
	return v
}

func (r *snapReader) f64() float64 {
	if len(r.b) < 8 {
		r.fail("truncated float")
		return 0
	}
	v := math.Float64frombits(binary.LittleEndian.Uint64(r.b))
	r.b = r.b[8:]
	return v
}
