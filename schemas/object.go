package schemas

import (
	"bytes"
	"encoding/json"
	"strings"
	"unicode/utf8"
	"unsafe"
)

// SourceRefs is an interaction's source_refs (the raw ids that trace it
// back to the CCaaS: names to strings) held as its canonical JSON text:
// members sorted by name, no whitespace, strings escaped as encoding/json
// writes them, so it is exactly what encoding/json writes for the same
// map. Records pass it through decoding, folding and storing without
// building a map.
//
// A SourceRefs is always valid: only [DecodeInteraction], [MakeSourceRefs],
// [ParseSourceRefs] and UnmarshalJSON make one, and each checks every rule
// first. The zero value is absent (no source_refs), and so is an empty
// object. It is a comparable value, safe to copy and for concurrent use.
type SourceRefs struct{ text string }

// Attributes is an interaction's attributes (a flat object of names to
// strings, numbers, true/false or null) held as its canonical JSON text,
// like [SourceRefs]: numbers are written as encoding/json writes a float64
// (2.0 and 2 are both 2). Always valid; the zero value is absent.
type Attributes struct{ text string }

// MakeSourceRefs checks m against the rules of source_refs (at most
// [MaxSourceRefs] entries, names of lower-case letters, digits or '_',
// values of valid UTF-8 text of at most [MaxSourceRefValueLength]
// characters) and returns it in canonical form. An empty or nil m is the
// zero value. A broken rule is reported as [ValidationErrors] naming
// source_refs or the entry (source_refs.name) and the rule, as Validate
// reports them.
func MakeSourceRefs(m map[string]string) (SourceRefs, error) {
	if len(m) == 0 {
		return SourceRefs{}, nil
	}
	var errs ValidationErrors
	validateSourceRefs(m, func(e *ValidationError) {
		if e != nil {
			errs.add(e)
		}
	})
	if len(errs) > 0 {
		return SourceRefs{}, errs
	}
	text, err := parseObject(appendSourceRefs(nil, m), "", fSourceRefs)
	return SourceRefs{text}, err
}

// SourceRef returns source_refs of one entry, name: value, as
// MakeSourceRefs(map[string]string{name: value}) would, with one
// allocation (for producers that make one per record, like the simulator).
func SourceRef(name, value string) (SourceRefs, error) {
	var errs ValidationErrors
	if !validRefName(name) {
		errs.add(verr("source_refs", RuleName, refNameMessage(name, 0)))
	}
	if !utf8.ValidString(value) {
		errs.add(verr(entryField("source_refs", name), RuleEncoding, "is not valid UTF-8 text"))
	} else if n := utf8.RuneCountInString(value); n > MaxSourceRefValueLength {
		errs.add(verr(entryField("source_refs", name), RuleLength, stringTooLong(MaxSourceRefValueLength, n)))
	}
	if len(errs) > 0 {
		return SourceRefs{}, errs
	}
	b := make([]byte, 0, len(name)+len(value)+8)
	b = append(b, '{')
	b = appendString(b, name)
	b = append(b, ':')
	b = appendString(b, value)
	b = append(b, '}')
	return SourceRefs{bytesString(b)}, nil
}

// MakeAttributes checks m against the rules of attributes (at most
// [MaxAttributes] entries, names of 1 to 64 characters, values string,
// bool, nil, a finite float64 or float32, an integer type, or a
// json.Number, numbers within ±(2^53-1)) and returns it in canonical
// form. An empty or nil m is the zero value. A broken rule is reported
// as [ValidationErrors] naming attributes or the entry and the rule.
func MakeAttributes(m map[string]any) (Attributes, error) {
	if len(m) == 0 {
		return Attributes{}, nil
	}
	var errs ValidationErrors
	validateAttributes(m, func(e *ValidationError) {
		if e != nil {
			errs.add(e)
		}
	})
	if len(errs) > 0 {
		return Attributes{}, errs
	}
	text, err := parseObject(appendAttributes(nil, m), "", fAttributes)
	return Attributes{text}, err
}

// ParseSourceRefs reads source_refs from JSON text (any valid JSON form:
// whitespace, escapes and member order are free, a repeated name counts
// with its last value) and checks its rules. "", null and {} are the zero
// value. Errors are a [*SyntaxError] or [ValidationErrors] as
// [DecodeInteraction] reports them. Text already in canonical form is
// kept without copying.
func ParseSourceRefs(text string) (SourceRefs, error) {
	if text == "" {
		return SourceRefs{}, nil
	}
	s, err := parseObject(stringBytes(text), text, fSourceRefs)
	return SourceRefs{s}, err
}

// ParseAttributes reads attributes from JSON text as [ParseSourceRefs]
// reads source_refs.
func ParseAttributes(text string) (Attributes, error) {
	if text == "" {
		return Attributes{}, nil
	}
	s, err := parseObject(stringBytes(text), text, fAttributes)
	return Attributes{s}, err
}

// JSON returns the canonical JSON text, "" when absent.
func (r SourceRefs) JSON() string { return r.text }

// IsZero reports whether r is absent.
func (r SourceRefs) IsZero() bool { return r.text == "" }

// Map returns the entries as a new map, nil when absent.
func (r SourceRefs) Map() map[string]string {
	if r.text == "" {
		return nil
	}
	var m map[string]string
	if err := json.Unmarshal([]byte(r.text), &m); err != nil {
		panic("schemas: invalid SourceRefs text: " + err.Error()) // unreachable: always valid
	}
	return m
}

// Get returns the value of name and whether it is present.
func (r SourceRefs) Get(name string) (string, bool) {
	v, ok := r.Map()[name]
	return v, ok
}

// Len returns the number of entries.
func (r SourceRefs) Len() int { return len(r.Map()) }

// String returns the canonical JSON text.
func (r SourceRefs) String() string { return r.text }

// Clone returns r with its text in an allocation of its own, so that
// keeping it does not keep the record it was decoded from.
func (r SourceRefs) Clone() SourceRefs { return SourceRefs{strings.Clone(r.text)} }

// MarshalJSON returns the canonical text (null when absent).
func (r SourceRefs) MarshalJSON() ([]byte, error) { return marshalObject(r.text), nil }

// UnmarshalJSON reads r as [ParseSourceRefs] does.
func (r *SourceRefs) UnmarshalJSON(data []byte) error {
	s, err := parseObject(data, "", fSourceRefs)
	if err != nil {
		return err
	}
	r.text = s
	return nil
}

// JSON returns the canonical JSON text, "" when absent.
func (a Attributes) JSON() string { return a.text }

// IsZero reports whether a is absent.
func (a Attributes) IsZero() bool { return a.text == "" }

// Map returns the entries as a new map, nil when absent: values are
// string, float64, bool or nil.
func (a Attributes) Map() map[string]any {
	if a.text == "" {
		return nil
	}
	var m map[string]any
	if err := json.Unmarshal([]byte(a.text), &m); err != nil {
		panic("schemas: invalid Attributes text: " + err.Error()) // unreachable: always valid
	}
	return m
}

// Get returns the value of name and whether it is present.
func (a Attributes) Get(name string) (any, bool) {
	v, ok := a.Map()[name]
	return v, ok
}

// Len returns the number of entries.
func (a Attributes) Len() int { return len(a.Map()) }

// String returns the canonical JSON text.
func (a Attributes) String() string { return a.text }

// Clone returns a with its text in an allocation of its own, so that
// keeping it does not keep the record it was decoded from.
func (a Attributes) Clone() Attributes { return Attributes{strings.Clone(a.text)} }

// MarshalJSON returns the canonical text (null when absent).
func (a Attributes) MarshalJSON() ([]byte, error) { return marshalObject(a.text), nil }

// UnmarshalJSON reads a as [ParseAttributes] does.
func (a *Attributes) UnmarshalJSON(data []byte) error {
	s, err := parseObject(data, "", fAttributes)
	if err != nil {
		return err
	}
	a.text = s
	return nil
}

func marshalObject(text string) []byte {
	if text == "" {
		return []byte("null")
	}
	return []byte(text)
}

// parseObject reads the JSON value data as the object field f and returns
// its canonical text ("" when null or empty). src is data as a string when
// the caller has one ("" otherwise): canonical input is returned as src.
func parseObject(data []byte, src string, f int) (string, error) {
	d := decoders.Get().(*decoder)
	defer d.release()
	d.data = data
	if d.peek() == 0 && d.pos >= len(data) {
		d.fail("empty input, expected a JSON object")
		return "", d.err
	}
	if !d.field(f) || !d.atEnd() {
		return "", d.err
	}
	sp := d.canonical(f)
	var errs ValidationErrors
	if e := d.errs[f]; e != nil {
		errs.add(e)
	}
	for _, e := range d.entryErrs[f-fSourceRefs] {
		errs.add(e)
	}
	if len(errs) > 0 {
		return "", errs
	}
	text := d.arena[sp.from:sp.to]
	if src != "" && bytes.Equal(text, data) {
		return src, nil
	}
	return string(text), nil
}

// stringBytes views s as bytes without copying; they must not be modified.
func stringBytes(s string) []byte { return unsafe.Slice(unsafe.StringData(s), len(s)) }
