package views

import (
	"errors"
	"testing"
	"time"
)

func utc(s string) time.Time {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		panic(err)
	}
	return t.UTC()
}

func TestRangePresetsAnchoredAtLatestData(t *testing.T) {
	cases := []struct {
		preset   string
		latest   string
		from, to string
	}{
		// The hour holding L is whole and included: to = 14:00 + 1h.
		// 3m: 31 May − 3 months = "31 Feb" = 3 March (2026 is not a leap year).
		{"3m", "2026-05-31T13:45:10Z", "2026-03-03T14:00:00Z", "2026-05-31T14:00:00Z"},
		{"", "2026-05-31T13:45:10Z", "2026-03-03T14:00:00Z", "2026-05-31T14:00:00Z"},
		// 1m: "31 April" = 1 May.
		{"1m", "2026-05-31T13:45:10Z", "2026-05-01T14:00:00Z", "2026-05-31T14:00:00Z"},
		{"1w", "2026-05-31T13:45:10Z", "2026-05-24T14:00:00Z", "2026-05-31T14:00:00Z"},
		{"24h", "2026-05-31T13:45:10Z", "2026-05-30T14:00:00Z", "2026-05-31T14:00:00Z"},
		// L exactly on the hour: that hour is included, so to = L + 1h.
		{"24h", "2026-05-31T14:00:00Z", "2026-05-30T15:00:00Z", "2026-05-31T15:00:00Z"},
		// L with an offset is anchored in UTC: 01:30+02:00 = 23:30Z.
		{"24h", "2026-05-31T01:30:00+02:00", "2026-05-30T00:00:00Z", "2026-05-31T00:00:00Z"},
		// Leap year: 2028-05-31 − 3 months = "31 Feb" = 2 March.
		{"3m", "2028-05-31T00:10:00Z", "2028-03-02T01:00:00Z", "2028-05-31T01:00:00Z"},
	}
	for _, c := range cases {
		spec, err := ParseRangeSpec(c.preset, "", "")
		if err != nil {
			t.Fatal(err)
		}
		got := spec.Resolve(utc(c.latest))
		if !got.From.Equal(utc(c.from)) || !got.To.Equal(utc(c.to)) || got.From.Location() != time.UTC {
			t.Errorf("%q at %s = [%s, %s), want [%s, %s)", c.preset, c.latest, got.From, got.To, c.from, c.to)
		}
		if !got.Contains(utc(c.latest)) {
			t.Errorf("range %v does not contain the latest data %s", got, c.latest)
		}
	}
}

func TestRangeContainsIsHalfOpen(t *testing.T) {
	r := Range{From: utc("2026-01-01T00:00:00Z"), To: utc("2026-01-02T00:00:00Z")}
	for s, want := range map[string]bool{
		"2026-01-01T00:00:00Z":           true,
		"2025-12-31T23:59:59.999999999Z": false,
		"2026-01-01T23:59:59.999999999Z": true,
		"2026-01-02T00:00:00Z":           false,
		"2026-01-02T01:00:00+01:00":      false, // = 00:00Z
		"2026-01-02T00:59:00+01:00":      true,
	} {
		if got := r.Contains(utc(s)); got != want {
			t.Errorf("Contains(%s) = %v, want %v", s, got, want)
		}
	}
}

func TestCustomRangeHourAlignment(t *testing.T) {
	cases := []struct {
		from, to         string
		wantFrom, wantTo string
	}{
		{"2026-01-01T10:15:00Z", "2026-01-01T12:00:00Z", "2026-01-01T10:00:00Z", "2026-01-01T12:00:00Z"},
		{"2026-01-01T10:00:00Z", "2026-01-01T12:00:01Z", "2026-01-01T10:00:00Z", "2026-01-01T13:00:00Z"},
		{"2026-01-01T10:15:00+01:00", "2026-01-01T10:16:00+01:00", "2026-01-01T09:00:00Z", "2026-01-01T10:00:00Z"},
		{"2026-01-01T10:00:00.5Z", "2026-01-01T10:00:00.6Z", "2026-01-01T10:00:00Z", "2026-01-01T11:00:00Z"},
		// "+" decoded as a space from an unescaped query string.
		{"2026-01-01T10:15:00 01:00", "2026-01-01T11:00:00Z", "2026-01-01T09:00:00Z", "2026-01-01T11:00:00Z"},
	}
	latest := utc("2030-01-01T00:00:00Z") // ignored by custom ranges
	for _, c := range cases {
		spec, err := ParseRangeSpec("", c.from, c.to)
		if err != nil {
			t.Fatalf("ParseRangeSpec(%s, %s): %v", c.from, c.to, err)
		}
		got := spec.Resolve(latest)
		if !got.From.Equal(utc(c.wantFrom)) || !got.To.Equal(utc(c.wantTo)) {
			t.Errorf("[%s, %s) resolved to [%s, %s), want [%s, %s)", c.from, c.to, got.From, got.To, c.wantFrom, c.wantTo)
		}
	}
}

func TestParseRangeSpecErrors(t *testing.T) {
	cases := []struct {
		rng, from, to string
		field         string
	}{
		{"2m", "", "", "range"},
		{"3M", "", "", "range"},
		{"3m", "2026-01-01T00:00:00Z", "", "range"},
		{"1w", "", "2026-01-01T00:00:00Z", "range"},
		{"", "2026-01-01T00:00:00Z", "", "to"},
		{"", "", "2026-01-01T00:00:00Z", "from"},
		{"", "yesterday", "2026-01-01T00:00:00Z", "from"},
		{"", "2026-01-01", "2026-01-02T00:00:00Z", "from"},
		{"", "2026-01-01T00:00:00Z", "2026-13-01T00:00:00Z", "to"},
		{"", "2026-01-01T00:00:00Z", "2026-01-01T00:00:00Z", "to"}, // from == to
		{"", "2026-01-02T00:00:00Z", "2026-01-01T00:00:00Z", "to"}, // from > to
	}
	for _, c := range cases {
		_, err := ParseRangeSpec(c.rng, c.from, c.to)
		if firstField(err) != c.field || !errors.Is(err, ErrInvalidInput) {
			t.Errorf("ParseRangeSpec(%q, %q, %q) = %v; want field %q", c.rng, c.from, c.to, err, c.field)
		}
	}
	spec, err := ParseRangeSpec("", "", "")
	if err != nil || spec.Preset != Preset3M || spec.Custom {
		t.Errorf("default = %+v, %v", spec, err)
	}
}

func FuzzParseRangeSpec(f *testing.F) {
	f.Add("", "", "")
	f.Add("3m", "", "")
	f.Add("24h", "", "")
	f.Add("", "2026-01-01T10:15:00Z", "2026-01-01T12:00:00+01:00")
	f.Add("", "2026-01-01T10:15:00.123456789Z", "2026-01-01T10:15:00.123456790Z")
	f.Add("", "0001-01-01T00:00:00Z", "9999-12-31T23:59:59Z")
	f.Add("", "2026-01-01T10:15:00 01:00", "x")
	f.Fuzz(func(t *testing.T, rng, from, to string) {
		spec, err := ParseRangeSpec(rng, from, to)
		if err != nil {
			switch firstField(err) {
			case "range", "from", "to":
			default:
				t.Fatalf("error %v names no known field", err)
			}
			return
		}
		if spec.Custom && !spec.From.Before(spec.To) {
			t.Fatalf("accepted from %v not before to %v", spec.From, spec.To)
		}
		r := spec.Resolve(time.Date(2026, 5, 31, 13, 45, 10, 0, time.UTC))
		if !r.From.Before(r.To) || !r.From.Equal(FloorHour(r.From)) || !r.To.Equal(FloorHour(r.To)) {
			t.Fatalf("resolved %v is empty or not hour-aligned", r)
		}
		if spec.Custom && (r.From.After(spec.From) || r.To.Before(spec.To)) {
			t.Fatalf("resolved %v does not cover [%v, %v)", r, spec.From, spec.To)
		}
	})
}
