package clickhouse

import (
	"encoding/json"
	"errors"
	"reflect"
	"testing"
)

// FuzzDecodeAttrs: the stored-attributes parser never panics, fails only
// with ErrCorruptRow, and what it accepts encodes back to an equal map.
func FuzzDecodeAttrs(f *testing.F) {
	for _, s := range []string{"", "{}", "null", `{"a":"b","n":1.5,"t":true,"z":null}`, `{"a":{"nested":1}}`, `{"\u00e9":"\ud800"}`, "{", `{"a":1e400}`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		m, err := decodeAttrs(s)
		if err != nil {
			if !errors.Is(err, ErrCorruptRow) {
				t.Fatalf("decodeAttrs(%q) error %v is not ErrCorruptRow", s, err)
			}
			return
		}
		enc, err := encodeAttrs(m)
		if err != nil {
			t.Fatalf("re-encode %v: %v", m, err)
		}
		back, err := decodeAttrs(enc)
		if err != nil || !reflect.DeepEqual(back, m) {
			t.Fatalf("%q → %v → %q → %v, %v", s, m, enc, back, err)
		}
	})
}

// FuzzDecodeRefs: likewise for source_refs.
func FuzzDecodeRefs(f *testing.F) {
	for _, s := range []string{"", "{}", `{"contact_id":"c-1"}`, `{"a":1}`, `{"a":"\u0000"}`, "[]"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		m, err := decodeRefs(s)
		if err != nil {
			if !errors.Is(err, ErrCorruptRow) {
				t.Fatalf("decodeRefs(%q) error %v is not ErrCorruptRow", s, err)
			}
			return
		}
		enc := encodeRefs(m)
		back, err := decodeRefs(enc)
		if err != nil || !reflect.DeepEqual(back, m) {
			t.Fatalf("%q → %v → %q → %v, %v", s, m, enc, back, err)
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

// FuzzJSONString: appendJSONString reads back, through encoding/json, as
// exactly what encoding/json's own encoding of the string reads back as.
func FuzzJSONString(f *testing.F) {
	for _, s := range []string{"", "plain", `q"b\`, "\x00\x1f\x7f", "\u2028\u2029", "é 払 🧾", "\xff\xfe", "<&>"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		var got, want string
		if err := json.Unmarshal(appendJSONString(nil, s), &got); err != nil {
			t.Fatalf("appendJSONString(%q) = %s: not JSON: %v", s, appendJSONString(nil, s), err)
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
