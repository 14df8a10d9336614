package schemas

import (
	"fmt"
	"testing"
	"time"
)

func TestParseTimestamp(t *testing.T) {
	tests := []struct {
		in      string
		want    string // RFC3339Nano of the result, "" when an error is expected
		wantOff int
	}{
		{"2026-03-01T14:05:09Z", "2026-03-01T14:05:09Z", 0},
		{"2026-03-01T14:05:09+00:00", "2026-03-01T14:05:09Z", 0},
		{"2026-03-01T14:05:09-00:00", "2026-03-01T14:05:09Z", 0},
		{"2026-03-01T14:05:09.5+05:30", "2026-03-01T14:05:09.5+05:30", 19800},
		{"2026-03-01T14:05:09.000000001-23:59", "2026-03-01T14:05:09.000000001-23:59", -86340},
		{"2028-02-29T00:00:00Z", "2028-02-29T00:00:00Z", 0},
		{"2000-02-29T00:00:00Z", "2000-02-29T00:00:00Z", 0},
		{"2099-12-31T23:59:59.999999999Z", "2099-12-31T23:59:59.999999999Z", 0},
		{"2027-02-29T00:00:00Z", "", 0},
		{"2100-02-29T00:00:00Z", "", 0},
		{"1999-12-31T23:59:59Z", "", 0},
		{"2026-02-30T00:00:00Z", "", 0},
		{"2026-03-01T24:00:00Z", "", 0},
		{"2026-03-01T23:59:60Z", "", 0},
		{"2026-03-01t14:05:09Z", "", 0},
		{"2026-03-01T14:05:09z", "", 0},
		{"2026-03-01T14:05Z", "", 0},
		{"2026-03-01T14:05:09", "", 0},
		{"2026-03-01T14:05:09.Z", "", 0},
		{"2026-03-01T14:05:09.1234567890Z", "", 0},
		{"2026-03-01T14:05:09+24:00", "", 0},
		{"2026-03-01T14:05:09+01", "", 0},
		{"2026-03-01T14:05:09Z ", "", 0},
		{" 2026-03-01T14:05:09Z", "", 0},
		{"+026-03-01T14:05:09Z", "", 0},
		{"２026-03-01T14:05:09Z", "", 0},
		{"", "", 0},
	}
	for _, tt := range tests {
		got, err := ParseTimestamp(tt.in)
		if tt.want == "" {
			if err == nil {
				t.Errorf("ParseTimestamp(%q) = %v, want an error", tt.in, got)
			}
			continue
		}
		if err != nil {
			t.Errorf("ParseTimestamp(%q): %v", tt.in, err)
			continue
		}
		_, off := got.Zone()
		if s := got.Format(time.RFC3339Nano); s != tt.want || off != tt.wantOff {
			t.Errorf("ParseTimestamp(%q) = %s (offset %d), want %s (offset %d)", tt.in, s, off, tt.want, tt.wantOff)
		}
		if got.Location() == time.Local {
			t.Errorf("ParseTimestamp(%q) returned time.Local", tt.in)
		}
	}
}

// TestParseTimestampEveryDay compares ParseTimestamp with the schema's
// pattern and with time.Date for every month and day number 00..32 of every
// year the form allows, plus the years just outside.
func TestParseTimestampEveryDay(t *testing.T) {
	for year := MinYear - 1; year <= MaxYear+1; year++ {
		for month := 0; month <= 13; month++ {
			for day := 0; day <= 32; day++ {
				s := fmt.Sprintf("%04d-%02d-%02dT12:00:00Z", year, month, day)
				_, err := ParseTimestamp(s)
				real := year >= MinYear && year <= MaxYear && month >= 1 && month <= 12 && day >= 1 &&
					time.Date(year, time.Month(month), day, 0, 0, 0, 0, time.UTC).Day() == day
				if (err == nil) != real {
					t.Fatalf("ParseTimestamp(%s) err=%v, real date=%v", s, err, real)
				}
				if timestampPattern.MatchString(s) != real {
					t.Fatalf("schema pattern on %s = %v, real date=%v", s, !real, real)
				}
			}
		}
	}
}

func TestZoneForCaches(t *testing.T) {
	if Zone(0) != time.UTC {
		t.Error("Zone(0) is not UTC")
	}
	a, b := Zone(-5*3600), Zone(-5*3600)
	if a != b {
		t.Error("Zone does not cache")
	}
	if _, off := time.Date(2026, 1, 1, 0, 0, 0, 0, a).Zone(); off != -5*3600 {
		t.Errorf("offset %d", off)
	}
}

func BenchmarkParseTimestamp(b *testing.B) {
	s := []byte("2026-03-01T14:05:09.123456+05:30")
	b.ReportAllocs()
	for b.Loop() {
		if _, r := parseTimestamp(s); r != "" {
			b.Fatal(r)
		}
	}
}
