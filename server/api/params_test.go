package api

import (
	"errors"
	"net/url"
	"testing"

	"github.com/agentpulse/agentpulse/views"
)

// TestParseQuery is a hand-written table of parameter sets.
func TestParseQuery(t *testing.T) {
	cases := []struct {
		raw   string
		field string // "" when valid
	}{
		{"model=voice", ""},
		{"model=voice&range=24h&sort=aht&order=desc", ""},
		{"model=voice&from=2026-10-01T00:00:00%2B02:00&to=2026-10-02T00:00:00Z", ""},
		{"model=voice&from=2026-10-01T00:00:00+02:00&to=2026-10-02T00:00:00Z", ""},
		{"", "model"},
		{"model=v" + string(make([]byte, 40)), "model"},
		{"model=9voice", "model"},
		{"model=voice&range=3M", "range"},
		{"model=voice&sort=AES", "sort"},
		{"model=voice&from=1969-12-31T23:00:00Z&to=2026-10-02T00:00:00Z", "from"},
	}
	for _, c := range cases {
		q, _ := url.ParseQuery(c.raw)
		_, err := parseQuery(q, true)
		var fe *views.FieldError
		switch {
		case c.field == "" && err != nil:
			t.Errorf("%q: %v", c.raw, err)
		case c.field != "" && (!errors.As(err, &fe) || fe.Field != c.field):
			t.Errorf("%q: err %v, want field %q", c.raw, err, c.field)
		}
	}
}

// FuzzParseQuery checks that any query string and path values are either
// accepted or refused with a *views.FieldError naming a parameter, and
// never panic.
func FuzzParseQuery(f *testing.F) {
	f.Add("model=voice&range=3m&sort=aes&order=asc", "a1", "billing")
	f.Add("model=email&from=2026-01-01T00:00:00Z&to=2026-02-01T00:00:00Z", "agent-01", "x y")
	f.Add("model=&range=&from=%ZZ", "", "\x00")
	f.Add("model=chat&from=0001-01-01T00:00:00Z&to=9999-01-01T00:00:00Z", "-a", "\xff")
	fields := map[string]bool{"model": true, "range": true, "from": true, "to": true, "sort": true, "order": true}
	f.Fuzz(func(t *testing.T, raw, id, inquiry string) {
		q, _ := url.ParseQuery(raw)
		got, err := parseQuery(q, true)
		var fe *views.FieldError
		if err != nil {
			if !errors.As(err, &fe) || !fields[fe.Field] || fe.Message == "" {
				t.Fatalf("error %#v is not a FieldError naming a parameter", err)
			}
		} else if got.model == "" || got.rng.Custom && !got.rng.From.Before(got.rng.To) {
			t.Fatalf("accepted %+v", got)
		}
		if err := checkID("agent", id); err != nil && (!errors.As(err, &fe) || fe.Field != "agent") {
			t.Fatalf("checkID error %#v", err)
		}
		if err := checkInquiry(inquiry); err != nil && (!errors.As(err, &fe) || fe.Field != "inquiry") {
			t.Fatalf("checkInquiry error %#v", err)
		}
	})
}
