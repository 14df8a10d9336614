package backfill

import "errors"

// Errors that refuse one record. They are wrapped in a *schemas.RecordError
// that names the line; the import sends the record to the dead-letter topic
// and goes on.
var (
	// ErrLineTooLong is the cause for a record longer than the size limit
	// (Config.MaxRecord, default 1 MiB).
	ErrLineTooLong = errors.New("record too long")
	// ErrCSVSyntax is the cause for a CSV record that is not well-formed
	// (a stray quote, text after a closing quote, a quote never closed).
	ErrCSVSyntax = errors.New("malformed CSV")
	// ErrFieldCount is the cause for a CSV record with more or fewer
	// fields than the header.
	ErrFieldCount = errors.New("wrong number of CSV fields")
)

// Errors that stop an import before or while it runs.
var (
	// ErrUnknownFormat is returned for a --format other than auto, ndjson
	// or csv.
	ErrUnknownFormat = errors.New("unknown import format")
	// ErrBadHeader is returned when a CSV file's header row is missing, or
	// names a column that is not a canonical field, names one twice, or
	// lacks a required one.
	ErrBadHeader = errors.New("bad CSV header")
	// ErrStateMismatch is returned when a resume state file was written
	// for another file (different size, beginning or format). Delete the
	// state file to import from the start, or pass another --state.
	ErrStateMismatch = errors.New("resume state belongs to another file")
	// ErrBadState is returned when a resume state file cannot be read as
	// one (truncated, edited, from a newer version).
	ErrBadState = errors.New("unreadable resume state")
	// ErrNotRegular is returned when the file to import is not a regular
	// file (a pipe or a directory): resuming needs offsets and a size.
	ErrNotRegular = errors.New("import needs a regular file")
)
