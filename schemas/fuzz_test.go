package schemas

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"regexp"
	"strings"
	"testing"
)

// hugeExponent matches number exponents of 10000 and more.
var hugeExponent = regexp.MustCompile(`[eE][+-]?0*[1-9][0-9]{4,}`)

// FuzzDecodeInteraction is the differential proof that the Go decoder and
// the schema (as judged by the reference library) agree: on every input the
// verdicts must be equal. It also checks the decoder's own invariants: no
// panic, typed errors, and for accepted records Validate == nil and an
// AppendJSON round trip that equals json.Marshal and decodes to the same
// record.
func FuzzDecodeInteraction(f *testing.F) {
	for _, c := range loadCorpus(f) {
		f.Add(c.data)
	}
	sch := referenceSchema(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		it, err := DecodeInteraction(data)
		if err != nil {
			checkDecodeError(t, err)
		} else {
			checkAccepted(t, &it)
		}
		if hugeExponent.Match(data) {
			return // the library spends up to seconds on 5^exponent in big.Rat
		}
		libValid, judged, detail := libVerdict(sch, data)
		if !judged {
			return
		}
		if libValid != (err == nil) {
			t.Fatalf("verdicts differ on %q:\n  schema library valid=%v (%v)\n  Go decoder valid=%v (%v)",
				data, libValid, detail, err == nil, err)
		}
	})
}

// checkDecodeError checks that err has one of the documented types.
func checkDecodeError(t *testing.T, err error) {
	t.Helper()
	if !errors.Is(err, ErrInvalid) {
		t.Fatalf("error %v does not match ErrInvalid", err)
	}
	var ves ValidationErrors
	var se *SyntaxError
	switch {
	case errors.As(err, &ves):
		if len(ves) == 0 || len(ves) > MaxErrors {
			t.Fatalf("ValidationErrors has %d elements", len(ves))
		}
		for _, e := range ves {
			if e.Rule == "" || e.Message == "" || !strings.HasPrefix(e.Error(), e.Field) {
				t.Fatalf("malformed error %#v", e)
			}
		}
	case errors.As(err, &se):
	default:
		t.Fatalf("error of unexpected type %T: %v", err, err)
	}
}

// checkAccepted checks the invariants of an accepted record.
func checkAccepted(t *testing.T, it *Interaction) {
	t.Helper()
	if err := it.Validate(); err != nil {
		t.Fatalf("accepted record fails Validate: %v", err)
	}
	enc := it.AppendJSON(nil)
	std, err := json.Marshal(it)
	if err != nil {
		t.Fatalf("json.Marshal: %v", err)
	}
	if !bytes.Equal(enc, std) {
		t.Fatalf("AppendJSON differs from json.Marshal:\n%s\n%s", enc, std)
	}
	back, err := DecodeInteraction(enc)
	if err != nil {
		t.Fatalf("re-decoding %s: %v", enc, err)
	}
	if !sameInteraction(*it, back) {
		t.Fatalf("round trip changed the record:\n%#v\n%#v", *it, back)
	}
}

// FuzzNDJSONDecoder checks that the NDJSON decoder never panics, never
// loops, and reports at most one result per line.
func FuzzNDJSONDecoder(f *testing.F) {
	f.Add([]byte(ndjsonSample), 0)
	f.Add([]byte("\n\n  \r\n{}\n[1]\n{"), 8)
	f.Add([]byte(strings.Repeat("x", 100)+"\n{}"), 16)
	f.Fuzz(func(t *testing.T, data []byte, max int) {
		max %= 1 << 12
		d := NewNDJSONDecoder(bytes.NewReader(data), max)
		lines := bytes.Count(data, []byte("\n")) + 1
		for n := 0; ; n++ {
			if n > lines {
				t.Fatalf("more results (%d) than lines (%d)", n, lines)
			}
			_, err := d.Next()
			if err == io.EOF {
				return
			}
			var re *RecordError
			if err != nil && !errors.As(err, &re) {
				t.Fatalf("unexpected error type %T: %v", err, err)
			}
		}
	})
}

// FuzzArrayDecoder checks that the array decoder never panics or loops, and
// that a body it reads to the end without a terminal error is valid JSON.
func FuzzArrayDecoder(f *testing.F) {
	f.Add([]byte("[" + strings.ReplaceAll(strings.TrimSpace(ndjsonSample), "\n", ",") + "]"))
	f.Add([]byte(`[]`))
	f.Add([]byte(`[{"a":"]"},{}]`))
	f.Fuzz(func(t *testing.T, data []byte) {
		d := NewArrayDecoder(bytes.NewReader(data), 1<<12)
		for n := 0; ; n++ {
			if n > len(data) {
				t.Fatalf("more results than bytes")
			}
			_, err := d.Next()
			if err == io.EOF {
				if !json.Valid(data) {
					t.Fatalf("reached EOF on invalid JSON %q", data)
				}
				return
			}
			var re *RecordError
			if err != nil && !errors.As(err, &re) {
				return // terminal
			}
		}
	})
}

// FuzzParseTimestamp checks ParseTimestamp against the schema's pattern and
// time.Parse: whatever it accepts matches the pattern, parses the same with
// time.Parse, and formats back to an instant-equal string.
func FuzzParseTimestamp(f *testing.F) {
	for _, s := range []string{"2026-03-01T14:05:09Z", "2028-02-29T00:00:00.123456789+05:30",
		"2026-02-30T00:00:00Z", "2026-03-01t14:05:09z", "2099-12-31T23:59:59-23:59"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, err := ParseTimestamp(s)
		if matches := timestampPattern.MatchString(s); matches != (err == nil) {
			t.Fatalf("ParseTimestamp(%q) err=%v but pattern match=%v", s, err, matches)
		}
		if err != nil {
			return
		}
		std, err := parseTimestampStd(s)
		if err != nil || !std.Equal(got) {
			t.Fatalf("time.Parse(%q) = %v, %v; ParseTimestamp = %v", s, std, err, got)
		}
		_, o1 := got.Zone()
		_, o2 := std.Zone()
		if o1 != o2 {
			t.Fatalf("offsets differ: %d vs %d", o1, o2)
		}
	})
}

// FuzzParseObjects: ParseSourceRefs and ParseAttributes never panic, fail
// only with the decoder's error types, agree with DecodeInteraction on the
// same object inside a record, and what they accept is canonical: parsed
// again it is the same text, and it is what encoding/json writes for its
// map.
func FuzzParseObjects(f *testing.F) {
	for _, s := range []string{"", "{}", "null", `{"a":"b"}`, `{"b":1e-07,"a":2.0,"b":3}`, `{"a":{"x":1}}`,
		`{ "z" : "<&>" , "y":"\u00e9\ud83d\ude00" }`, `{"a":"\ud800"}`, "{", `[1]`, `{"Bad":"x","9":1}`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, refs := range []bool{true, false} {
			var text string
			var m any
			var err error
			if refs {
				var r SourceRefs
				if r, err = ParseSourceRefs(s); err == nil {
					text, m = r.JSON(), r.Map()
					if back, err2 := ParseSourceRefs(text); err2 != nil || back != r {
						t.Fatalf("source_refs %q → %q → %q, %v", s, text, back.JSON(), err2)
					}
				}
			} else {
				var a Attributes
				if a, err = ParseAttributes(s); err == nil {
					text, m = a.JSON(), a.Map()
					if back, err2 := ParseAttributes(text); err2 != nil || back != a {
						t.Fatalf("attributes %q → %q → %q, %v", s, text, back.JSON(), err2)
					}
				}
			}
			if err != nil {
				checkDecodeError(t, err)
			} else if text != "" {
				std, err := json.Marshal(m)
				if err != nil || string(std) != text {
					t.Fatalf("%q: canonical %q, encoding/json %q (%v)", s, text, std, err)
				}
			}
			if s == "" || hugeExponent.MatchString(s) {
				continue
			}
			field := "attributes"
			if refs {
				field = "source_refs"
			}
			it, derr := DecodeInteraction([]byte(`{"tenant_id":"t","interaction_id":"i","revision":1,"model":"voice","agent_id":"a",` +
				`"team_id":"t","inquiry":"q","started_at":"2026-03-01T14:00:00Z","ended_at":"2026-03-01T14:05:00Z",` +
				`"handle_time_s":1,"source":"api","` + field + `":` + s + `}`))
			if (derr == nil) != (err == nil) {
				var se *SyntaxError
				if errors.As(derr, &se) && err == nil {
					continue // s is not one JSON value followed by '}' in a record (e.g. "1 2")
				}
				t.Fatalf("%s %q: Parse error %v, DecodeInteraction error %v", field, s, err, derr)
			}
			if derr == nil && (refs && it.SourceRefs.JSON() != text || !refs && it.Attributes.JSON() != text) {
				t.Fatalf("%s %q: Parse %q, DecodeInteraction %q", field, s, text, it.AppendJSON(nil))
			}
		}
	})
}
