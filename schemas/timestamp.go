package schemas

import (
	"errors"
	"strconv"
	"sync/atomic"
	"time"
)

// Timestamp limits: the years the accepted form allows.
const (
	MinYear = 2000
	MaxYear = 2099
)

// timestampExample is quoted in timestamp error messages.
const timestampExample = "2026-03-01T14:05:09Z or 2026-03-01T15:05:09.250+01:00"

// ParseTimestamp parses s in the one form the schema accepts:
// YYYY-MM-DDTHH:MM:SS[.fraction of 1 to 9 digits](Z|+HH:MM|-HH:MM), upper-case
// T and Z, a real calendar date in the years [MinYear]..[MaxYear], hours
// 00-23, minutes and seconds 00-59 (no leap second), offset hours 00-23 and
// minutes 00-59. It is exactly the schema's timestamp pattern (which implies
// the date-time format), and stricter than time.Parse with time.RFC3339,
// which accepts lower-case t and z.
//
// The result is in time.UTC for a zero offset (Z, +00:00 or -00:00) and in a
// fixed, unnamed zone of the given offset otherwise, never in time.Local, so
// it does not depend on the machine's time zone. The error, when not nil,
// says in plain words what is wrong. Safe for concurrent use.
func ParseTimestamp(s string) (time.Time, error) {
	t, reason := parseTimestamp(s)
	if reason != "" {
		return time.Time{}, errors.New(reason)
	}
	return t, nil
}

// parseTimestamp is ParseTimestamp for strings and byte slices; it returns a
// non-empty reason instead of an error so the hot path does not allocate.
func parseTimestamp[T string | []byte](s T) (time.Time, string) {
	const shape = "it must have the form YYYY-MM-DDTHH:MM:SS with an optional fraction of up to 9 digits, then Z or an offset +HH:MM / -HH:MM"
	if len(s) > 10 && s[4] == '-' && s[7] == '-' {
		switch s[10] {
		case 't':
			return time.Time{}, "the T between date and time must be upper-case"
		case ' ':
			return time.Time{}, "date and time must be separated by T, not a space"
		}
		if len(s) >= 16 && s[13] == ':' && (len(s) == 16 || s[16] != ':') {
			return time.Time{}, "seconds are required"
		}
	}
	if len(s) < 20 || s[4] != '-' || s[7] != '-' || s[10] != 'T' || s[13] != ':' || s[16] != ':' {
		return time.Time{}, shape
	}
	year, ok1 := digits(s, 0, 4)
	month, ok2 := digits(s, 5, 2)
	day, ok3 := digits(s, 8, 2)
	hour, ok4 := digits(s, 11, 2)
	minute, ok5 := digits(s, 14, 2)
	sec, ok6 := digits(s, 17, 2)
	if !(ok1 && ok2 && ok3 && ok4 && ok5 && ok6) {
		return time.Time{}, shape
	}
	i := 19
	nsec := 0
	if s[i] == '.' {
		i++
		start := i
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
		}
		n := i - start
		if n == 0 {
			return time.Time{}, "a '.' must be followed by 1 to 9 digits of fraction"
		}
		if n > 9 {
			return time.Time{}, "at most 9 digits of fraction (nanoseconds) are allowed"
		}
		f, _ := digits(s, start, n)
		for ; n < 9; n++ {
			f *= 10
		}
		nsec = f
	}
	if i >= len(s) {
		return time.Time{}, "the offset is missing: end with Z or +HH:MM / -HH:MM"
	}
	offset := 0
	switch s[i] {
	case 'Z':
		i++
	case 'z':
		return time.Time{}, "the Z offset must be upper-case"
	case '+', '-':
		if len(s)-i != 6 || s[i+3] != ':' {
			return time.Time{}, "the offset must be +HH:MM or -HH:MM"
		}
		oh, ok1 := digits(s, i+1, 2)
		om, ok2 := digits(s, i+4, 2)
		if !ok1 || !ok2 {
			return time.Time{}, "the offset must be +HH:MM or -HH:MM"
		}
		if oh > 23 || om > 59 {
			return time.Time{}, "the offset must be between -23:59 and +23:59"
		}
		offset = (oh*60 + om) * 60
		if s[i] == '-' {
			offset = -offset
		}
		i += 6
	default:
		return time.Time{}, "the offset must be Z, +HH:MM or -HH:MM"
	}
	if i != len(s) {
		return time.Time{}, "unexpected characters after the offset"
	}
	if year < MinYear || year > MaxYear {
		return time.Time{}, "the year must be between 2000 and 2099"
	}
	if month < 1 || month > 12 {
		return time.Time{}, "the month must be 01 to 12"
	}
	if day < 1 || day > daysIn(year, month) {
		return time.Time{}, "the day does not exist: " + string(s[:7]) + " has " + strconv.Itoa(daysIn(year, month)) + " days"
	}
	if hour > 23 {
		return time.Time{}, "the hour must be 00 to 23"
	}
	if minute > 59 {
		return time.Time{}, "the minutes must be 00 to 59"
	}
	if sec > 59 {
		return time.Time{}, "the seconds must be 00 to 59 (leap seconds are not accepted)"
	}
	return time.Date(year, time.Month(month), day, hour, minute, sec, nsec, Zone(offset)), ""
}

// digits parses s[at:at+n] as a decimal number of exactly n ASCII digits.
func digits[T string | []byte](s T, at, n int) (int, bool) {
	v := 0
	for i := at; i < at+n; i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		v = v*10 + int(c-'0')
	}
	return v, true
}

// daysIn returns the number of days of month (1-12) in year.
func daysIn(year, month int) int {
	switch month {
	case 2:
		if year%4 == 0 && (year%100 != 0 || year%400 == 0) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}

// maxOffsetMinutes is the largest offset the accepted form can express, 23:59.
const maxOffsetMinutes = 23*60 + 59

// zones caches one fixed zone per whole-minute offset, so decoding does not
// allocate a *time.Location per record.
var zones [2*maxOffsetMinutes + 1]atomic.Pointer[time.Location]

// Zone returns the location ParseTimestamp gives a timestamp whose
// offset is offset seconds east of UTC: time.UTC for 0, else an unnamed
// fixed zone, cached for whole-minute offsets within ±23:59 (so stores
// that read records back do not allocate one per row), made afresh for
// any other offset.
func Zone(offset int) *time.Location {
	if offset == 0 {
		return time.UTC
	}
	if offset%60 != 0 || offset/60 > maxOffsetMinutes || offset/60 < -maxOffsetMinutes {
		return time.FixedZone("", offset)
	}
	slot := &zones[offset/60+maxOffsetMinutes]
	if loc := slot.Load(); loc != nil {
		return loc
	}
	loc := time.FixedZone("", offset)
	slot.CompareAndSwap(nil, loc)
	return slot.Load()
}

// timeProblem returns why t cannot be written in the accepted form, or "".
// The zero time is reported by the caller as missing.
func timeProblem(t time.Time) string {
	_, offset := t.Zone()
	if offset%60 != 0 {
		return "its time zone offset is not a whole number of minutes"
	}
	if offset > maxOffsetMinutes*60 || offset < -maxOffsetMinutes*60 {
		return "its time zone offset is outside -23:59..+23:59"
	}
	if y := t.Year(); y < MinYear || y > MaxYear {
		return "the year must be between 2000 and 2099"
	}
	return ""
}
