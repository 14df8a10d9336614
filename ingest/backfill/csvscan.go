package backfill

import (
	"bytes"
	"errors"
	"fmt"
	"io"
)

// csvScanner splits RFC 4180 CSV text into records: fields separated by
// ',', records by "\n" or "\r\n", a field in double quotes may hold
// commas, line breaks ("\r\n" inside one becomes "\n") and "" for a quote.
// Empty lines between records are skipped. Unlike encoding/csv it knows
// the byte offset where each record ends (the resume point), bounds a
// record's size, and after a malformed record resumes at the next line.
// Not safe for concurrent use.
type csvScanner struct {
	lr     *lineReader
	raw    []byte   // the record's bytes, lines joined with "\n"
	field  []byte   // the field being unquoted
	fields [][]byte // the record's fields, pointing into store
	store  []byte
	ends   []int // end of each field in store
}

// csvRecord is one scanned record. Its slices are valid until the next scan.
type csvRecord struct {
	fields [][]byte
	raw    []byte   // the record as in the file, without its final line break
	line   int      // the line it starts on
	end    Position // Offset and Line after it (Records is left to the caller)
	err    error    // ErrCSVSyntax or ErrLineTooLong (wrapped); fields are then nil
}

// scan returns the next record, io.EOF after the last one, or a read error.
func (s *csvScanner) scan() (csvRecord, error) {
	var pl physLine
	for {
		var err error
		if pl, err = s.lr.next(); err != nil {
			return csvRecord{}, err
		}
		if pl.tooLong || len(pl.text) > 0 {
			break
		}
	}
	rec := csvRecord{line: pl.num}
	if pl.tooLong {
		rec.end = Position{Offset: pl.end, Line: pl.num}
		rec.err = fmt.Errorf("%w: line %d is longer than %d bytes", ErrLineTooLong, pl.num, s.lr.max)
		return rec, nil
	}
	s.raw = append(s.raw[:0], pl.text...)
	s.store, s.ends = s.store[:0], s.ends[:0]
	line := pl.text
	pos := 0
	for {
		if pos < len(line) && line[pos] == '"' {
			// A quoted field, possibly over several lines.
			pos++
			s.field = s.field[:0]
			for {
				i := bytes.IndexByte(line[pos:], '"')
				if i < 0 {
					s.field = append(s.field, line[pos:]...)
					s.field = append(s.field, '\n')
					next, err := s.lr.next()
					if err != nil {
						if !errors.Is(err, io.EOF) {
							return csvRecord{}, err
						}
						return s.fail(rec, pl, "a quoted field starting on line %d is never closed", rec.line)
					}
					pl = next
					if pl.tooLong || len(s.raw)+1+len(pl.text) > s.lr.max {
						rec.end = Position{Offset: pl.end, Line: pl.num}
						rec.err = fmt.Errorf("%w: the record starting on line %d is longer than %d bytes (is a quote never closed?)",
							ErrLineTooLong, rec.line, s.lr.max)
						return rec, nil
					}
					s.raw = append(append(s.raw, '\n'), pl.text...)
					line, pos = pl.text, 0
					continue
				}
				s.field = append(s.field, line[pos:pos+i]...)
				pos += i + 1
				if pos < len(line) && line[pos] == '"' {
					s.field = append(s.field, '"')
					pos++
					continue
				}
				break
			}
			s.store = append(s.store, s.field...)
			s.ends = append(s.ends, len(s.store))
			if pos == len(line) {
				break
			}
			if line[pos] != ',' {
				return s.fail(rec, pl, "line %d, column %d: unexpected %q after a closing quote (a quote inside a quoted field is written \"\")",
					pl.num, pos+1, line[pos])
			}
			pos++
			if pos == len(line) {
				s.ends = append(s.ends, len(s.store)) // a final empty field
				break
			}
			continue
		}
		// An unquoted field runs to the next comma.
		j := bytes.IndexByte(line[pos:], ',')
		cell := line[pos:]
		if j >= 0 {
			cell = line[pos : pos+j]
		}
		if q := bytes.IndexByte(cell, '"'); q >= 0 {
			return s.fail(rec, pl, "line %d, column %d: a quote in a field that does not start with one (quote the whole field and write the quote as \"\")",
				pl.num, pos+q+1)
		}
		s.store = append(s.store, cell...)
		s.ends = append(s.ends, len(s.store))
		if j < 0 {
			break
		}
		pos += j + 1
		if pos == len(line) {
			s.ends = append(s.ends, len(s.store))
			break
		}
	}
	s.fields = s.fields[:0]
	from := 0
	for _, e := range s.ends {
		s.fields = append(s.fields, s.store[from:e:e])
		from = e
	}
	rec.fields, rec.raw = s.fields, s.raw
	rec.end = Position{Offset: pl.end, Line: pl.num}
	return rec, nil
}

// fail ends a malformed record at the end of the current line pl.
func (s *csvScanner) fail(rec csvRecord, pl physLine, format string, args ...any) (csvRecord, error) {
	rec.raw = s.raw
	rec.end = Position{Offset: pl.end, Line: pl.num}
	rec.err = fmt.Errorf("%w: "+format, append([]any{ErrCSVSyntax}, args...)...)
	return rec, nil
}
