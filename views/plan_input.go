package views

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

// PlanInput is the body of POST /v1/agents/{agent}/plans.
type PlanInput struct {
	Model          string   `json:"model"`
	Inquiry        string   `json:"inquiry"`
	Metric         Metric   `json:"metric"`
	ImprovementPct float64  `json:"improvement_pct"`
	TargetDate     string   `json:"target_date"` // YYYY-MM-DD
	Actions        []string `json:"actions"`
	Assistance     []string `json:"assistance"`
}

// Normalized returns a copy with every action and assistance entry trimmed
// of surrounding white space: the form that is validated and stored.
func (in PlanInput) Normalized() PlanInput {
	in.Actions = trimAll(in.Actions)
	in.Assistance = trimAll(in.Assistance)
	return in
}

func trimAll(ss []string) []string {
	if ss == nil {
		return nil
	}
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = strings.TrimSpace(s)
	}
	return out
}

// ValidatePlan checks a plan input against every rule of DESIGN.md §1 at
// instant now and returns every broken rule at once (err is a FieldErrors,
// nil when the plan is accepted) and the warnings of an accepted or refused
// plan. modelMetrics are the metrics the tenant's model has (ModelMetrics;
// empty when the model has no data); haveStart reports whether the agent
// has a Start value (the metric over StartWindow) for the model, inquiry
// and metric. The rules, by field:
//
//   - model: required; must have data (non-empty modelMetrics).
//   - inquiry: required; there must be data to start from (haveStart),
//     checked only when model and metric are themselves fine.
//   - metric: one of aes, aht, psat, pres, and one the model has ("the
//     email model has no predicted satisfaction").
//   - improvement_pct: between 5 and 50, inclusive.
//   - target_date: a real date YYYY-MM-DD strictly after today (UTC).
//     Accepted with a warning when fewer than 14 days away or later than
//     today.AddDate(0, 3, 0).
//   - actions: 1 to 3 entries; each 1 to 500 characters after trimming
//     (field "actions[i]", 0-based).
//   - assistance: 1 to 3 entries; each 1 to 200 characters after trimming.
func ValidatePlan(in PlanInput, now time.Time, modelMetrics []Metric, haveStart bool) (warnings []*FieldError, err error) {
	var errs FieldErrors
	add := func(field, msg string) { errs = append(errs, fieldErr(field, msg)) }

	modelOK := false
	switch {
	case in.Model == "":
		add("model", "is required")
	case len(modelMetrics) == 0:
		add("model", fmt.Sprintf("there is no data for model %q", clip(in.Model)))
	default:
		modelOK = true
	}
	metricOK := false
	if _, e := ParseMetric(string(in.Metric)); e != nil {
		errs = append(errs, e.(*FieldError))
	} else if modelOK && !HasMetric(modelMetrics, in.Metric) {
		add("metric", fmt.Sprintf("the %s model has no %s; choose one of %s", in.Model, in.Metric.Describe(), joinMetrics(modelMetrics)))
	} else {
		metricOK = true
	}
	switch {
	case in.Inquiry == "":
		add("inquiry", "is required")
	case modelOK && metricOK && !haveStart:
		add("inquiry", fmt.Sprintf("no data to start from: you have no %s interactions on %q with a %s in the 3 months before today", in.Model, clip(in.Inquiry), in.Metric.Describe()))
	}
	if p := in.ImprovementPct; !(p >= MinImprovementPct && p <= MaxImprovementPct) {
		add("improvement_pct", fmt.Sprintf("must be between %d and %d percent (inclusive); got %g", MinImprovementPct, MaxImprovementPct, p))
	}
	warnings = checkTargetDate(in.TargetDate, now, add)
	checkEntries("actions", "action", in.Actions, MaxActionLen, add)
	checkEntries("assistance", "request for help", in.Assistance, MaxAssistanceLen, add)
	if len(errs) > 0 {
		return warnings, errs
	}
	return warnings, nil
}

func checkTargetDate(s string, now time.Time, add func(field, msg string)) (warnings []*FieldError) {
	if s == "" {
		add("target_date", "is required, as YYYY-MM-DD")
		return nil
	}
	d, err := ParseDate(s)
	if err != nil {
		add("target_date", fmt.Sprintf("must be a calendar date as YYYY-MM-DD, such as 2027-01-15; got %q", clip(s)))
		return nil
	}
	today := UTCDate(now)
	if !d.After(today) {
		add("target_date", fmt.Sprintf("must be after today (%s, UTC); got %s", today.Format(DateLayout), s))
		return nil
	}
	if d.Before(today.AddDate(0, 0, WarnSoonerThanDays)) {
		warnings = append(warnings, fieldErr("target_date", "is less than 2 weeks away; there may be too few interactions to show progress"))
	}
	if d.After(today.AddDate(0, WarnLaterThanMonths, 0)) {
		warnings = append(warnings, fieldErr("target_date", "is more than 3 months away; a nearer target keeps the plan focused"))
	}
	return warnings
}

func checkEntries(field, what string, entries []string, maxLen int, add func(field, msg string)) {
	switch n := len(entries); {
	case n == 0:
		add(field, fmt.Sprintf("add at least one %s (at most %d)", what, MaxPlanEntries))
		return
	case n > MaxPlanEntries:
		add(field, fmt.Sprintf("at most %d entries; got %d", MaxPlanEntries, n))
		return
	}
	for i, e := range entries {
		f := fmt.Sprintf("%s[%d]", field, i)
		switch n := utf8.RuneCountInString(strings.TrimSpace(e)); {
		case n == 0:
			add(f, fmt.Sprintf("%s %d is empty", what, i+1))
		case n > maxLen:
			add(f, fmt.Sprintf("%s %d is %d characters long; at most %d", what, i+1, n, maxLen))
		}
	}
}

func joinMetrics(ms []Metric) string {
	s := make([]string, len(ms))
	for i, m := range ms {
		s[i] = string(m)
	}
	return strings.Join(s, ", ")
}

// DecodePlanInput strictly decodes one JSON object into a PlanInput. It
// refuses what is not one JSON object (field "body"), trailing data (field
// "body"), unknown fields (naming the field) and values of the wrong type
// (naming the field and the expected type). It does not apply the plan
// rules: call ValidatePlan on the Normalized result.
func DecodePlanInput(data []byte) (PlanInput, error) {
	var in PlanInput
	if !utf8.Valid(data) {
		return PlanInput{}, fieldErr("body", "is not valid UTF-8")
	}
	trimmed := bytes.TrimSpace(data)
	if len(trimmed) == 0 || trimmed[0] != '{' {
		return PlanInput{}, fieldErr("body", "must be a JSON object")
	}
	// encoding/json matches field names case-insensitively; the API's
	// names are exact, so check them first.
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(data, &raw); err == nil {
		for _, name := range slices.Sorted(maps.Keys(raw)) {
			if !slices.Contains(planFields, name) {
				return PlanInput{}, unknownField(name)
			}
		}
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&in); err != nil {
		return PlanInput{}, decodeError(err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return PlanInput{}, fieldErr("body", "must hold exactly one JSON object; found more after it")
	}
	return in, nil
}

func decodeError(err error) error {
	var typeErr *json.UnmarshalTypeError
	if errors.As(err, &typeErr) && typeErr.Field != "" {
		field, _, _ := strings.Cut(typeErr.Field, ".")
		return fieldErr(field, "must be "+expectedType(field))
	}
	if name, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
		return unknownField(strings.Trim(name, `"`))
	}
	return &FieldError{Field: "body", Message: "is not valid JSON: " + err.Error()}
}

// planFields are the JSON names of PlanInput.
var planFields = []string{"model", "inquiry", "metric", "improvement_pct", "target_date", "actions", "assistance"}

func unknownField(name string) *FieldError {
	if name == "" {
		return fieldErr("body", "has a field with an empty name")
	}
	return fieldErr(clip(name), "is not a plan field; allowed: "+strings.Join(planFields, ", "))
}

func expectedType(field string) string {
	switch field {
	case "improvement_pct":
		return "a number"
	case "actions", "assistance":
		return "an array of strings"
	}
	return "a string"
}
