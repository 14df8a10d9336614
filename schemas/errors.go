package schemas

import (
	"errors"
	"strconv"
	"strings"
)

// ErrInvalid is matched (errors.Is) by every error that rejects a record's
// content: [*ValidationError], [ValidationErrors] and [*SyntaxError]. Errors
// that match it are the sender's mistake, never the server's.
var ErrInvalid = errors.New("invalid interaction")

// ErrLineTooLong is returned (wrapped in a [*RecordError]) by
// [NDJSONDecoder.Next] for a line longer than the decoder's limit.
var ErrLineTooLong = errors.New("line too long")

// ErrRecordTooLarge is returned (wrapped in a [*RecordError]) by
// [ArrayDecoder.Next] for an array element longer than the decoder's limit.
var ErrRecordTooLarge = errors.New("record too large")

// Rule names the rule a field broke. The values are stable and meant for
// machines (metrics labels, dead-letter reasons); Message is for people.
type Rule string

// The rules of the canonical interaction.
const (
	RuleRequired      Rule = "required"       // a required field is missing or empty
	RuleType          Rule = "type"           // wrong JSON type
	RuleUnknownField  Rule = "unknown_field"  // a top-level field the record does not have
	RuleEncoding      Rule = "encoding"       // a string is not valid UTF-8 text
	RuleFormat        Rule = "format"         // characters or shape not allowed (ids, model, source)
	RuleLength        Rule = "length"         // too short or too long
	RuleInteger       Rule = "integer"        // a whole number is required
	RuleRange         Rule = "range"          // a number outside its bounds
	RuleTimestamp     Rule = "timestamp"      // not a timestamp of the accepted form
	RuleOrder         Rule = "order"          // ended_at before started_at
	RuleMaxProperties Rule = "max_properties" // too many entries in source_refs or attributes
	RuleName          Rule = "name"           // an entry name of source_refs or attributes is not allowed
	RuleRecord        Rule = "record"         // the record itself is not a JSON object
	RuleEnum          Rule = "enum"           // not one of the allowed values (initiation)
)

// ValidationError is one broken rule of one field.
type ValidationError struct {
	// Field is the JSON name of the field, dotted for entries of
	// source_refs and attributes ("attributes.color"; a name that is not
	// [A-Za-z0-9_-]+ is written as attributes["a b"]). Empty when the whole
	// record is at fault (not a JSON object).
	Field string
	// Rule is the broken rule.
	Rule Rule
	// Message says, in words a contact-center admin can act on, what the
	// field must be and what it was; it does not repeat Field.
	Message string
}

// Error returns "field: message" ("record: message" when Field is empty).
func (e *ValidationError) Error() string {
	f := e.Field
	if f == "" {
		f = "record"
	}
	return f + ": " + e.Message
}

// Is reports whether target is [ErrInvalid].
func (e *ValidationError) Is(target error) bool { return target == ErrInvalid }

// ValidationErrors is every broken rule of one record, in field order (the
// struct's order, then unknown fields in input order), at most one per field
// and at most [MaxErrors] in all. It is never empty when returned as an error.
// errors.As finds each element as a [*ValidationError].
type ValidationErrors []*ValidationError

// MaxErrors caps the number of errors reported for one record.
const MaxErrors = 20

// Error joins the elements' messages with "; ".
func (es ValidationErrors) Error() string {
	var b strings.Builder
	for i, e := range es {
		if i > 0 {
			b.WriteString("; ")
		}
		b.WriteString(e.Error())
	}
	return b.String()
}

// Unwrap returns the elements, so errors.As and errors.Is see each of them.
func (es ValidationErrors) Unwrap() []error {
	out := make([]error, len(es))
	for i, e := range es {
		out[i] = e
	}
	return out
}

// Is reports whether target is [ErrInvalid].
func (es ValidationErrors) Is(target error) bool { return target == ErrInvalid }

// Fields returns the Field of every element, in order.
func (es ValidationErrors) Fields() []string {
	out := make([]string, len(es))
	for i, e := range es {
		out[i] = e.Field
	}
	return out
}

// add appends e unless the cap is reached.
func (es *ValidationErrors) add(e *ValidationError) {
	if len(*es) < MaxErrors {
		*es = append(*es, e)
	}
}

// SyntaxError is returned for input that is not JSON text: bad syntax,
// truncated input, or data after the record.
type SyntaxError struct {
	// Offset is the byte offset of the problem in the input.
	Offset int
	// Msg says what is wrong.
	Msg string
}

// Error returns "invalid JSON at byte N: msg".
func (e *SyntaxError) Error() string {
	return "invalid JSON at byte " + strconv.Itoa(e.Offset) + ": " + e.Msg
}

// Is reports whether target is [ErrInvalid].
func (e *SyntaxError) Is(target error) bool { return target == ErrInvalid }

// RecordError is a record-level error of a stream ([NDJSONDecoder],
// [ArrayDecoder]): it locates Err, which is a [ValidationErrors], a
// [*SyntaxError] (NDJSON only; its Offset is within the line), or wraps
// [ErrLineTooLong] or [ErrRecordTooLarge]. The stream goes on after it.
type RecordError struct {
	// Index is the 0-based index of the record in the stream (blank NDJSON
	// lines are not records).
	Index int
	// Line is the 1-based line on which the record starts.
	Line int
	// Err is the cause.
	Err error
}

// Error returns "line N (record I): cause".
func (e *RecordError) Error() string {
	return "line " + strconv.Itoa(e.Line) + " (record " + strconv.Itoa(e.Index) + "): " + e.Err.Error()
}

// Unwrap returns the cause.
func (e *RecordError) Unwrap() error { return e.Err }
