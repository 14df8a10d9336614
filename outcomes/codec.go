package outcomes

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"slices"
)

// stateMagic opens a serialized Learner; the last byte is the format
// version.
var stateMagic = [4]byte{'A', 'P', 'O', 2}

// ErrBadState is wrapped by UnmarshalBinary for bytes it cannot read.
var ErrBadState = errors.New("outcomes: bad learner state")

// MarshalBinary serializes the learner: the same state gives the same
// bytes (coordinates in index order, only those touched; inquiries
// sorted). It never fails.
func (l *Learner) MarshalBinary() ([]byte, error) {
	b := append([]byte(nil), stateMagic[:]...)
	b = appendConfig(b, &l.cfg)
	b = binary.AppendVarint(b, l.day)
	for i := range l.t {
		t := &l.t[i]
		b = appendBool(b, t.served)
		b = binary.AppendVarint(b, t.labels)
		var touched uint64
		for j := range t.m.n {
			if t.m.n[j] != 0 || t.m.z[j] != 0 {
				touched++
			}
		}
		b = binary.AppendUvarint(b, touched)
		for j := range t.m.n {
			if t.m.n[j] != 0 || t.m.z[j] != 0 {
				b = binary.AppendUvarint(b, uint64(j))
				b = appendF(b, t.m.z[j])
				b = appendF(b, t.m.n[j])
			}
		}
		b = appendCounts(b, t.global)
		names := make([]string, 0, len(t.inq))
		for q := range t.inq {
			names = append(names, q)
		}
		slices.Sort(names)
		b = binary.AppendUvarint(b, uint64(len(names)))
		for _, q := range names {
			b = binary.AppendUvarint(b, uint64(len(q)))
			b = append(b, q...)
			b = appendCounts(b, t.inq[q])
		}
		for k := range t.val.slots {
			s := &t.val.slots[k]
			b = binary.AppendVarint(b, s.day)
			if s.day == noDay {
				continue
			}
			b = binary.AppendVarint(b, s.n)
			b = binary.AppendVarint(b, s.pos)
			b = appendF(b, s.llModel)
			b = appendF(b, s.llBase)
			for x := range calBins {
				b = binary.AppendVarint(b, s.binPos[x])
				b = binary.AppendVarint(b, s.binNeg[x])
				b = appendF(b, s.binSumP[x])
			}
		}
	}
	return b, nil
}

// appendConfig encodes a configuration (the opening of a learner state).
func appendConfig(b []byte, c *Config) []byte {
	b = binary.AppendVarint(b, int64(c.RepeatDays))
	b = binary.AppendVarint(b, int64(c.OutcomeDays))
	b = binary.AppendVarint(b, int64(c.TransferGap))
	b = appendOptF(b, c.SatisfiedMin)
	b = binary.AppendVarint(b, int64(c.WindowDays))
	b = binary.AppendVarint(b, c.MinServeLabels)
	b = binary.AppendUvarint(b, uint64(c.TableBits))
	for _, f := range []float64{c.BaseStrength, c.Alpha, c.Beta, c.L1, c.L2} {
		b = appendF(b, f)
	}
	return b
}

// readConfig decodes what appendConfig wrote and validates it.
func (r *reader) config() (Config, error) {
	var c Config
	c.RepeatDays = int(r.varint("repeat_days"))
	c.OutcomeDays = int(r.varint("outcome_days"))
	c.TransferGap = timeDuration(r.varint("transfer_gap"))
	if r.byte1("satisfied_min") == 1 {
		v := r.f64("satisfied_min")
		c.SatisfiedMin = &v
	}
	c.WindowDays = int(r.varint("window_days"))
	c.MinServeLabels = r.varint("min_serve_labels")
	c.TableBits = uint(r.uvarint("table_bits"))
	c.BaseStrength = r.f64("base_strength")
	c.Alpha, c.Beta, c.L1, c.L2 = r.f64("alpha"), r.f64("beta"), r.f64("l1"), r.f64("l2")
	if r.err != nil {
		return c, r.err
	}
	if err := c.Validate(); err != nil {
		return c, fmt.Errorf("%w: %w", ErrBadState, err)
	}
	return c, nil
}

func appendF(b []byte, f float64) []byte {
	return binary.LittleEndian.AppendUint64(b, math.Float64bits(f))
}

func appendBool(b []byte, v bool) []byte {
	if v {
		return append(b, 1)
	}
	return append(b, 0)
}

func appendOptF(b []byte, p *float64) []byte {
	if p == nil {
		return append(b, 0)
	}
	return appendF(append(b, 1), *p)
}

func appendCounts(b []byte, r *countRing) []byte {
	for k := range r.slots {
		s := &r.slots[k]
		b = binary.AppendVarint(b, s.day)
		if s.day != noDay {
			b = binary.AppendVarint(b, s.n)
			b = binary.AppendVarint(b, s.pos)
		}
	}
	return b
}

// reader decodes what MarshalBinary wrote; the first error sticks.
type reader struct {
	b   []byte
	err error
}

func (r *reader) fail(what string) {
	if r.err == nil {
		r.err = fmt.Errorf("%w: truncated or invalid %s", ErrBadState, what)
	}
}

func (r *reader) varint(what string) int64 {
	if r.err != nil {
		return 0
	}
	v, n := binary.Varint(r.b)
	if n <= 0 {
		r.fail(what)
		return 0
	}
	r.b = r.b[n:]
	return v
}

func (r *reader) uvarint(what string) uint64 {
	if r.err != nil {
		return 0
	}
	v, n := binary.Uvarint(r.b)
	if n <= 0 {
		r.fail(what)
		return 0
	}
	r.b = r.b[n:]
	return v
}

func (r *reader) f64(what string) float64 {
	if r.err != nil {
		return 0
	}
	if len(r.b) < 8 {
		r.fail(what)
		return 0
	}
	v := math.Float64frombits(binary.LittleEndian.Uint64(r.b))
	r.b = r.b[8:]
	return v
}

func (r *reader) byte1(what string) byte {
	if r.err != nil {
		return 0
	}
	if len(r.b) < 1 {
		r.fail(what)
		return 0
	}
	v := r.b[0]
	r.b = r.b[1:]
	return v
}

func (r *reader) counts(ring *countRing) {
	for k := range ring.slots {
		s := &ring.slots[k]
		s.day = r.varint("count day")
		if s.day != noDay {
			s.n = r.varint("count n")
			s.pos = r.varint("count pos")
		}
	}
}

// UnmarshalBinary replaces the learner with the serialized state. It
// returns an error wrapping ErrBadState for bytes MarshalBinary did not
// write (truncated, another version, invalid configuration).
func (l *Learner) UnmarshalBinary(data []byte) error {
	if len(data) < len(stateMagic) || [4]byte(data[:4]) != stateMagic {
		return fmt.Errorf("%w: not a learner state of this version", ErrBadState)
	}
	r := &reader{b: data[4:]}
	c, err := r.config()
	if err != nil {
		return err
	}
	nl := NewLearner(c)
	nl.day = r.varint("day")
	size := uint64(len(nl.t[0].m.n))
	for i := range nl.t {
		t := &nl.t[i]
		t.served = r.byte1("served") == 1
		t.labels = r.varint("labels")
		touched := r.uvarint("coordinates")
		if touched > size {
			r.fail("coordinate count")
		}
		prev := int64(-1)
		for k := uint64(0); k < touched && r.err == nil; k++ {
			j := r.uvarint("coordinate")
			if j >= size || int64(j) <= prev {
				r.fail("coordinate index")
				break
			}
			prev = int64(j)
			t.m.z[j] = r.f64("z")
			t.m.n[j] = r.f64("n")
		}
		r.counts(t.global)
		nq := r.uvarint("inquiries")
		if nq > uint64(len(r.b)) {
			r.fail("inquiry count")
		}
		for k := uint64(0); k < nq && r.err == nil; k++ {
			ln := r.uvarint("inquiry length")
			if ln > uint64(len(r.b)) {
				r.fail("inquiry")
				break
			}
			q := string(r.b[:ln])
			r.b = r.b[ln:]
			ring := newCountRing(c.WindowDays)
			r.counts(ring)
			t.inq[q] = ring
		}
		for k := range t.val.slots {
			s := &t.val.slots[k]
			s.day = r.varint("validation day")
			if s.day == noDay {
				continue
			}
			s.n, s.pos = r.varint("validation n"), r.varint("validation pos")
			s.llModel, s.llBase = r.f64("log-loss"), r.f64("log-loss")
			for x := range calBins {
				s.binPos[x], s.binNeg[x] = r.varint("bin"), r.varint("bin")
				s.binSumP[x] = r.f64("bin")
			}
		}
	}
	if r.err == nil && len(r.b) != 0 {
		r.fail("trailing bytes")
	}
	if r.err != nil {
		return r.err
	}
	*l = *nl
	return nil
}
