package outcomes

import (
	"bytes"
	"cmp"
	"fmt"
	"io"
	"slices"
	"time"
)

// streamMagic opens a Stream checkpoint; the last byte is the format
// version. Version 1 was JSON (a streamSnap of copies of every contact,
// held whole in memory twice while written); version 2 is this binary
// encoding, written straight from the state through a buffer. A reader
// refuses any other version with ErrBadState: a processor then reads its
// log again from the start (processor/learn).
var streamMagic = [4]byte{'A', 'P', 'S', 2}

// WriteTo writes the stream's checkpoint to w: the same state gives the
// same bytes (tenants, contacts, customers, outcomes, days and learners in
// sorted order). Contacts are written once; a customer's history, the due
// days and the dirty set name them by their index in that order (an id
// that is not kept any more, in full). A processor stores it with the
// offsets it has consumed, so that after a kill -9 it resumes from both
// and emits exactly what an uninterrupted run would.
func (s *Stream) WriteTo(w io.Writer) (int64, error) {
	e := NewEncoder(w)
	s.EncodeTo(e)
	err := e.Flush()
	return e.Written(), err
}

// MarshalBinary is WriteTo into memory.
func (s *Stream) MarshalBinary() ([]byte, error) {
	var b bytes.Buffer
	_, err := s.WriteTo(&b)
	return b.Bytes(), err
}

// EncodeTo writes what WriteTo writes into e (a part of a larger
// checkpoint); DecodeFrom reads it back.
func (s *Stream) EncodeTo(e *Encoder) {
	e.Bytes(streamMagic[:])
	e.Bytes(appendConfig(nil, &s.cfg))
	e.Varint(int64(s.lateness))
	e.Time(s.low)
	names := s.tenantNames()
	e.Uvarint(uint64(len(names)))
	for _, t := range names {
		s.tenants[t].encode(e, t)
	}
}

func (ts *tenantStream) encode(e *Encoder, name string) {
	e.Str(name)
	e.Time(ts.w)
	e.Varint(ts.sealed)
	e.Varint(ts.evicted)
	ids := sortedKeys(ts.contacts)
	index := make(map[string]int, len(ids))
	for i, id := range ids {
		index[id] = i
	}
	e.Uvarint(uint64(len(ids)))
	for _, id := range ids {
		ts.contacts[id].encode(e)
	}
	// ref names a contact by its index + 1, or 0 and the id when the
	// stream no longer keeps it.
	ref := func(id string) {
		if i, ok := index[id]; ok {
			e.Uvarint(uint64(i) + 1)
			return
		}
		e.Uvarint(0)
		e.Str(id)
	}
	keys := sortedKeys(ts.customers)
	e.Uvarint(uint64(len(keys)))
	for _, k := range keys {
		list := ts.customers[k]
		e.Str(k)
		e.Uvarint(uint64(len(list)))
		for _, c := range list {
			if sc := ts.contacts[c.ID]; sc != nil && &sc.c == c {
				e.Uvarint(uint64(index[c.ID]) + 1)
			} else {
				e.Uvarint(0)
				encodeContact(e, c)
			}
		}
	}
	orphans := sortedKeys(ts.orphans)
	e.Uvarint(uint64(len(orphans)))
	for _, id := range orphans {
		os := sortedOutcomes(ts.orphans[id])
		e.Str(id)
		e.Uvarint(uint64(len(os)))
		for i := range os {
			encodeOutcome(e, &os[i])
		}
	}
	models := sortedKeys(ts.learners)
	e.Uvarint(uint64(len(models)))
	for _, m := range models {
		b, _ := ts.learners[m].MarshalBinary()
		e.Str(m)
		e.Uvarint(uint64(len(b)))
		e.Bytes(b)
	}
	days := make([]int64, 0, len(ts.due))
	for d := range ts.due {
		days = append(days, d)
	}
	slices.Sort(days)
	e.Uvarint(uint64(len(days)))
	for _, d := range days {
		due := sortedKeys(ts.due[d])
		e.Varint(d)
		e.Uvarint(uint64(len(due)))
		for _, id := range due {
			ref(id)
		}
	}
	dirty := sortedKeys(ts.dirty)
	e.Uvarint(uint64(len(dirty)))
	for _, id := range dirty {
		ref(id)
	}
}

func (sc *sContact) encode(e *Encoder) {
	encodeContact(e, &sc.c)
	os := sortedOutcomes(sc.outs)
	e.Uvarint(uint64(len(os)))
	for i := range os {
		encodeOutcome(e, &os[i])
	}
	e.Bool(sc.predicted)
	for tg := range numTargets {
		encodePrediction(e, &sc.pred[tg])
		e.Bool(sc.trained[tg])
	}
	e.Varint(int64(sc.hist.Last1d))
	e.Varint(int64(sc.hist.Last7d))
	e.Varint(int64(sc.hist.Last30d))
	e.Varint(int64(sc.hist.DaysSince))
	e.Bool(sc.hist.Known)
	e.Bool(sc.emitted)
	for tg := range numTargets {
		l := &sc.last[tg]
		e.Bool(l.Has)
		e.Bool(l.Value)
		e.Bool(l.Train)
		e.Time(l.Matured)
	}
}

// encodeContact writes a contact but its tenant (the tenant's section
// says it).
func encodeContact(e *Encoder, c *Contact) {
	e.Str(c.ID)
	e.Varint(c.Revision)
	e.Str(c.Model)
	e.Str(c.Inquiry)
	e.Str(c.Customer)
	e.Str(c.Chain)
	e.Str(c.Initiation)
	e.Time(c.Started)
	e.Time(c.Ended)
	e.F64(c.HandleS)
	for _, p := range []*float64{c.HoldS, c.ACWS, c.QueueWaitS} {
		e.Bool(p != nil)
		if p != nil {
			e.F64(*p)
		}
	}
	e.Bool(c.Transfers != nil)
	if c.Transfers != nil {
		e.Varint(*c.Transfers)
	}
}

func encodeOutcome(e *Encoder, o *Outcome) {
	e.Str(o.ID)
	e.Varint(o.Revision)
	e.Str(o.InteractionID)
	e.Str(o.Kind)
	e.Time(o.ObservedAt)
	e.F64(o.Score)
	e.F64(o.ScaleMin)
	e.F64(o.ScaleMax)
	e.Bool(o.Resolved)
}

func encodePrediction(e *Encoder, p *Prediction) {
	e.Bool(p.OK)
	e.F64(p.Model)
	e.F64(p.Base)
	e.F64(p.P)
	e.Bool(p.Served)
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// sortedOutcomes orders a contact's outcomes by outcome_id: the order of
// arrival must not show in the checkpoint.
func sortedOutcomes(in []Outcome) []Outcome {
	if slices.IsSortedFunc(in, func(a, b Outcome) int { return cmp.Compare(a.ID, b.ID) }) {
		return in
	}
	out := slices.Clone(in)
	slices.SortFunc(out, func(a, b Outcome) int { return cmp.Compare(a.ID, b.ID) })
	return out
}

// UnmarshalBinary restores a checkpoint written by WriteTo. It returns an
// error wrapping ErrBadState for anything else (another version included).
func (s *Stream) UnmarshalBinary(data []byte) error {
	d := NewDecoder(data)
	if err := s.DecodeFrom(d); err != nil {
		return err
	}
	if len(d.Rest()) != 0 {
		return fmt.Errorf("%w: stream checkpoint: trailing bytes", ErrBadState)
	}
	return nil
}

// DecodeFrom reads what EncodeTo wrote from d and replaces the stream
// with it; on an error (wrapping ErrBadState) the stream is unchanged.
func (s *Stream) DecodeFrom(d *Decoder) error {
	magic := d.Bytes(uint64(len(streamMagic)), "stream checkpoint")
	if d.Err() != nil || [4]byte(magic) != streamMagic {
		return fmt.Errorf("%w: not a stream checkpoint of version %d", ErrBadState, streamMagic[3])
	}
	cfg, err := d.r.config()
	if err != nil {
		return err
	}
	n := NewStream(cfg, time.Duration(d.Varint("lateness")))
	n.low = d.Time("low watermark")
	in := interner(n.names)
	nt := d.Count(1, "tenants")
	for range nt {
		if d.Err() != nil {
			break
		}
		name := in.of(d.Str("tenant"))
		if n.tenants[name] != nil {
			d.Fail("tenant (twice)")
			break
		}
		n.tenant(name).decode(d, n, name, in)
	}
	if d.Err() != nil {
		return d.Err()
	}
	*s = *n
	return nil
}

// interner shares the few distinct values of a checkpoint's repeated
// strings (tenants, models, inquiries, initiations, kinds).
type interner map[string]string

func (in interner) of(s string) string {
	if v, ok := in[s]; ok {
		return v
	}
	if len(in) < maxNames {
		in[s] = s
	}
	return s
}

func (ts *tenantStream) decode(d *Decoder, s *Stream, name string, in interner) {
	ts.w = d.Time("watermark")
	ts.sealed = d.Varint("sealed")
	ts.evicted = d.Varint("evicted")
	nc := d.Count(8, "contacts")
	list := make([]*sContact, 0, nc)
	for range nc {
		if d.Err() != nil {
			return
		}
		sc := &sContact{}
		decodeContact(d, &sc.c, name, in)
		for range d.Count(8, "outcomes") {
			var o Outcome
			decodeOutcome(d, &o, name, sc.c.ID, in)
			sc.outs = append(sc.outs, o)
		}
		sc.predicted = d.Bool("predicted")
		for tg := range numTargets {
			decodePrediction(d, &sc.pred[tg])
			sc.trained[tg] = d.Bool("trained")
		}
		sc.hist = History{Last1d: int(d.Varint("history")), Last7d: int(d.Varint("history")),
			Last30d: int(d.Varint("history")), DaysSince: int(d.Varint("history")), Known: d.Bool("history")}
		sc.emitted = d.Bool("emitted")
		for tg := range numTargets {
			l := &sc.last[tg]
			l.Has, l.Value, l.Train = d.Bool("label"), d.Bool("label"), d.Bool("label")
			l.Matured = d.Time("label maturity")
		}
		if d.Err() != nil {
			return
		}
		if n := len(list); n > 0 && list[n-1].c.ID >= sc.c.ID {
			d.Fail("contacts (order)")
			return
		}
		list = append(list, sc)
		ts.contacts[sc.c.ID] = sc
		day := day(sc.c.Ended.Add(s.horizon()))
		ts.evictAt[day] = append(ts.evictAt[day], sc.c.ID)
	}
	ref := func() (string, bool) {
		i := d.Uvarint("contact reference")
		if i == 0 {
			return d.Str("id"), true
		}
		if i > uint64(len(list)) {
			d.Fail("contact reference")
			return "", false
		}
		return list[i-1].c.ID, true
	}
	for range d.Count(2, "customers") {
		k := d.Str("customer")
		m := d.Count(1, "customer contacts")
		if d.Err() != nil {
			return
		}
		cs := make([]*Contact, 0, m)
		for range m {
			i := d.Uvarint("customer contact")
			switch {
			case i == 0:
				c := &Contact{}
				decodeContact(d, c, name, in)
				cs = append(cs, c)
			case i <= uint64(len(list)):
				c := &list[i-1].c
				if c.Customer == k {
					c.Customer = k // one copy of the key per customer
				}
				cs = append(cs, c)
			default:
				d.Fail("customer contact reference")
			}
			if d.Err() != nil {
				return
			}
		}
		ts.customers[k] = cs
	}
	for range d.Count(2, "orphans") {
		id := d.Str("orphan")
		var os []Outcome
		for range d.Count(8, "orphan outcomes") {
			var o Outcome
			decodeOutcome(d, &o, name, id, in)
			os = append(os, o)
		}
		if d.Err() != nil {
			return
		}
		ts.orphans[id] = os
	}
	for range d.Count(2, "learners") {
		m := in.of(d.Str("model"))
		b := d.Bytes(d.Uvarint("learner"), "learner")
		if d.Err() != nil {
			return
		}
		l := new(Learner)
		if err := l.UnmarshalBinary(b); err != nil {
			d.Fail("learner " + m)
			return
		}
		ts.learners[m] = l
	}
	for range d.Count(2, "due days") {
		day := d.Varint("due day")
		m := map[string]bool{}
		for range d.Count(1, "due contacts") {
			if id, ok := ref(); ok {
				m[id] = true
			}
		}
		ts.due[day] = m
	}
	for range d.Count(1, "dirty") {
		if id, ok := ref(); ok {
			ts.dirty[id] = true
		}
	}
}

func decodeContact(d *Decoder, c *Contact, tenant string, in interner) {
	c.Tenant = tenant
	c.ID = d.Str("interaction_id")
	c.Revision = d.Varint("revision")
	c.Model = in.of(d.Str("model"))
	c.Inquiry = in.of(d.Str("inquiry"))
	c.Customer = d.Str("customer_key")
	c.Chain = d.Str("chain_id")
	c.Initiation = in.of(d.Str("initiation"))
	c.Started = d.Time("started_at")
	c.Ended = d.Time("ended_at")
	c.HandleS = d.F64("handle")
	for _, p := range []**float64{&c.HoldS, &c.ACWS, &c.QueueWaitS} {
		if d.Bool("optional number") {
			v := d.F64("optional number")
			*p = &v
		}
	}
	if d.Bool("transfers") {
		v := d.Varint("transfers")
		c.Transfers = &v
	}
}

func decodeOutcome(d *Decoder, o *Outcome, tenant, interaction string, in interner) {
	o.Tenant = tenant
	o.ID = d.Str("outcome_id")
	o.Revision = d.Varint("outcome revision")
	if id := d.Str("outcome interaction_id"); id != interaction && d.Err() == nil {
		d.Fail("outcome interaction_id")
	}
	o.InteractionID = interaction
	o.Kind = in.of(d.Str("outcome kind"))
	o.ObservedAt = d.Time("observed_at")
	o.Score, o.ScaleMin, o.ScaleMax = d.F64("score"), d.F64("scale_min"), d.F64("scale_max")
	o.Resolved = d.Bool("resolved")
}

func decodePrediction(d *Decoder, p *Prediction) {
	p.OK = d.Bool("prediction")
	p.Model, p.Base, p.P = d.F64("prediction"), d.F64("prediction"), d.F64("prediction")
	p.Served = d.Bool("prediction")
}
