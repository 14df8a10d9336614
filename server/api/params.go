package api

import (
	"fmt"
	"net/url"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/agentpulse/agentpulse/schemas"
	"github.com/agentpulse/agentpulse/views"
)

// Bounds of a custom range: outside them no interaction can exist (the
// canonical schema admits years 2000-2099) and some stores cannot
// represent the time (ClickHouse DateTime starts in 1970).
var (
	minRangeTime = time.Date(1970, 1, 1, 0, 0, 0, 0, time.UTC)
	maxRangeTime = time.Date(2100, 1, 1, 0, 0, 0, 0, time.UTC)
)

// query is the parsed query string of the model-scoped routes.
type query struct {
	model string
	rng   views.RangeSpec
	sort  views.SortSpec
}

// parseQuery reads model (required), range or from/to and, when
// withSort, sort and order. Every error is a *views.FieldError naming
// the parameter.
func parseQuery(q url.Values, withSort bool) (query, error) {
	var out query
	out.model = q.Get("model")
	if err := checkModel(out.model); err != nil {
		return query{}, err
	}
	rng, err := views.RangeSpecFromQuery(q)
	if err != nil {
		return query{}, err
	}
	if rng.Custom {
		if rng.From.Before(minRangeTime) {
			return query{}, &views.FieldError{Field: "from", Message: "must be on or after 1970-01-01T00:00:00Z"}
		}
		if rng.To.After(maxRangeTime) {
			return query{}, &views.FieldError{Field: "to", Message: "must be on or before 2100-01-01T00:00:00Z"}
		}
	}
	out.rng = rng
	if withSort {
		if out.sort, err = views.ParseSort(q.Get("sort"), q.Get("order")); err != nil {
			return query{}, err
		}
	}
	return out, nil
}

// checkModel applies the canonical schema's rule for model: 1 to 32 of
// a-z 0-9 _ -, starting with a letter.
func checkModel(m string) error {
	if m == "" {
		return &views.FieldError{Field: "model", Message: "is required (for example model=voice)"}
	}
	if !schemas.ValidModel(m) {
		return &views.FieldError{Field: "model", Message: "must be 1 to 32 of the lower-case letters a-z, digits, '_' or '-', starting with a letter; got " + clip(m)}
	}
	return nil
}

// checkID applies the canonical schema's id rule (agent_id, team_id) to
// the path parameter field: 1 to 128 of A-Z a-z 0-9 . _ @ -, starting
// with a letter or digit.
func checkID(field, s string) error {
	if !schemas.ValidID(s) {
		return &views.FieldError{Field: field, Message: "must be 1 to 128 of the letters A-Z or a-z, digits, '.', '_', '@' or '-', starting with a letter or digit; got " + clip(s)}
	}
	return nil
}

// checkInquiry applies the canonical schema's inquiry rule: 1 to 128 code
// points of valid UTF-8 without control characters.
func checkInquiry(s string) error { return checkText("inquiry", s, 128) }

// checkText applies field's text rule: 1 to maxRunes code points of valid
// UTF-8 without control characters.
func checkText(field, s string, maxRunes int) error {
	bad := func(msg string) error { return &views.FieldError{Field: field, Message: msg + "; got " + clip(s)} }
	if !utf8.ValidString(s) {
		return bad("must be valid UTF-8")
	}
	n := utf8.RuneCountInString(s)
	if n < 1 || n > maxRunes {
		return bad(fmt.Sprintf("must be 1 to %d characters, got %d", maxRunes, n))
	}
	for _, r := range s {
		if r <= 0x1F || r >= 0x7F && r <= 0x9F {
			return bad("must not contain control characters")
		}
	}
	return nil
}

// clip quotes s for an error message, cut to 48 bytes.
func clip(s string) string {
	if len(s) > 48 {
		s = s[:48] + "…"
	}
	return strconv.Quote(s)
}
