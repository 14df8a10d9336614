package backfill

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
)

// utf8BOM is the byte-order mark spreadsheet programs put at the start of
// exported text files. It is skipped at offset 0 of either format.
var utf8BOM = []byte{0xEF, 0xBB, 0xBF}

// lineReader reads physical lines ("\n"-terminated, the last one possibly
// not) and tracks the byte offset and line number of each, so that a
// caller can checkpoint exactly where a record ends. Lines longer than max
// bytes are consumed but not kept. Not safe for concurrent use.
type lineReader struct {
	r    *bufio.Reader
	max  int
	off  int64 // offset of the next unread byte in the file
	line int   // number of the last line returned (1-based)
	buf  []byte
	err  error // sticky read error (io.EOF at the end)
}

// newLineReader reads r, whose first byte is at file offset at.off, the
// start of line at.Line+1. At offset 0 a UTF-8 byte-order mark is skipped.
func newLineReader(r io.Reader, at Position, max int) (*lineReader, error) {
	lr := &lineReader{r: bufio.NewReaderSize(r, 64<<10), max: max, off: at.Offset, line: at.Line}
	if at.Offset == 0 {
		head, err := lr.r.Peek(len(utf8BOM))
		if err != nil && !errors.Is(err, io.EOF) {
			return nil, fmt.Errorf("read: %w", err)
		}
		if bytes.Equal(head, utf8BOM) {
			_, _ = lr.r.Discard(len(utf8BOM))
			lr.off += int64(len(utf8BOM))
		}
	}
	return lr, nil
}

// physLine is one physical line.
type physLine struct {
	// text is the line without its "\n" and without one "\r" before it. It
	// is valid until the next call of next.
	text []byte
	// start is the offset of its first byte, end the offset after its "\n"
	// (or after its last byte at the end of the file).
	start, end int64
	// num is its 1-based line number.
	num int
	// tooLong is set when the line exceeded the limit; text is then empty.
	tooLong bool
}

// next returns the next line. It returns io.EOF once every line has been
// returned, and a read error (wrapped) that ends the stream.
func (lr *lineReader) next() (physLine, error) {
	if lr.err != nil {
		return physLine{}, lr.err
	}
	start := lr.off
	lr.buf = lr.buf[:0]
	tooLong, size := false, 0
	for {
		chunk, err := lr.r.ReadSlice('\n')
		size += len(chunk)
		lr.off += int64(len(chunk))
		content := size
		if err == nil {
			content-- // the '\n'
		}
		if !tooLong {
			if content > lr.max {
				tooLong = true
				lr.buf = lr.buf[:0]
			} else {
				lr.buf = append(lr.buf, chunk...)
			}
		}
		switch {
		case err == nil:
		case errors.Is(err, bufio.ErrBufferFull):
			continue
		case errors.Is(err, io.EOF):
			lr.err = io.EOF
			if size == 0 {
				return physLine{}, io.EOF
			}
		default:
			lr.err = fmt.Errorf("read line %d: %w", lr.line+1, err)
			return physLine{}, lr.err
		}
		lr.line++
		text := lr.buf
		if tooLong {
			text = nil
		}
		text = bytes.TrimSuffix(text, []byte{'\n'})
		text = bytes.TrimSuffix(text, []byte{'\r'})
		return physLine{text: text, start: start, end: lr.off, num: lr.line, tooLong: tooLong}, nil
	}
}
