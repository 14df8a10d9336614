package schemas

import (
	"bufio"
	"errors"
	"fmt"
	"io"
)

// DefaultMaxRecord is the record size limit (bytes) used when a stream
// decoder is given a limit <= 0.
const DefaultMaxRecord = 1 << 20

// NDJSONDecoder reads canonical interactions from newline-delimited JSON:
// one object per line, lines separated by "\n" (a "\r" before it is
// whitespace), blank or whitespace-only lines skipped. Each line is decoded
// with [DecodeInteraction]. Not safe for concurrent use.
type NDJSONDecoder struct {
	r       *bufio.Reader
	maxLine int
	line    int // lines read so far
	index   int // records (non-blank lines) read so far
	buf     []byte
	err     error // sticky reader error
}

// NewNDJSONDecoder returns a decoder reading r. maxLine bounds the bytes of
// one line, excluding its "\n" (default [DefaultMaxRecord] when <= 0); a
// longer line is skipped and reported. Memory held is O(maxLine).
func NewNDJSONDecoder(r io.Reader, maxLine int) *NDJSONDecoder {
	if maxLine <= 0 {
		maxLine = DefaultMaxRecord
	}
	return &NDJSONDecoder{r: bufio.NewReaderSize(r, min(maxLine+1, 64<<10)), maxLine: maxLine}
}

// Next returns the next record. It blocks on the reader. It returns:
//   - the record and nil;
//   - a [*RecordError] for a line that is not a valid record (syntax,
//     validation, or [ErrLineTooLong]); the returned Interaction is what
//     DecodeInteraction returned for the line. Call Next again to go on;
//   - io.EOF after the last line;
//   - a reader error (wrapped), which ends the stream and is returned again
//     by every later call.
func (d *NDJSONDecoder) Next() (Interaction, error) {
	for {
		if d.err != nil {
			return Interaction{}, d.err
		}
		line, tooLong, err := d.readLine()
		if err != nil && !(err == io.EOF && (len(line) > 0 || tooLong)) {
			if err != io.EOF {
				err = fmt.Errorf("read ndjson line %d: %w", d.line+1, err)
			}
			d.err = err
			return Interaction{}, err
		}
		d.line++
		if !tooLong && blank(line) {
			continue
		}
		idx := d.index
		d.index++
		if tooLong {
			return Interaction{}, &RecordError{Index: idx, Line: d.line,
				Err: fmt.Errorf("%w: more than %d bytes", ErrLineTooLong, d.maxLine)}
		}
		it, err := DecodeInteraction(line)
		if err != nil {
			return it, &RecordError{Index: idx, Line: d.line, Err: err}
		}
		return it, nil
	}
}

// Line returns the number of the last line read (1-based; 0 before the first).
func (d *NDJSONDecoder) Line() int { return d.line }

// readLine returns the next line without its "\n". A line longer than
// maxLine is consumed but not kept: tooLong is set. err is io.EOF when the
// stream ended, with a final unterminated line in line (or tooLong).
func (d *NDJSONDecoder) readLine() (line []byte, tooLong bool, err error) {
	d.buf = d.buf[:0]
	for {
		chunk, err := d.r.ReadSlice('\n')
		if !tooLong {
			content := len(d.buf) + len(chunk)
			if err == nil {
				content-- // the '\n'
			}
			if content > d.maxLine {
				tooLong = true
				d.buf = d.buf[:0]
			} else {
				d.buf = append(d.buf, chunk...)
			}
		}
		switch {
		case err == nil:
			if tooLong {
				return nil, true, nil
			}
			return d.buf[:len(d.buf)-1], false, nil
		case errors.Is(err, bufio.ErrBufferFull):
			continue
		default:
			return d.buf, tooLong, err
		}
	}
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
