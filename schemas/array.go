package schemas

import (
	"bufio"
	"errors"
	"fmt"
	"io"
)

// ArrayDecoder reads canonical interactions from a JSON array body
// ([{…}, {…}]) one element at a time, holding at most one element in
// memory. Each element is decoded with [DecodeInteraction]. Not safe for
// concurrent use.
type ArrayDecoder struct {
	r         *bufio.Reader
	maxRecord int
	started   bool // '[' consumed
	closed    bool // ']' consumed
	first     bool // no element read yet
	offset    int  // bytes consumed
	line      int  // current line, 1-based
	index     int  // elements read
	buf       []byte
	err       error // sticky terminal error
}

// NewArrayDecoder returns a decoder reading r. maxRecord bounds the bytes of
// one element (default [DefaultMaxRecord] when <= 0); a larger element is
// skipped and reported.
func NewArrayDecoder(r io.Reader, maxRecord int) *ArrayDecoder {
	if maxRecord <= 0 {
		maxRecord = DefaultMaxRecord
	}
	return &ArrayDecoder{r: bufio.NewReaderSize(r, 64<<10), maxRecord: maxRecord, line: 1, first: true}
}

// Next returns the next element. It blocks on the reader. It returns:
//   - the record and nil;
//   - a [*RecordError] for an element that is well-formed JSON but not a
//     valid record (or wraps [ErrRecordTooLarge]); call Next again to go on;
//   - io.EOF after the closing ']' when only whitespace follows it;
//   - a [*SyntaxError] (Offset from the start of the body) when the body is
//     not a JSON array, or any element is not well-formed JSON: the body
//     cannot be trusted past that point, so the stream ends there;
//   - a reader error (wrapped), which ends the stream.
//
// Terminal errors are returned again by every later call.
func (d *ArrayDecoder) Next() (Interaction, error) {
	if d.err != nil {
		return Interaction{}, d.err
	}
	it, err := d.next()
	if err != nil {
		var re *RecordError
		if !errors.As(err, &re) {
			d.err = err
		}
	}
	return it, err
}

func (d *ArrayDecoder) next() (Interaction, error) {
	if !d.started {
		c, err := d.skipWS()
		if err != nil {
			return Interaction{}, d.eofIsSyntax(err, "empty body, expected a JSON array")
		}
		if c != '[' {
			return Interaction{}, &SyntaxError{Offset: d.offset, Msg: "expected a JSON array, found " + describeByte(c)}
		}
		d.consume(1)
		d.started = true
		if c, err := d.skipWS(); err != nil {
			return Interaction{}, d.eofIsSyntax(err, "unterminated array")
		} else if c == ']' {
			d.consume(1)
			d.closed = true
		}
	}
	if d.closed {
		if c, err := d.skipWS(); err == nil {
			return Interaction{}, &SyntaxError{Offset: d.offset, Msg: "unexpected data after the array: " + describeByte(c)}
		} else if err != io.EOF {
			return Interaction{}, err
		}
		return Interaction{}, io.EOF
	}
	if _, err := d.skipWS(); err != nil {
		return Interaction{}, d.eofIsSyntax(err, "unterminated array")
	}
	start, line, idx := d.offset, d.line, d.index
	d.index++
	elem, tooLarge, err := d.element()
	if err != nil {
		return Interaction{}, err
	}
	if tooLarge {
		return Interaction{}, &RecordError{Index: idx, Line: line,
			Err: fmt.Errorf("%w: more than %d bytes", ErrRecordTooLarge, d.maxRecord)}
	}
	it, err := DecodeInteraction(elem)
	if err != nil {
		var se *SyntaxError
		if errors.As(err, &se) {
			return Interaction{}, &SyntaxError{Offset: start + se.Offset, Msg: se.Msg}
		}
		return it, &RecordError{Index: idx, Line: line, Err: err}
	}
	return it, nil
}

// eofIsSyntax turns io.EOF into a SyntaxError with msg and wraps other
// reader errors.
func (d *ArrayDecoder) eofIsSyntax(err error, msg string) error {
	if err == io.EOF {
		return &SyntaxError{Offset: d.offset, Msg: msg}
	}
	return err
}

func (d *ArrayDecoder) consume(n int) {
	_, _ = d.r.Discard(n) // the bytes were peeked, so this cannot fail
	d.offset += n
}

// skipWS consumes whitespace and returns the next byte without consuming it.
func (d *ArrayDecoder) skipWS() (byte, error) {
	for {
		b, err := d.r.Peek(1)
		if err != nil {
			if err == io.EOF {
				return 0, io.EOF
			}
			return 0, fmt.Errorf("read json array: %w", err)
		}
		switch b[0] {
		case '\n':
			d.line++
			fallthrough
		case ' ', '\t', '\r':
			d.consume(1)
		default:
			return b[0], nil
		}
	}
}

// element reads one element and the ',' or ']' after it. It tracks strings
// and nesting only to find the element's end; DecodeInteraction checks the
// rest. An element over maxRecord bytes is consumed but not kept.
func (d *ArrayDecoder) element() (elem []byte, tooLarge bool, err error) {
	d.buf = d.buf[:0]
	depth := 0
	inStr, esc := false, false
	for {
		if _, err := d.r.Peek(1); err != nil {
			if err == io.EOF {
				return nil, false, &SyntaxError{Offset: d.offset, Msg: "unexpected end of input inside the array"}
			}
			return nil, false, fmt.Errorf("read json array: %w", err)
		}
		chunk, _ := d.r.Peek(d.r.Buffered())
		for i, c := range chunk {
			switch {
			case inStr:
				switch {
				case esc:
					esc = false
				case c == '\\':
					esc = true
				case c == '"':
					inStr = false
				}
			case c == '"':
				inStr = true
			case c == '{' || c == '[':
				depth++
			case c == '}' || c == ']':
				if depth > 0 {
					depth--
					break
				}
				if c == '}' {
					return nil, false, &SyntaxError{Offset: d.offset + i, Msg: "unexpected '}' in the array"}
				}
				d.closed = true
				fallthrough
			case c == ',' && depth == 0:
				tooLarge = d.keep(chunk[:i], tooLarge)
				d.countLines(chunk[:i+1])
				d.consume(i + 1)
				return d.buf, tooLarge, nil
			}
		}
		tooLarge = d.keep(chunk, tooLarge)
		d.countLines(chunk)
		d.consume(len(chunk))
	}
}

// keep appends b to the element unless it grew over the limit.
func (d *ArrayDecoder) keep(b []byte, tooLarge bool) bool {
	if tooLarge || len(d.buf)+len(b) > d.maxRecord {
		d.buf = d.buf[:0]
		return true
	}
	d.buf = append(d.buf, b...)
	return false
}

func (d *ArrayDecoder) countLines(b []byte) {
	for _, c := range b {
		if c == '\n' {
			d.line++
		}
	}
}
