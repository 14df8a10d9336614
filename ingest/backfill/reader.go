package backfill

import (
	"bytes"
	"fmt"
	"io"
	"path/filepath"
	"strings"

	"github.com/agentpulse/agentpulse/schemas"
)

// Format is the layout of an import file.
type Format string

// The formats Import reads.
const (
	// FormatAuto picks the format from the file name, then the content.
	FormatAuto Format = "auto"
	// FormatNDJSON is one canonical interaction per line.
	FormatNDJSON Format = "ndjson"
	// FormatCSV is a header row of canonical field names, then one
	// interaction per record.
	FormatCSV Format = "csv"
)

// ParseFormat reads a --format value: auto, ndjson (also jsonl) or csv.
func ParseFormat(s string) (Format, error) {
	switch strings.ToLower(s) {
	case "", "auto":
		return FormatAuto, nil
	case "ndjson", "jsonl":
		return FormatNDJSON, nil
	case "csv":
		return FormatCSV, nil
	}
	return "", fmt.Errorf("%w: %q (want auto, ndjson or csv)", ErrUnknownFormat, s)
}

// DetectFormat decides the format of a file: by its extension (.ndjson,
// .jsonl, .json → NDJSON; .csv → CSV), otherwise by its first
// non-blank byte after an optional byte-order mark ('{' → NDJSON, anything
// else → CSV). head is the start of the file; a few KiB are enough.
func DetectFormat(path string, head []byte) Format {
	switch strings.ToLower(filepath.Ext(path)) {
	case ".ndjson", ".jsonl", ".json":
		return FormatNDJSON
	case ".csv":
		return FormatCSV
	}
	head = bytes.TrimLeft(bytes.TrimPrefix(head, utf8BOM), " \t\r\n")
	if len(head) > 0 && head[0] == '{' {
		return FormatNDJSON
	}
	return FormatCSV
}

// Position is a point in an import file at a record boundary: where a
// resumed import starts reading.
type Position struct {
	// Offset is the byte offset of the next unread byte.
	Offset int64 `json:"offset"`
	// Line is the number of lines before Offset.
	Line int `json:"line"`
	// Records is the number of records (valid or not) before Offset.
	Records int64 `json:"records"`
}

// Item is one record of an import file.
type Item struct {
	// Interaction is the decoded record; valid only when Err is nil.
	Interaction schemas.Interaction
	// Err says why the record was refused: a *schemas.RecordError naming
	// the line, whose cause matches schemas.ErrInvalid or is a CSV problem
	// (ErrCSVSyntax, ErrFieldCount, ErrLineTooLong). Nil for a valid record.
	Err error
	// Raw is a copy of the record's bytes as they are in the file (without
	// the final line break), set only when Err is not nil; empty for a
	// record longer than the size limit.
	Raw []byte
	// Tenant is the record's tenant_id when it could be read and is valid
	// (set for refused records too, for the dead-letter key); else "".
	Tenant string
	// End is the position just after the record.
	End Position
}

// Reader reads the records of an import file in order. Next returns the
// next record, io.EOF after the last one, or another error, which ends the
// stream (the file could not be read). A refused record is not an error of
// Next: it is an Item with Err set. Readers are not safe for concurrent use.
type Reader interface {
	Next() (Item, error)
}

// NewReader returns the reader of format f (not FormatAuto) for body,
// which must start at the byte at.Offset of the file. For CSV, header is
// the file's header (see ReadCSVHeader); NDJSON ignores it. maxRecord
// bounds one record's size in bytes (default 1 MiB when <= 0).
func NewReader(f Format, body io.Reader, header *CSVHeader, at Position, maxRecord int) (Reader, error) {
	if maxRecord <= 0 {
		maxRecord = schemas.DefaultMaxRecord
	}
	switch f {
	case FormatNDJSON:
		return NewNDJSONReader(body, at, maxRecord)
	case FormatCSV:
		if header == nil {
			return nil, fmt.Errorf("%w: the CSV reader needs the file's header", ErrBadHeader)
		}
		return NewCSVReader(body, header, at, maxRecord)
	}
	return nil, fmt.Errorf("%w: %q", ErrUnknownFormat, f)
}

// sniffLen is how much of a file DetectFormat looks at.
const sniffLen = 4 << 10
