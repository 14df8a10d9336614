package backfill

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/agentpulse/agentpulse/schemas"
)

// cellKind says how a CSV cell becomes a JSON value.
type cellKind uint8

const (
	kindText   cellKind = iota // a JSON string of the cell's bytes, verbatim
	kindNumber                 // a JSON number literal (spaces around it ignored)
	kindObject                 // JSON object text (spaces around it ignored)
)

// csvColumn is one canonical field as a CSV column.
type csvColumn struct {
	name     string
	kind     cellKind
	required bool
}

// csvColumns are the canonical fields a CSV header may name, in schema
// order, with how their cells are read and whether the header must have
// them.
var csvColumns = []csvColumn{
	{"tenant_id", kindText, true},
	{"interaction_id", kindText, true},
	{"revision", kindNumber, true},
	{"model", kindText, true},
	{"agent_id", kindText, true},
	{"team_id", kindText, true},
	{"inquiry", kindText, true},
	{"started_at", kindText, true},
	{"ended_at", kindText, true},
	{"handle_time_s", kindNumber, true},
	{"predicted_satisfaction", kindNumber, false},
	{"predicted_resolution", kindNumber, false},
	{"hold_s", kindNumber, false},
	{"queue_wait_s", kindNumber, false},
	{"transfers", kindNumber, false},
	{"customer_key", kindText, false},
	{"chain_id", kindText, false},
	{"initiation", kindText, false},
	{"source", kindText, true},
	{"source_refs", kindObject, false},
	{"attributes", kindObject, false},
}

// CSVHeader is the header row of a CSV import file: which canonical field
// each column holds. Immutable once read; safe for concurrent use.
type CSVHeader struct {
	cols []int // csvColumns index of each column
}

// Columns returns the field names of the columns, in file order.
func (h *CSVHeader) Columns() []string {
	out := make([]string, len(h.cols))
	for i, c := range h.cols {
		out[i] = csvColumns[c].name
	}
	return out
}

// ReadCSVHeader reads the header row at the start of r (after an optional
// byte-order mark and blank lines) and returns it with the position just
// after it, where the records start. It returns io.EOF for a file with no
// header row at all, and an error matching ErrBadHeader for a header that
// is malformed, names a column that is not a canonical field or names one
// twice, or lacks a required field. Names are matched exactly after
// trimming spaces around them.
func ReadCSVHeader(r io.Reader, maxRecord int) (*CSVHeader, Position, error) {
	if maxRecord <= 0 {
		maxRecord = schemas.DefaultMaxRecord
	}
	lr, err := newLineReader(r, Position{}, maxRecord)
	if err != nil {
		return nil, Position{}, err
	}
	s := &csvScanner{lr: lr}
	rec, err := s.scan()
	if err != nil {
		return nil, Position{}, err
	}
	if rec.err != nil {
		return nil, Position{}, fmt.Errorf("%w: %w", ErrBadHeader, rec.err)
	}
	h := &CSVHeader{}
	seen := make([]bool, len(csvColumns))
	var unknown []string
	for k, f := range rec.fields {
		name := strings.TrimSpace(string(f))
		i := slices.IndexFunc(csvColumns, func(c csvColumn) bool { return c.name == name })
		switch {
		case name == "":
			return nil, Position{}, fmt.Errorf("%w: column %d has no name (is there a trailing comma?)", ErrBadHeader, k+1)
		case i < 0:
			unknown = append(unknown, fmt.Sprintf("%q", name))
		case seen[i]:
			return nil, Position{}, fmt.Errorf("%w: column %q appears twice", ErrBadHeader, name)
		default:
			seen[i] = true
			h.cols = append(h.cols, i)
		}
	}
	if len(unknown) > 0 {
		return nil, Position{}, fmt.Errorf("%w: unknown columns %s; the columns are the canonical fields %s, and custom data goes in an attributes column as a JSON object",
			ErrBadHeader, strings.Join(unknown, ", "), columnList())
	}
	var missing []string
	for i, c := range csvColumns {
		if c.required && !seen[i] {
			missing = append(missing, c.name)
		}
	}
	if len(missing) > 0 {
		return nil, Position{}, fmt.Errorf("%w: required columns missing: %s", ErrBadHeader, strings.Join(missing, ", "))
	}
	return h, rec.end, nil
}

// columnList names every column, optional ones marked.
func columnList() string {
	var b strings.Builder
	for i, c := range csvColumns {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(c.name)
		if !c.required {
			b.WriteString(" (optional)")
		}
	}
	return b.String()
}

// CSVReader reads canonical interactions from the records of a CSV file
// after its header. Each record becomes a JSON object that
// schemas.DecodeInteraction judges, so a CSV record is accepted exactly
// when the same values as NDJSON would be:
//   - an empty cell means the field is absent (for a required field that
//     is a "required" error; for an optional field, predicted_* included,
//     it means absent);
//   - text cells (ids, model, inquiry, timestamps, source, customer_key,
//     chain_id, initiation) are taken verbatim, spaces included;
//   - number cells (revision, handle_time_s, predicted_*, hold_s,
//     queue_wait_s, transfers) must be JSON
//     numbers (300, 0.85, 1e2); spaces around them are ignored;
//   - source_refs and attributes cells hold JSON object text such as
//     {"contact_id":"c-1"}.
//
// Not safe for concurrent use.
type CSVReader struct {
	s       *csvScanner
	h       *CSVHeader
	records int64
	obj     []byte   // the JSON object being built
	retype  []string // fields whose cell was not of its kind, with messages
}

// NewCSVReader reads the records of body, which starts at position at of
// the file (just after the header, or a resume checkpoint).
func NewCSVReader(body io.Reader, h *CSVHeader, at Position, maxRecord int) (*CSVReader, error) {
	lr, err := newLineReader(body, at, maxRecord)
	if err != nil {
		return nil, err
	}
	return &CSVReader{s: &csvScanner{lr: lr}, h: h, records: at.Records}, nil
}

// Next returns the next record (see Reader).
func (r *CSVReader) Next() (Item, error) {
	rec, err := r.s.scan()
	if err != nil {
		return Item{}, err
	}
	idx := r.records
	r.records++
	item := Item{End: rec.end}
	item.End.Records = r.records
	refuse := func(cause error) (Item, error) {
		item.Err = &schemas.RecordError{Index: int(idx), Line: rec.line, Err: cause}
		item.Raw = slices.Clone(rec.raw)
		return item, nil
	}
	if rec.err != nil {
		return refuse(rec.err)
	}
	if len(rec.fields) != len(r.h.cols) {
		return refuse(fmt.Errorf("%w: the record has %d fields, the header %d", ErrFieldCount, len(rec.fields), len(r.h.cols)))
	}
	r.buildObject(rec.fields)
	v, err := schemas.DecodeInteraction(r.obj)
	if err != nil {
		r.explainTypes(err)
		item.Tenant = tenantOf(&v, err)
		return refuse(err)
	}
	item.Interaction = v
	item.Tenant = v.TenantID
	return item, nil
}

// buildObject writes the record's non-empty cells as a JSON object into
// r.obj. A number or object cell that is not one is written as a string,
// so the decoder reports a type error for that field in its usual order;
// explainTypes then says what the cell held.
func (r *CSVReader) buildObject(fields [][]byte) {
	r.obj = append(r.obj[:0], '{')
	r.retype = r.retype[:0]
	for i, cell := range fields {
		if len(cell) == 0 {
			continue
		}
		col := csvColumns[r.h.cols[i]]
		if len(r.obj) > 1 {
			r.obj = append(r.obj, ',')
		}
		r.obj = append(r.obj, '"')
		r.obj = append(r.obj, col.name...)
		r.obj = append(r.obj, '"', ':')
		switch trimmed := bytes.Trim(cell, " \t"); {
		case col.kind == kindText:
			r.obj = appendJSONText(r.obj, cell)
		case col.kind == kindNumber && isJSONNumber(trimmed):
			r.obj = append(r.obj, trimmed...)
		case col.kind == kindObject && len(trimmed) > 0 && json.Valid(trimmed):
			r.obj = append(r.obj, trimmed...)
		default:
			r.obj = appendJSONText(r.obj, cell)
			want := "a number such as 300 or 0.85"
			if col.kind == kindObject {
				want = `a JSON object such as {"contact_id":"c-1"}`
			}
			r.retype = append(r.retype, col.name, "must be "+want+", got "+shorten(cell))
		}
	}
	r.obj = append(r.obj, '}')
}

// explainTypes replaces the decoder's type message for the fields
// buildObject wrote as strings with one that quotes the cell.
func (r *CSVReader) explainTypes(err error) {
	verrs, ok := err.(schemas.ValidationErrors)
	if !ok || len(r.retype) == 0 {
		return
	}
	for _, e := range verrs {
		if e.Rule != schemas.RuleType {
			continue
		}
		for k := 0; k < len(r.retype); k += 2 {
			if e.Field == r.retype[k] {
				e.Message = r.retype[k+1]
			}
		}
	}
}

// shorten quotes a cell for a message, cut to 64 bytes.
func shorten(cell []byte) string {
	const max = 64
	if len(cell) > max {
		return fmt.Sprintf("%q…", cell[:max])
	}
	return fmt.Sprintf("%q", cell)
}

// appendJSONText appends s as a JSON string. Quotes, backslashes and
// control bytes are escaped; every other byte is copied as is, so text that
// is not valid UTF-8 reaches the decoder unchanged and is refused naming
// its field, never silently repaired.
func appendJSONText(dst, s []byte) []byte {
	const hex = "0123456789abcdef"
	dst = append(dst, '"')
	start := 0
	for i, c := range s {
		if c >= 0x20 && c != '"' && c != '\\' {
			continue
		}
		dst = append(dst, s[start:i]...)
		switch c {
		case '"', '\\':
			dst = append(dst, '\\', c)
		case '\n':
			dst = append(dst, '\\', 'n')
		case '\t':
			dst = append(dst, '\\', 't')
		case '\r':
			dst = append(dst, '\\', 'r')
		default:
			dst = append(dst, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
		}
		start = i + 1
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
}

// isJSONNumber reports whether b is exactly one JSON number:
// -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
func isJSONNumber(b []byte) bool {
	i := 0
	digits := func() int {
		n := 0
		for i < len(b) && b[i] >= '0' && b[i] <= '9' {
			i++
			n++
		}
		return n
	}
	if i < len(b) && b[i] == '-' {
		i++
	}
	switch {
	case i < len(b) && b[i] == '0':
		i++
	case digits() == 0:
		return false
	}
	if i < len(b) && b[i] == '.' {
		i++
		if digits() == 0 {
			return false
		}
	}
	if i < len(b) && (b[i] == 'e' || b[i] == 'E') {
		i++
		if i < len(b) && (b[i] == '+' || b[i] == '-') {
			i++
		}
		if digits() == 0 {
			return false
		}
	}
	return i == len(b)
}
