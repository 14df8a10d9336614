package connectors

import (
	"math"
	"regexp"
	"strconv"
	"strings"

	"github.com/agentpulse/agentpulse/schemas"
)

// CustomerRule names a field of the platform's record that identifies the
// customer, and what kind of identifier it is (phone, email or external:
// the tenant's own id). A tenant's "customer" rules are tried in order
// before the connector's built-in identifiers; the first that names
// someone gives customer_key. For Twilio they are the only source.
type CustomerRule struct {
	Field string `json:"field"`
	Kind  IDKind `json:"kind"`
}

// SurveyRule turns a field holding a survey answer (such as Amazon
// Connect's survey_result_* contact attributes) into a survey outcome: the
// value must be a number on [ScaleMin, ScaleMax]. ID names the survey in
// the outcome_id ("<interaction_id>/survey/<id>").
type SurveyRule struct {
	Field    string  `json:"field"`
	ID       string  `json:"id"`
	ScaleMin float64 `json:"scale_min"`
	ScaleMax float64 `json:"scale_max"`
}

var surveyIDPattern = regexp.MustCompile(`^[a-z][a-z0-9_]{0,31}$`)

// mappedCustomerKey returns the key of the first customer rule whose field
// names someone, or "".
func mappedCustomerKey(rules []CustomerRule, secret []byte, f Fields) string {
	if len(secret) == 0 {
		return ""
	}
	for _, r := range rules {
		if v, ok := f.Field(r.Field); ok {
			if k := CustomerKey(secret, r.Kind, v); k != "" {
				return k
			}
		}
	}
	return ""
}

// SurveyOutcomes returns the survey outcomes the tenant's survey rules find
// in a mapped record: one per rule whose field holds a number on its
// scale, about it, observed at its ended_at (the record gives no answer
// time), with its revision, so a redelivered record's outcomes replace
// their earlier versions. A value that is absent, not a number or off the
// scale makes no outcome.
func SurveyOutcomes(rules *Rules, f Fields, it *schemas.Interaction) []schemas.Outcome {
	var out []schemas.Outcome
	for _, r := range rules.Surveys {
		v, ok := f.Field(r.Field)
		if !ok {
			continue
		}
		score, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
		if err != nil || math.IsNaN(score) || score < r.ScaleMin || score > r.ScaleMax {
			continue
		}
		o := schemas.Outcome{
			TenantID: it.TenantID, OutcomeID: it.InteractionID + "/survey/" + r.ID, Revision: it.Revision,
			InteractionID: it.InteractionID, Kind: schemas.OutcomeSurvey, ObservedAt: it.EndedAt, Source: it.Source,
			Survey: &schemas.Survey{Score: score, ScaleMin: r.ScaleMin, ScaleMax: r.ScaleMax},
		}
		if o.Validate() == nil { // an interaction id too long for the suffix makes none
			out = append(out, o)
		}
	}
	return out
}

// checkCustomerRules validates the "customer" section.
func checkCustomerRules(rs []CustomerRule, path string, p *problems) []CustomerRule {
	out := make([]CustomerRule, 0, len(rs))
	for i, r := range rs {
		at := path + "[" + strconv.Itoa(i) + "]"
		ok := checkField(r.Field, at+".field", p)
		switch r.Kind {
		case IDPhone, IDEmail, IDExternal:
		default:
			p.add(at+".kind", "must be phone, email or external, got %q", r.Kind)
			ok = false
		}
		if ok {
			out = append(out, r)
		}
	}
	return out
}

// checkSurveyRules validates the "surveys" section.
func checkSurveyRules(rs []SurveyRule, path string, p *problems) []SurveyRule {
	out := make([]SurveyRule, 0, len(rs))
	seen := map[string]bool{}
	for i, r := range rs {
		at := path + "[" + strconv.Itoa(i) + "]"
		ok := checkField(r.Field, at+".field", p)
		if !surveyIDPattern.MatchString(r.ID) || seen[r.ID] {
			p.add(at+".id", "must be a unique name of 1 to 32 lower-case letters, digits or '_', starting with a letter (e.g. \"csat\"), got %q", r.ID)
			ok = false
		}
		seen[r.ID] = true
		if !(r.ScaleMin < r.ScaleMax) || r.ScaleMin < -schemas.MaxSurveyNumber || r.ScaleMax > schemas.MaxSurveyNumber {
			p.add(at, "needs scale_min < scale_max, both between -1000 and 1000 (e.g. 1 and 5)")
			ok = false
		}
		if ok {
			out = append(out, r)
		}
	}
	return out
}
