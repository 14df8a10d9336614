package embedded

import (
	"encoding/binary"
	"time"

	"github.com/agentpulse/agentpulse/processor/store"
	"github.com/agentpulse/agentpulse/schemas"
)

// rec is a stored revision, kept compact: the store holds every revision
// of make run's whole history, so a rec is one 160-byte allocation (a
// store.Record with its strings and optional numbers is 296 bytes plus
// about 250 more behind its pointers). full gives the record back as it
// was applied: its times the same instants in the same zone offsets (in
// whole minutes, all RFC 3339 has; time.UTC for 0, else an unnamed fixed
// zone, as schemas.ParseTimestamp makes them).
//
// The strings many records share (tenant, model, agent, team, inquiry,
// source, initiation) are numbers of the store's string table
// (Store.strs). The interaction's own strings are copied into one string,
// own: each of interaction id, customer key and chain id with its length
// before it (uvarint); source refs and attributes (canonical JSON text,
// schemas.SourceRefs and schemas.Attributes) are cloned. No rec holds a
// substring of the record it was made from: the decoder puts all of a
// record's strings in one allocation, which a kept substring would pin
// whole.
type rec struct {
	own                                                     string
	older                                                   *rec // the interaction's next older stored revision
	refs                                                    schemas.SourceRefs
	attrs                                                   schemas.Attributes
	revision                                                int64
	offset                                                  int64
	started                                                 int64 // unix seconds
	ended                                                   int64
	handle                                                  float64
	opt                                                     [4]float64 // predicted satisfaction and resolution, hold, queue wait; see has
	transfers                                               int64
	startedNs                                               int32
	endedNs                                                 int32
	partition                                               int32
	startedTZ                                               int16 // zone offset, minutes east of UTC
	endedTZ                                                 int16
	tenant, model, agent, team, inquiry, source, initiation uint32
	has                                                     uint8 // optional numbers present: 1<<i for opt[i], 1<<4 for transfers
}

const hasTransfers = 1 << 4

// newRec makes the rec of r; the caller holds s.mu for writing.
func (s *Store) newRec(r *store.Record) *rec {
	it := &r.Interaction
	x := &rec{
		revision: it.Revision, offset: r.Offset, partition: r.Partition,
		started: it.StartedAt.Unix(), startedNs: int32(it.StartedAt.Nanosecond()), startedTZ: offsetOf(it.StartedAt),
		ended: it.EndedAt.Unix(), endedNs: int32(it.EndedAt.Nanosecond()), endedTZ: offsetOf(it.EndedAt),
		handle: it.HandleTimeS,
		tenant: s.id(it.TenantID), model: s.id(it.Model), agent: s.id(it.AgentID), team: s.id(it.TeamID),
		inquiry: s.id(it.Inquiry), source: s.id(it.Source), initiation: s.id(it.Initiation),
	}
	for i, p := range []*float64{it.PredictedSatisfaction, it.PredictedResolution, it.HoldS, it.QueueWaitS} {
		if p != nil {
			x.opt[i] = *p
			x.has |= 1 << i
		}
	}
	if it.Transfers != nil {
		x.transfers = *it.Transfers
		x.has |= hasTransfers
	}
	x.own = ownString(it.InteractionID, it.CustomerKey, it.ChainID)
	x.refs, x.attrs = it.SourceRefs.Clone(), it.Attributes.Clone()
	return x
}

// ownString encodes a rec's own strings (see rec).
func ownString(id, customer, chain string) string {
	var b []byte
	for _, v := range [...]string{id, customer, chain} {
		b = binary.AppendUvarint(b, uint64(len(v)))
		b = append(b, v...)
	}
	return string(b)
}

// next splits the first length-prefixed string off s.
func next(s string) (v, rest string) {
	var n uint64
	var shift uint
	i := 0
	for ; i < len(s); i++ {
		c := s[i]
		n |= uint64(c&0x7f) << shift
		if c < 0x80 {
			i++
			break
		}
		shift += 7
	}
	return s[i : i+int(n)], s[i+int(n):]
}

// id returns the interaction id.
func (x *rec) id() string {
	v, _ := next(x.own)
	return v
}

// customer returns the customer key.
func (x *rec) customer() string {
	_, rest := next(x.own)
	v, _ := next(rest)
	return v
}

// setCustomer replaces the customer key (an erasure blanks it).
func (x *rec) setCustomer(customer string) {
	id, rest := next(x.own)
	_, rest = next(rest)
	chain, _ := next(rest)
	x.own = ownString(id, customer, chain)
}

// endedAt returns ended_at, in UTC (see full for its zone).
func (x *rec) endedAt() time.Time { return time.Unix(x.ended, int64(x.endedNs)).UTC() }

// offsetOf returns t's zone offset in whole minutes east of UTC.
func offsetOf(t time.Time) int16 {
	_, off := t.Zone()
	return int16(off / 60)
}

// key returns the interaction's key in Store.recs.
func (s *Store) key(x *rec) interactionKey { return interactionKey{s.strs[x.tenant], x.id()} }

// full returns the record as it was applied (times in UTC).
func (s *Store) full(x *rec) store.Record {
	id, rest := next(x.own)
	customer, rest := next(rest)
	chain, _ := next(rest)
	r := store.Record{Partition: x.partition, Offset: x.offset, Interaction: schemas.Interaction{
		TenantID: s.strs[x.tenant], InteractionID: id, Revision: x.revision, Model: s.strs[x.model],
		AgentID: s.strs[x.agent], TeamID: s.strs[x.team], Inquiry: s.strs[x.inquiry],
		StartedAt:   time.Unix(x.started, int64(x.startedNs)).In(schemas.Zone(int(x.startedTZ) * 60)),
		EndedAt:     time.Unix(x.ended, int64(x.endedNs)).In(schemas.Zone(int(x.endedTZ) * 60)),
		HandleTimeS: x.handle, CustomerKey: customer, ChainID: chain, Initiation: s.strs[x.initiation],
		Source: s.strs[x.source], SourceRefs: x.refs, Attributes: x.attrs,
	}}
	if x.has != 0 {
		var nums struct {
			opt       [4]float64
			transfers int64
		}
		nums.opt, nums.transfers = x.opt, x.transfers
		for i, p := range []**float64{&r.PredictedSatisfaction, &r.PredictedResolution, &r.HoldS, &r.QueueWaitS} {
			if x.has&(1<<i) != 0 {
				*p = &nums.opt[i]
			}
		}
		if x.has&hasTransfers != 0 {
			r.Transfers = &nums.transfers
		}
	}
	return r
}
