package clickhouse

import (
	"encoding/json"
	"errors"
	"testing"

	"github.com/agentpulse/agentpulse/schemas"
)

// FuzzDecodeAttrs: the stored-attributes parser never panics, fails only
// with ErrCorruptRow, and what it accepts is canonical: read again, it is
// the same text, and it is what encoding/json writes for its map.
func FuzzDecodeAttrs(f *testing.F) {
	for _, s := range []string{"", "{}", "null", `{"a":"b","n":1.5,"t":true,"z":null}`, `{"a":{"nested":1}}`, `{"\u00e9":"\ud800"}`, "{", `{"a":1e400}`, `{"b":1e-07,"a":2.0,"b":3}`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		a, err := decodeAttrs(s)
		if err != nil {
			if !errors.Is(err, ErrCorruptRow) {
				t.Fatalf("decodeAttrs(%q) error %v is not ErrCorruptRow", s, err)
			}
			return
		}
		back, err := decodeAttrs(a.JSON())
		if err != nil || back != a {
			t.Fatalf("%q → %q → %q, %v", s, a.JSON(), back.JSON(), err)
		}
		if m := a.Map(); m != nil {
			std, err := json.Marshal(m)
			if err != nil || string(std) != a.JSON() {
				t.Fatalf("%q: canonical %q, encoding/json %q (%v)", s, a.JSON(), std, err)
			}
		}
	})
}

// FuzzDecodeRefs: likewise for source_refs.
func FuzzDecodeRefs(f *testing.F) {
	for _, s := range []string{"", "{}", `{"contact_id":"c-1"}`, `{"a":1}`, `{"a":"\u0000"}`, "[]", `{ "b" : "<>", "a":"x" }`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		r, err := decodeRefs(s)
		if err != nil {
			if !errors.Is(err, ErrCorruptRow) {
				t.Fatalf("decodeRefs(%q) error %v is not ErrCorruptRow", s, err)
			}
			return
		}
		back, err := decodeRefs(r.JSON())
		if err != nil || back != r {
			t.Fatalf("%q → %q → %q, %v", s, r.JSON(), back.JSON(), err)
		}
		if m := r.Map(); m != nil {
			std, err := json.Marshal(m)
			if err != nil || string(std) != r.JSON() {
				t.Fatalf("%q: canonical %q, encoding/json %q (%v)", s, r.JSON(), std, err)
			}
		}
	})
}

// FuzzTimeRoundTrip: encodeTime/decodeTime keep the instant and offset of
// every storable time.
func FuzzTimeRoundTrip(f *testing.F) {
	f.Add(int64(0), int32(0))
	f.Add(int64(1773153000123456789), int32(19800))
	f.Add(int64(-1), int32(-86340))
	f.Fuzz(func(t *testing.T, ns int64, off int32) {
		in := decodeTime(ns, off)
		gotNS, gotOff, err := encodeTime("t", in)
		if err != nil || gotNS != ns || gotOff != off {
			t.Fatalf("(%d, %d) → %v → (%d, %d), %v", ns, off, in, gotNS, gotOff, err)
		}
	})
}

// FuzzJSONString: schemas.AppendJSONString, the escaping of the stored
// source_refs and attributes text, reads back through encoding/json as
// exactly what encoding/json's own encoding of the string reads back as.
func FuzzJSONString(f *testing.F) {
	for _, s := range []string{"", "plain", `q"b\`, "\x00\x1f\x7f", "\u2028\u2029", "é 払 🧾", "\xff\xfe", "<&>"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		var got, want string
		if err := json.Unmarshal(schemas.AppendJSONString(nil, s), &got); err != nil {
			t.Fatalf("AppendJSONString(%q) = %s: not JSON: %v", s, schemas.AppendJSONString(nil, s), err)
		}
		std, _ := json.Marshal(s)
		if err := json.Unmarshal(std, &want); err != nil {
			t.Fatal(err)
		}
		if got != want {
			t.Fatalf("%q reads back as %q, encoding/json's as %q", s, got, want)
		}
	})
}
