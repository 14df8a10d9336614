package ingest

import (
	"bufio"
	"bytes"
	"errors"
	"io"

	"github.com/agentpulse/agentpulse/schemas"
)

// The endpoint frames the body itself, rather than through
// schemas.NDJSONDecoder and schemas.ArrayDecoder, because a rejected record
// goes to the dead-letter topic as received and those decoders do not hand
// out a record's bytes. The framers split the body exactly as they do (a
// test compares them on every input) and each record is then read by
// schemas.DecodeInteraction, as they read it.

// dlqPrefix is how much of a record over the size limit is kept on the
// dead-letter topic: enough to identify it.
const dlqPrefix = 4 << 10

// frame is one record of a body.
type frame struct {
	// raw is the record's bytes, valid until the next call of next; for a
	// record over the limit, its first dlqPrefix bytes.
	raw []byte
	// index is the record's 0-based position (blank NDJSON lines are not
	// records); line is the 1-based line on which it starts.
	index, line int
	// tooLarge is set when the record is over the limit.
	tooLarge bool
}

// framer yields the records of a body. next returns io.EOF after the last
// record, a *schemas.SyntaxError when an array body is not well-formed
// (the body cannot be trusted past it), or the reader's error.
type framer interface {
	next() (frame, error)
}

// ndjsonFramer splits a body into lines separated by "\n", skipping lines
// that are blank (JSON whitespace only), as schemas.NDJSONDecoder does.
type ndjsonFramer struct {
	r     *bufio.Reader
	max   int
	buf   *[]byte
	line  int
	index int
}

func (f *ndjsonFramer) next() (frame, error) {
	for {
		raw, tooLarge, err := f.readLine()
		if err != nil && (err != io.EOF || len(raw) == 0 && !tooLarge) {
			return frame{}, err
		}
		f.line++
		if !tooLarge && blank(raw) {
			continue
		}
		f.index++
		return frame{raw: raw, index: f.index - 1, line: f.line, tooLarge: tooLarge}, nil
	}
}

// readLine returns the next line without its "\n". A line that fits the
// reader's buffer is returned in place; a longer one is gathered in buf.
// err is io.EOF when the body ended, with a last unterminated line in raw.
func (f *ndjsonFramer) readLine() (raw []byte, tooLarge bool, err error) {
	chunk, err := f.r.ReadSlice('\n')
	if err == nil {
		content := chunk[:len(chunk)-1]
		if len(content) > f.max {
			return content[:min(len(content), dlqPrefix)], true, nil
		}
		return content, false, nil
	}
	buf := (*f.buf)[:0]
	n := 0
	for {
		content := chunk
		if err == nil {
			content = chunk[:len(chunk)-1]
		}
		n += len(content)
		if !tooLarge {
			buf = append(buf, content...)
			if n > f.max {
				tooLarge = true
				buf = buf[:min(len(buf), dlqPrefix)]
			}
		}
		if !errors.Is(err, bufio.ErrBufferFull) {
			break
		}
		chunk, err = f.r.ReadSlice('\n')
	}
	*f.buf = buf
	return buf, tooLarge, err
}

// blank reports whether b holds only JSON whitespace.
func blank(b []byte) bool {
	for _, c := range b {
		if c != ' ' && c != '\t' && c != '\r' && c != '\n' {
			return false
		}
	}
	return true
}

// arrayFramer splits a JSON array body into its elements, as
// schemas.ArrayDecoder does: it tracks strings and nesting only to find
// each element's end and leaves the element's own syntax to
// schemas.DecodeInteraction.
type arrayFramer struct {
	r       *bufio.Reader
	max     int
	buf     *[]byte
	started bool // '[' consumed
	closed  bool // ']' consumed
	offset  int  // bytes consumed
	line    int  // current line, 1-based
	index   int
	start   int // offset of the element last returned
}

func (f *arrayFramer) next() (frame, error) {
	if !f.started {
		f.line = 1
		c, err := f.skipWS()
		if err != nil {
			return frame{}, f.eofIsSyntax(err, "empty body, expected a JSON array (send NDJSON with Content-Type: application/x-ndjson)")
		}
		if c != '[' {
			return frame{}, &schemas.SyntaxError{Offset: f.offset,
				Msg: "expected a JSON array, found " + describe(c) + " (send NDJSON with Content-Type: application/x-ndjson)"}
		}
		f.consume(1)
		f.started = true
		if c, err := f.skipWS(); err != nil {
			return frame{}, f.eofIsSyntax(err, "unterminated array")
		} else if c == ']' {
			f.consume(1)
			f.closed = true
		}
	}
	if f.closed {
		c, err := f.skipWS()
		switch {
		case err == nil:
			return frame{}, &schemas.SyntaxError{Offset: f.offset, Msg: "unexpected data after the array: " + describe(c)}
		case err != io.EOF:
			return frame{}, err
		}
		return frame{}, io.EOF
	}
	if _, err := f.skipWS(); err != nil {
		return frame{}, f.eofIsSyntax(err, "unterminated array")
	}
	f.start = f.offset
	fr := frame{index: f.index, line: f.line}
	f.index++
	raw, tooLarge, err := f.element()
	if err != nil {
		return frame{}, err
	}
	fr.raw, fr.tooLarge = raw, tooLarge
	return fr, nil
}

// elementOffset returns the body offset of the element last returned, to
// place a syntax error inside it.
func (f *arrayFramer) elementOffset() int { return f.start }

func (f *arrayFramer) eofIsSyntax(err error, msg string) error {
	if err == io.EOF {
		return &schemas.SyntaxError{Offset: f.offset, Msg: msg}
	}
	return err
}

func (f *arrayFramer) consume(n int) {
	_, _ = f.r.Discard(n) // the bytes were peeked
	f.offset += n
}

// skipWS consumes whitespace and returns the next byte without consuming it.
func (f *arrayFramer) skipWS() (byte, error) {
	for {
		b, err := f.r.Peek(1)
		if err != nil {
			return 0, err
		}
		switch b[0] {
		case '\n':
			f.line++
			fallthrough
		case ' ', '\t', '\r':
			f.consume(1)
		default:
			return b[0], nil
		}
	}
}

// element reads one element and the ',' or ']' after it.
func (f *arrayFramer) element() (raw []byte, tooLarge bool, err error) {
	buf := (*f.buf)[:0]
	defer func() { *f.buf = buf[:0] }()
	depth := 0
	inStr, esc := false, false
	for {
		if _, err := f.r.Peek(1); err != nil {
			if err == io.EOF {
				return nil, false, &schemas.SyntaxError{Offset: f.offset, Msg: "unexpected end of input inside the array"}
			}
			return nil, false, err
		}
		chunk, _ := f.r.Peek(f.r.Buffered())
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
					return nil, false, &schemas.SyntaxError{Offset: f.offset + i, Msg: "unexpected '}' in the array"}
				}
				f.closed = true
				fallthrough
			case c == ',' && depth == 0:
				buf, tooLarge = f.keep(buf, chunk[:i], tooLarge)
				f.line += bytes.Count(chunk[:i+1], nl)
				f.consume(i + 1)
				if tooLarge {
					return buf[:min(len(buf), dlqPrefix)], true, nil
				}
				return buf, false, nil
			}
		}
		buf, tooLarge = f.keep(buf, chunk, tooLarge)
		f.line += bytes.Count(chunk, nl)
		f.consume(len(chunk))
	}
}

var nl = []byte{'\n'}

// keep appends b to buf unless the element grew over the limit, in which
// case only its first dlqPrefix bytes are kept.
func (f *arrayFramer) keep(buf, b []byte, tooLarge bool) ([]byte, bool) {
	if !tooLarge && len(buf)+len(b) > f.max {
		tooLarge = true
	}
	if tooLarge {
		if room := dlqPrefix - len(buf); room > 0 {
			buf = append(buf, b[:min(room, len(b))]...)
		}
		return buf, true
	}
	return append(buf, b...), false
}

// describe names a byte for a syntax error.
func describe(c byte) string {
	if c >= 0x20 && c < 0x7f {
		return "'" + string(c) + "'"
	}
	return "byte 0x" + string("0123456789abcdef"[c>>4]) + string("0123456789abcdef"[c&15])
}
