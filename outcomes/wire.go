package outcomes

import (
	"bufio"
	"encoding/binary"
	"io"
	"math"
	"time"
)

// Encoder writes the binary checkpoint encoding (varints, little-endian
// float64 bits, length-prefixed strings) to a writer through a buffer,
// so that a state of any size is written without a copy of it in
// memory. The first error sticks: check Err (or Flush) at the end.
type Encoder struct {
	w   *bufio.Writer
	n   int64
	err error
	tmp [binary.MaxVarintLen64]byte
}

// NewEncoder returns an Encoder writing to w.
func NewEncoder(w io.Writer) *Encoder { return &Encoder{w: bufio.NewWriterSize(w, 1<<16)} }

// Bytes writes p as is.
func (e *Encoder) Bytes(p []byte) {
	if e.err != nil {
		return
	}
	n, err := e.w.Write(p)
	e.n += int64(n)
	e.err = err
}

// Uvarint writes v as an unsigned varint.
func (e *Encoder) Uvarint(v uint64) { e.Bytes(binary.AppendUvarint(e.tmp[:0], v)) }

// Varint writes v as a signed varint.
func (e *Encoder) Varint(v int64) { e.Bytes(binary.AppendVarint(e.tmp[:0], v)) }

// F64 writes f's bits, little-endian.
func (e *Encoder) F64(f float64) {
	e.Bytes(binary.LittleEndian.AppendUint64(e.tmp[:0], math.Float64bits(f)))
}

// Bool writes one byte, 0 or 1.
func (e *Encoder) Bool(v bool) {
	if v {
		e.Bytes([]byte{1})
	} else {
		e.Bytes([]byte{0})
	}
}

// Str writes s, length first.
func (e *Encoder) Str(s string) {
	e.Uvarint(uint64(len(s)))
	if e.err == nil {
		n, err := e.w.WriteString(s)
		e.n += int64(n)
		e.err = err
	}
}

// Time writes t as Unix seconds and nanoseconds (the zero time too:
// it reads back as the zero time, in UTC).
func (e *Encoder) Time(t time.Time) {
	e.Varint(t.Unix())
	e.Uvarint(uint64(t.Nanosecond()))
}

// Flush writes what is buffered and returns the first error.
func (e *Encoder) Flush() error {
	if e.err == nil {
		e.err = e.w.Flush()
	}
	return e.err
}

// Written is the number of bytes written so far (buffered included).
func (e *Encoder) Written() int64 { return e.n }

// Decoder reads what an Encoder wrote, from memory; the first error
// sticks and wraps ErrBadState.
type Decoder struct{ r reader }

// NewDecoder returns a Decoder of data.
func NewDecoder(data []byte) *Decoder { return &Decoder{r: reader{b: data}} }

// Err is the first error, nil when every read succeeded.
func (d *Decoder) Err() error { return d.r.err }

// Rest is what is left to read.
func (d *Decoder) Rest() []byte { return d.r.b }

// Fail records a decoding error about what (unless one is recorded).
func (d *Decoder) Fail(what string) { d.r.fail(what) }

// Uvarint reads an unsigned varint.
func (d *Decoder) Uvarint(what string) uint64 { return d.r.uvarint(what) }

// Varint reads a signed varint.
func (d *Decoder) Varint(what string) int64 { return d.r.varint(what) }

// F64 reads a float64.
func (d *Decoder) F64(what string) float64 { return d.r.f64(what) }

// Bool reads a byte that must be 0 or 1.
func (d *Decoder) Bool(what string) bool {
	switch d.r.byte1(what) {
	case 0:
		return false
	case 1:
		return true
	}
	d.r.fail(what)
	return false
}

// Str reads a length-prefixed string.
func (d *Decoder) Str(what string) string {
	n := d.r.uvarint(what)
	if d.r.err != nil {
		return ""
	}
	if n > uint64(len(d.r.b)) {
		d.r.fail(what)
		return ""
	}
	s := string(d.r.b[:n])
	d.r.b = d.r.b[n:]
	return s
}

// Bytes reads n bytes (a view of the input, not a copy).
func (d *Decoder) Bytes(n uint64, what string) []byte {
	if d.r.err != nil {
		return nil
	}
	if n > uint64(len(d.r.b)) {
		d.r.fail(what)
		return nil
	}
	p := d.r.b[:n:n]
	d.r.b = d.r.b[n:]
	return p
}

// Time reads what Encoder.Time wrote, in UTC.
func (d *Decoder) Time(what string) time.Time {
	s := d.r.varint(what)
	ns := d.r.uvarint(what)
	if ns >= 1e9 {
		d.r.fail(what)
		return time.Time{}
	}
	return time.Unix(s, int64(ns)).UTC()
}

// Count reads a count of items each at least min bytes long, refusing
// one the remaining input cannot hold (so a damaged count cannot make a
// reader allocate without bound).
func (d *Decoder) Count(min int, what string) int {
	n := d.r.uvarint(what)
	if d.r.err == nil && n > uint64(len(d.r.b)/max(min, 1)) {
		d.r.fail(what)
		return 0
	}
	return int(n)
}
