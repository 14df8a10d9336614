package connectors

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/agentpulse/agentpulse/schemas"
)

// Mapping holds every tenant's [Rules]: how a platform record becomes a
// model, an inquiry, a team and predictions. Load it with [LoadMapping] or
// [ParseMapping]; the zero value and nil map every tenant with
// [BuiltinRules]. A Mapping is immutable and safe for concurrent use; to
// change it, load a new one.
type Mapping struct {
	fallback *Rules
	tenants  map[string]*Rules
}

// For returns the tenant's rules: its own entry of the file, else the file's
// "default", else [BuiltinRules]. Never nil.
func (m *Mapping) For(tenant string) *Rules {
	if m == nil {
		return builtin
	}
	if r, ok := m.tenants[tenant]; ok {
		return r
	}
	if m.fallback != nil {
		return m.fallback
	}
	return builtin
}

// Tenants returns how many tenants have their own rules.
func (m *Mapping) Tenants() int {
	if m == nil {
		return 0
	}
	return len(m.tenants)
}

// Rules is one tenant's resolved mapping. Every section is filled (from the
// tenant, the file's default or the built-in default). Immutable.
type Rules struct {
	// Channels maps an upper-cased platform channel (VOICE, CHAT, TASK,
	// EMAIL, sms, …) to a model.
	Channels map[string]string
	// DefaultModel is the model of a channel Channels does not list; empty
	// makes such a record unmappable.
	DefaultModel string
	// NoPredictions lists models that never carry predictions (email: they
	// cannot be predicted from the inbound message).
	NoPredictions map[string]bool
	// Inquiry holds the ordered inquiry rules; the first match wins.
	Inquiry []InquiryRule
	// DefaultInquiry is the inquiry when no rule matches.
	DefaultInquiry string
	// Team says where team_id comes from.
	Team TeamRule
	// Satisfaction and Resolution rescale a record's field into
	// predicted_satisfaction and predicted_resolution; nil for none.
	Satisfaction, Resolution *Rescale
	// Customer lists fields that identify the customer, tried before the
	// connector's own; none by default.
	Customer []CustomerRule
	// Surveys turns fields holding survey answers into survey outcomes
	// (SurveyOutcomes); none by default.
	Surveys []SurveyRule
}

// InquiryRule classifies a record by one field. Exactly one of Equals,
// Prefix, Contains and Present is set, and exactly one of Inquiry and
// FromValue. Text comparisons ignore case.
type InquiryRule struct {
	Field     string   `json:"field"`
	Equals    []string `json:"equals,omitempty"`
	Prefix    string   `json:"prefix,omitempty"`
	Contains  string   `json:"contains,omitempty"`
	Present   bool     `json:"present,omitempty"`
	Inquiry   string   `json:"inquiry,omitempty"`
	FromValue bool     `json:"inquiry_from_value,omitempty"`
}

// match returns the inquiry r gives the record, if it matches.
func (r *InquiryRule) match(f Fields) (string, bool) {
	v, ok := f.Field(r.Field)
	if !ok {
		return "", false
	}
	hit := false
	switch {
	case r.Present:
		hit = true
	case r.Prefix != "":
		hit = len(v) >= len(r.Prefix) && strings.EqualFold(v[:len(r.Prefix)], r.Prefix)
	case r.Contains != "":
		hit = strings.Contains(strings.ToLower(v), strings.ToLower(r.Contains))
	default:
		for _, e := range r.Equals {
			if strings.EqualFold(v, e) {
				hit = true
				break
			}
		}
	}
	if !hit {
		return "", false
	}
	if !r.FromValue {
		return r.Inquiry, true
	}
	v = strings.TrimSpace(v)
	return v, schemas.ValidInquiry(v)
}

// TeamRule says where team_id comes from: the first of Fields that is
// present, translated by Map when listed there and otherwise made an id by
// [NormalizeID]; Default when none gives an id.
type TeamRule struct {
	Fields  []string          `json:"fields"`
	Map     map[string]string `json:"map,omitempty"`
	Default string            `json:"default"`
}

func (t *TeamRule) resolve(f Fields) string {
	for _, name := range t.Fields {
		v, ok := f.Field(name)
		if !ok {
			continue
		}
		if id, ok := t.Map[v]; ok {
			return id
		}
		if id := NormalizeID(v); id != "" {
			return id
		}
	}
	return t.Default
}

// Rescale turns a field into a probability by a linear rescale of the range
// [Min, Max] onto [0, 1]: p = (v − Min) / (Max − Min). Min may exceed Max
// to invert a scale. Values outside the range are refused (the prediction
// is left out and a warning attribute is set), never clamped.
type Rescale struct {
	Field string  `json:"field"`
	Min   float64 `json:"min"`
	Max   float64 `json:"max"`
}

// predictionDigits is the number of decimals predictions are rounded to.
const predictionDigits = 1e6

// apply returns the probability, whether the field was present, and a
// warning when it was present but unusable.
func (s *Rescale) apply(f Fields) (p float64, ok bool, warn string) {
	raw, present := f.Field(s.Field)
	if !present {
		return 0, false, ""
	}
	v, err := strconv.ParseFloat(strings.TrimSpace(raw), 64)
	if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
		return 0, false, fmt.Sprintf("%s is not a number: %.40q", s.Field, raw)
	}
	lo, hi := min(s.Min, s.Max), max(s.Min, s.Max)
	if v < lo || v > hi {
		return 0, false, fmt.Sprintf("%s = %s is outside %s..%s", s.Field, raw,
			strconv.FormatFloat(s.Min, 'g', -1, 64), strconv.FormatFloat(s.Max, 'g', -1, 64))
	}
	p = (v - s.Min) / (s.Max - s.Min)
	p = math.Round(p*predictionDigits) / predictionDigits
	return min(max(p, 0), 1), true, ""
}

// Mapped is what [Rules.Apply] decides for one record.
type Mapped struct {
	Model, Inquiry, TeamID   string
	Satisfaction, Resolution *float64
	// Warnings name configured predictions whose field was present but
	// unusable; connectors store them in the attribute "mapping_warning".
	Warnings []string
}

// Apply maps one record. It fails only when the channel has no model.
func (r *Rules) Apply(f Fields) (Mapped, error) {
	var m Mapped
	ch, _ := f.Field(FieldChannel)
	m.Model = r.Channels[strings.ToUpper(ch)]
	if m.Model == "" {
		m.Model = r.DefaultModel
	}
	if m.Model == "" {
		return m, fmt.Errorf("channel %.40q has no model: add it to \"channels\" (or set \"default_model\") in the tenant's mapping", ch)
	}
	m.Inquiry = r.DefaultInquiry
	for i := range r.Inquiry {
		if v, ok := r.Inquiry[i].match(f); ok {
			m.Inquiry = v
			break
		}
	}
	m.TeamID = r.Team.resolve(f)
	if r.NoPredictions[m.Model] {
		return m, nil
	}
	for _, p := range [...]struct {
		rs  *Rescale
		dst **float64
	}{{r.Satisfaction, &m.Satisfaction}, {r.Resolution, &m.Resolution}} {
		if p.rs == nil {
			continue
		}
		v, ok, warn := p.rs.apply(f)
		if ok {
			*p.dst = &v
		} else if warn != "" {
			m.Warnings = append(m.Warnings, warn)
		}
	}
	return m, nil
}
