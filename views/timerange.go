package views

import (
	"fmt"
	"net/url"
	"strings"
	"time"
)

// Preset is a named range ending at the model's latest available data.
type Preset string

// The presets of the API's range parameter.
const (
	Preset3M  Preset = "3m"  // last 3 calendar months (the default)
	Preset1M  Preset = "1m"  // last calendar month
	Preset1W  Preset = "1w"  // last 7 × 24 hours
	Preset24H Preset = "24h" // last 24 hours
)

// DefaultPreset is the range used when a request names none.
const DefaultPreset = Preset3M

// RangeSpec is a requested time range before resolution: a preset, or a
// custom From/To. The zero value means the default preset (3m).
type RangeSpec struct {
	// Preset is the named range; empty means DefaultPreset unless Custom.
	Preset Preset
	// From and To bound a custom range; both set when Custom.
	From, To time.Time
	// Custom is true when the range was given as from/to.
	Custom bool
}

// Range is a resolved, hour-aligned, half-open interval [From, To) in UTC.
// An interaction is in the range when From ≤ ended_at < To.
type Range struct {
	From time.Time `json:"from"`
	To   time.Time `json:"to"`
}

// Contains reports whether From ≤ t < To.
func (r Range) Contains(t time.Time) bool { return !t.Before(r.From) && t.Before(r.To) }

// ParseRangeSpec parses the API's range parameters: range (a preset:
// 3m, 1m, 1w or 24h) or from and to (RFC 3339, both required together,
// from < to). Empty strings count as absent; nothing given is the default
// 3m. Every error is a *FieldError naming "range", "from" or "to". A space
// where an RFC 3339 offset's "+" belongs (an unescaped "+" in a query
// string) is read as "+".
func ParseRangeSpec(rng, from, to string) (RangeSpec, error) {
	if rng != "" && (from != "" || to != "") {
		return RangeSpec{}, fieldErr("range", "give either range or from and to, not both")
	}
	if rng != "" {
		switch p := Preset(rng); p {
		case Preset3M, Preset1M, Preset1W, Preset24H:
			return RangeSpec{Preset: p}, nil
		}
		return RangeSpec{}, fieldErr("range", fmt.Sprintf("must be one of 3m, 1m, 1w, 24h; got %q", clip(rng)))
	}
	if from == "" && to == "" {
		return RangeSpec{Preset: DefaultPreset}, nil
	}
	if from == "" {
		return RangeSpec{}, fieldErr("from", "is required when to is given")
	}
	if to == "" {
		return RangeSpec{}, fieldErr("to", "is required when from is given")
	}
	f, err := parseTimeField("from", from)
	if err != nil {
		return RangeSpec{}, err
	}
	t, err := parseTimeField("to", to)
	if err != nil {
		return RangeSpec{}, err
	}
	if !f.Before(t) {
		return RangeSpec{}, fieldErr("to", "must be after from")
	}
	return RangeSpec{From: f, To: t, Custom: true}, nil
}

// RangeSpecFromQuery is ParseRangeSpec over the query parameters "range",
// "from" and "to".
func RangeSpecFromQuery(q url.Values) (RangeSpec, error) {
	return ParseRangeSpec(q.Get("range"), q.Get("from"), q.Get("to"))
}

func parseTimeField(field, s string) (time.Time, error) {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil && strings.Count(s, " ") == 1 {
		if t2, err2 := time.Parse(time.RFC3339, strings.Replace(s, " ", "+", 1)); err2 == nil {
			return t2.UTC(), nil
		}
	}
	if err != nil {
		return time.Time{}, fieldErr(field, fmt.Sprintf("must be an RFC 3339 time such as 2026-01-31T09:00:00Z (escape + as %%2B); got %q", clip(s)))
	}
	return t.UTC(), nil
}

// Resolve turns the spec into a Range given the model's latest available
// data L (the newest ended_at of that tenant and model):
//
//   - presets end at To = FloorHour(L) + 1h, so the hour holding L is whole
//     and included, and start at To.AddDate(0,-3,0) for 3m,
//     To.AddDate(0,-1,0) for 1m, To − 7×24h for 1w and To − 24h for 24h,
//     all in UTC (AddDate normalises: 31 May − 3 months is 3 March);
//   - custom ranges ignore L and are widened to whole hours: From floored,
//     To ceiled.
//
// Every range is therefore a whole number of UTC hours, which is what lets
// a store answer it exactly from hourly buckets.
func (s RangeSpec) Resolve(latest time.Time) Range {
	if s.Custom {
		return Range{From: FloorHour(s.From), To: CeilHour(s.To)}
	}
	to := FloorHour(latest).Add(time.Hour)
	var from time.Time
	switch s.Preset {
	case Preset1M:
		from = to.AddDate(0, -1, 0)
	case Preset1W:
		from = to.Add(-7 * 24 * time.Hour)
	case Preset24H:
		from = to.Add(-24 * time.Hour)
	default:
		from = to.AddDate(0, -3, 0)
	}
	return Range{From: from, To: to}
}

// FloorHour returns t in UTC truncated to the hour.
func FloorHour(t time.Time) time.Time { return t.UTC().Truncate(time.Hour) }

// CeilHour returns t in UTC rounded up to the hour (t itself when already
// on an hour).
func CeilHour(t time.Time) time.Time {
	f := FloorHour(t)
	if f.Equal(t) {
		return f
	}
	return f.Add(time.Hour)
}
