package clickhouse

import (
	"errors"
	"math"
	"math/rand/v2"
	"reflect"
	"testing"
	"time"

	"github.com/agentpulse/agentpulse/schemas"
)

func TestTimeRoundTrip(t *testing.T) {
	for _, tc := range []time.Time{
		time.Date(2026, 3, 10, 14, 30, 0, 0, time.UTC),
		time.Date(2000, 1, 1, 0, 0, 0, 0, time.FixedZone("", 23*3600+59*60)),
		time.Date(2099, 12, 31, 23, 59, 59, 999999999, time.FixedZone("", -(23*3600+59*60))),
		time.Date(2026, 3, 10, 14, 30, 0, 1, time.FixedZone("", 5*3600+30*60)),
		time.Unix(0, 0).UTC(),
		time.Unix(0, math.MinInt64).UTC(),
		time.Unix(0, math.MaxInt64).In(time.FixedZone("", 3600)),
	} {
		ns, off, err := encodeTime("t", tc)
		if err != nil {
			t.Fatalf("encodeTime(%v): %v", tc, err)
		}
		got := decodeTime(ns, off)
		if !got.Equal(tc) || got.Format(time.RFC3339Nano) != tc.Format(time.RFC3339Nano) {
			t.Errorf("round trip of %v = %v", tc, got)
		}
		if !reflect.DeepEqual(got, tc) {
			t.Errorf("round trip of %v is not DeepEqual: %#v", tc, got)
		}
	}
}

// TestTimeRoundTripProperty: any instant in the storable range, in any
// whole-second offset, comes back equal and in the same offset.
func TestTimeRoundTripProperty(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for range 10000 {
		in := time.Unix(0, rng.Int64()-rng.Int64()/2).In(time.FixedZone("", rng.IntN(2*86400)-86400))
		ns, off, err := encodeTime("t", in)
		if err != nil {
			t.Fatal(err)
		}
		got := decodeTime(ns, off)
		_, gotOff := got.Zone()
		_, inOff := in.Zone()
		if !got.Equal(in) || gotOff != inOff {
			t.Fatalf("round trip of %v = %v", in, got)
		}
	}
}

func TestEncodeTimeOutOfRange(t *testing.T) {
	for _, tc := range []time.Time{{}, time.Date(1677, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2263, 1, 1, 0, 0, 0, 0, time.UTC)} {
		if _, _, err := encodeTime("ended_at", tc); !errors.Is(err, ErrInvalidBatch) {
			t.Errorf("encodeTime(%v) = %v, want ErrInvalidBatch", tc, err)
		}
	}
}

func TestHourSeconds(t *testing.T) {
	h := time.Date(2026, 3, 10, 14, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		in   time.Time
		want uint32
		ok   bool
	}{
		{h, uint32(h.Unix()), true},
		{h.In(time.FixedZone("", 5*3600+30*60)), uint32(h.Unix()), true}, // same instant
		{time.Unix(0, 0), 0, true},
		{h.Add(time.Nanosecond), 0, false},
		{h.Add(30 * time.Minute), 0, false},
		{time.Date(1969, 12, 31, 23, 0, 0, 0, time.UTC), 0, false},
		{time.Date(2106, 3, 1, 0, 0, 0, 0, time.UTC), 0, false},
	} {
		got, err := hourSeconds(tc.in)
		if (err == nil) != tc.ok || got != tc.want {
			t.Errorf("hourSeconds(%v) = %d, %v; want %d, ok=%v", tc.in, got, err, tc.want, tc.ok)
		}
		if err != nil && !errors.Is(err, ErrInvalidBatch) {
			t.Errorf("hourSeconds(%v) error %v is not ErrInvalidBatch", tc.in, err)
		}
	}
}

func TestHourRange(t *testing.T) {
	h := time.Date(2026, 3, 10, 14, 0, 0, 0, time.UTC)
	hs := uint32(h.Unix())
	for _, tc := range []struct {
		name     string
		from, to time.Time
		lo, hi   uint32
		ok       bool
	}{
		{"whole hours", h, h.Add(2 * time.Hour), hs, hs + 7200, true},
		{"from rounds up", h.Add(time.Nanosecond), h.Add(time.Hour), hs + 1, hs + 3600, true},
		{"to rounds up", h, h.Add(time.Hour + time.Nanosecond), hs, hs + 3601, true},
		{"empty", h, h, 0, 0, false},
		{"inverted", h.Add(time.Hour), h, 0, 0, false},
		{"sub-second range", h.Add(time.Nanosecond), h.Add(2 * time.Nanosecond), 0, 0, false},
		{"from before 1970", time.Time{}, h, 0, hs, true},
		{"to after 2106", h, time.Date(2200, 1, 1, 0, 0, 0, 0, time.UTC), hs, math.MaxUint32, true},
		{"all before 1970", time.Time{}, time.Unix(-5, 0), 0, 0, false},
	} {
		lo, hi, ok := hourRange(tc.from, tc.to)
		if lo != tc.lo || hi != tc.hi || ok != tc.ok {
			t.Errorf("%s: hourRange = %d, %d, %v; want %d, %d, %v", tc.name, lo, hi, ok, tc.lo, tc.hi, tc.ok)
		}
	}
}

func TestMapsRoundTrip(t *testing.T) {
	refs := map[string]string{"contact_arn": "arn:x/ü", "q": `"'\`}
	attrs := map[string]any{"s": "x", "n": 9007199254740991.0, "f": 0.1, "neg": -1e-7, "b": false, "nil": nil, "名前": "値"}
	r, err := schemas.MakeSourceRefs(refs)
	if err != nil {
		t.Fatal(err)
	}
	a, err := schemas.MakeAttributes(attrs)
	if err != nil {
		t.Fatal(err)
	}
	gotRefs, err := decodeRefs(r.JSON())
	if err != nil || gotRefs != r || !reflect.DeepEqual(gotRefs.Map(), refs) {
		t.Errorf("refs round trip = %v, %v", gotRefs, err)
	}
	gotAttrs, err := decodeAttrs(a.JSON())
	if err != nil || gotAttrs != a || !reflect.DeepEqual(gotAttrs.Map(), attrs) {
		t.Errorf("attributes round trip = %v, %v", gotAttrs, err)
	}
	// Rows stored before the canonical text (floats as 'g' wrote them)
	// read back canonical.
	if old, err := decodeAttrs(`{"neg":-1e-07,"b":false}`); err != nil || old.JSON() != `{"b":false,"neg":-1e-7}` {
		t.Errorf("old row = %s, %v", old.JSON(), err)
	}
	if m, err := decodeRefs(""); !m.IsZero() || err != nil {
		t.Errorf("decodeRefs(\"\") = %v, %v", m, err)
	}
	if m, err := decodeAttrs("{}"); !m.IsZero() || err != nil {
		t.Errorf("decodeAttrs({}) = %v, %v; want absent", m, err)
	}
	for _, bad := range []string{"null", "[]", "{", `{"a":1}x`, `"s"`, `{"a":[1]}`} {
		if _, err := decodeAttrs(bad); !errors.Is(err, ErrCorruptRow) {
			t.Errorf("decodeAttrs(%q) = %v, want ErrCorruptRow", bad, err)
		}
	}
	for _, bad := range []string{"null", `{"a":1}`, `{"a":null}x`, `{"Bad":"x"}`} {
		if _, err := decodeRefs(bad); !errors.Is(err, ErrCorruptRow) {
			t.Errorf("decodeRefs(%q) = %v, want ErrCorruptRow", bad, err)
		}
	}
}

// mustRefs and mustAttrs make test records' source_refs and attributes;
// they panic on a map the schema refuses (a test bug).
func mustRefs(m map[string]string) schemas.SourceRefs {
	r, err := schemas.MakeSourceRefs(m)
	if err != nil {
		panic(err)
	}
	return r
}

func mustAttrs(m map[string]any) schemas.Attributes {
	a, err := schemas.MakeAttributes(m)
	if err != nil {
		panic(err)
	}
	return a
}
