package connectors

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"slices"
	"strings"

	"github.com/agentpulse/agentpulse/schemas"
)

// ErrInvalidConfig is matched by every error of [ParseMapping],
// [LoadMapping], [ParseCredentials] and [LoadCredentials] about the file's
// content.
var ErrInvalidConfig = errors.New("invalid connector configuration")

// ConfigError is one problem of a mapping or credentials file: Path is the
// JSON location ("tenants.acme.inquiry.rules[2].field"), Msg what is wrong
// in words an admin can act on.
type ConfigError struct {
	Path, Msg string
}

// Error returns "path: msg".
func (e *ConfigError) Error() string {
	if e.Path == "" {
		return e.Msg
	}
	return e.Path + ": " + e.Msg
}

// Is reports whether target is [ErrInvalidConfig].
func (e *ConfigError) Is(target error) bool { return target == ErrInvalidConfig }

// maxConfigErrors caps the problems reported for one file.
const maxConfigErrors = 50

// problems collects ConfigErrors.
type problems []error

func (p *problems) add(path, format string, args ...any) {
	if len(*p) < maxConfigErrors {
		*p = append(*p, &ConfigError{Path: path, Msg: fmt.Sprintf(format, args...)})
	}
}

func (p problems) err() error { return errors.Join(p...) }

// mappingFile is the JSON form of a Mapping.
type mappingFile struct {
	Default *rulesFile            `json:"default"`
	Tenants map[string]*rulesFile `json:"tenants"`
}

// rulesFile is the JSON form of Rules; a section left out is inherited.
type rulesFile struct {
	Channels              map[string]string `json:"channels"`
	DefaultModel          *string           `json:"default_model"`
	NoPredictions         []string          `json:"no_predictions"`
	Inquiry               *inquiryFile      `json:"inquiry"`
	Team                  *TeamRule         `json:"team"`
	PredictedSatisfaction json.RawMessage   `json:"predicted_satisfaction"`
	PredictedResolution   json.RawMessage   `json:"predicted_resolution"`
	Customer              []CustomerRule    `json:"customer"`
	Surveys               []SurveyRule      `json:"surveys"`
}

type inquiryFile struct {
	Rules   []InquiryRule `json:"rules"`
	Default string        `json:"default"`
}

type rescaleFile struct {
	Field string   `json:"field"`
	Min   *float64 `json:"min"`
	Max   *float64 `json:"max"`
}

// BuiltinRules returns the rules used for a tenant when the mapping file
// gives none (a fresh copy; see the package documentation for the values).
func BuiltinRules() *Rules { return cloneRules(builtin) }

var builtin = &Rules{
	Channels: map[string]string{
		"VOICE": "voice", "CALLBACK": "voice",
		"CHAT": "chat", "MESSAGE": "chat", "SMS": "chat", "WEBCHAT": "chat",
		"EMAIL": "email", "TASK": "email",
	},
	NoPredictions: map[string]bool{"email": true},
	Inquiry: []InquiryRule{
		{Field: FieldQueue, Present: true, FromValue: true},
	},
	DefaultInquiry: "general",
	Team: TeamRule{
		Fields:  []string{FieldHierarchyDeepest, FieldRoutingProfile, "worker.team_id", "worker.team_name", FieldQueue},
		Default: "unassigned",
	},
}

func cloneRules(r *Rules) *Rules {
	c := *r
	c.Channels = maps(r.Channels)
	c.NoPredictions = maps(r.NoPredictions)
	c.Inquiry = slices.Clone(r.Inquiry)
	c.Team.Fields = slices.Clone(r.Team.Fields)
	c.Team.Map = maps(r.Team.Map)
	c.Customer = slices.Clone(r.Customer)
	c.Surveys = slices.Clone(r.Surveys)
	return &c
}

func maps[V any](m map[string]V) map[string]V {
	if m == nil {
		return nil
	}
	c := make(map[string]V, len(m))
	for k, v := range m {
		c[k] = v
	}
	return c
}

// maxConfigBytes bounds a mapping or credentials file.
const maxConfigBytes = 16 << 20

// LoadMapping reads and validates a mapping file; see [ParseMapping].
func LoadMapping(path string) (*Mapping, error) {
	data, err := readConfig(path)
	if err != nil {
		return nil, fmt.Errorf("load mapping: %w", err)
	}
	m, err := ParseMapping(data)
	if err != nil {
		return nil, fmt.Errorf("load mapping %s: %w", path, err)
	}
	return m, nil
}

func readConfig(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxConfigBytes+1))
	if err != nil {
		return nil, err
	}
	if len(data) > maxConfigBytes {
		return nil, &ConfigError{Msg: fmt.Sprintf("the file is larger than %d bytes", maxConfigBytes)}
	}
	return data, nil
}

// ParseMapping parses and validates a mapping file (format in the package
// documentation). Unknown keys, unknown field names, invalid models, ids
// and inquiries, rules with no or several conditions, and empty rescale
// ranges are refused; the error joins one [*ConfigError] per problem (at
// most 50), each matching [ErrInvalidConfig].
func ParseMapping(data []byte) (*Mapping, error) {
	var f mappingFile
	if err := strictDecode(data, &f); err != nil {
		return nil, &ConfigError{Msg: err.Error()}
	}
	var p problems
	m := &Mapping{tenants: make(map[string]*Rules, len(f.Tenants))}
	if f.Default != nil {
		m.fallback = resolveRules(f.Default, builtin, "default", &p)
	}
	parent := m.For("")
	names := make([]string, 0, len(f.Tenants))
	for t := range f.Tenants {
		names = append(names, t)
	}
	slices.Sort(names)
	for _, t := range names {
		path := "tenants." + t
		if !schemas.ValidID(t) {
			p.add(path, "is not a valid tenant id: use 1 to 128 letters, digits, '.', '_', '@' or '-', starting with a letter or digit")
			continue
		}
		if f.Tenants[t] == nil {
			p.add(path, "must be an object")
			continue
		}
		m.tenants[t] = resolveRules(f.Tenants[t], parent, path, &p)
	}
	if err := p.err(); err != nil {
		return nil, err
	}
	return m, nil
}

// strictDecode decodes exactly one JSON value into v, refusing unknown keys.
func strictDecode(data []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return fmt.Errorf("not a valid file: %w", err)
	}
	if dec.More() {
		return errors.New("not a valid file: data after the top-level object")
	}
	if _, err := dec.Token(); err != io.EOF {
		return errors.New("not a valid file: data after the top-level object")
	}
	return nil
}

// resolveRules validates f and fills what it leaves out from parent.
func resolveRules(f *rulesFile, parent *Rules, path string, p *problems) *Rules {
	r := cloneRules(parent)
	if f.Channels != nil {
		r.Channels = make(map[string]string, len(f.Channels))
		for ch, model := range f.Channels {
			cp := path + ".channels." + ch
			switch {
			case strings.TrimSpace(ch) == "":
				p.add(path+".channels", "a channel name must not be empty")
			case !schemas.ValidModel(model):
				p.add(cp, "model %q is not valid: use 1 to 32 lower-case letters, digits, '_' or '-', starting with a letter (e.g. \"voice\")", model)
			default:
				r.Channels[strings.ToUpper(ch)] = model
			}
		}
	}
	if f.DefaultModel != nil {
		if *f.DefaultModel != "" && !schemas.ValidModel(*f.DefaultModel) {
			p.add(path+".default_model", "model %q is not valid: use lower-case letters, digits, '_' or '-', starting with a letter", *f.DefaultModel)
		}
		r.DefaultModel = *f.DefaultModel
	}
	if f.NoPredictions != nil {
		r.NoPredictions = make(map[string]bool, len(f.NoPredictions))
		for i, model := range f.NoPredictions {
			if !schemas.ValidModel(model) {
				p.add(fmt.Sprintf("%s.no_predictions[%d]", path, i), "model %q is not valid", model)
			}
			r.NoPredictions[model] = true
		}
	}
	if f.Inquiry != nil {
		r.Inquiry = make([]InquiryRule, 0, len(f.Inquiry.Rules))
		for i, rule := range f.Inquiry.Rules {
			if checkInquiryRule(&rule, fmt.Sprintf("%s.inquiry.rules[%d]", path, i), p) {
				r.Inquiry = append(r.Inquiry, rule)
			}
		}
		if f.Inquiry.Default != "" {
			if !schemas.ValidInquiry(f.Inquiry.Default) {
				p.add(path+".inquiry.default", "must be 1 to 128 characters without control characters")
			}
			r.DefaultInquiry = f.Inquiry.Default
		}
	}
	if f.Team != nil {
		r.Team = checkTeam(f.Team, parent.Team.Default, path+".team", p)
	}
	if f.Customer != nil {
		r.Customer = checkCustomerRules(f.Customer, path+".customer", p)
	}
	if f.Surveys != nil {
		r.Surveys = checkSurveyRules(f.Surveys, path+".surveys", p)
	}
	r.Satisfaction = resolveRescale(f.PredictedSatisfaction, r.Satisfaction, path+".predicted_satisfaction", p)
	r.Resolution = resolveRescale(f.PredictedResolution, r.Resolution, path+".predicted_resolution", p)
	return r
}

func checkField(name, path string, p *problems) bool {
	if !knownField(name) {
		p.add(path, "unknown field %q: use %s", name, vocabulary)
		return false
	}
	return true
}

func checkInquiryRule(r *InquiryRule, path string, p *problems) bool {
	ok := checkField(r.Field, path+".field", p)
	conds := 0
	for _, set := range []bool{len(r.Equals) > 0, r.Prefix != "", r.Contains != "", r.Present} {
		if set {
			conds++
		}
	}
	if conds != 1 {
		p.add(path, "needs exactly one condition of equals (a list), prefix, contains or present: true; it has %d", conds)
		ok = false
	}
	for i, e := range r.Equals {
		if e == "" {
			p.add(fmt.Sprintf("%s.equals[%d]", path, i), "must not be empty")
			ok = false
		}
	}
	switch {
	case r.FromValue && r.Inquiry != "":
		p.add(path, "sets both inquiry and inquiry_from_value; keep one")
		ok = false
	case !r.FromValue && !schemas.ValidInquiry(r.Inquiry):
		p.add(path+".inquiry", "must be 1 to 128 characters without control characters (or set inquiry_from_value: true)")
		ok = false
	}
	return ok
}

func checkTeam(t *TeamRule, parentDefault, path string, p *problems) TeamRule {
	out := TeamRule{Fields: slices.Clone(t.Fields), Map: maps(t.Map), Default: t.Default}
	for i, name := range t.Fields {
		checkField(name, fmt.Sprintf("%s.fields[%d]", path, i), p)
	}
	for k, v := range t.Map {
		if !schemas.ValidID(v) {
			p.add(path+".map."+k, "team id %q is not valid: use 1 to 128 letters, digits, '.', '_', '@' or '-', starting with a letter or digit", v)
		}
	}
	if out.Default == "" {
		out.Default = parentDefault
	} else if !schemas.ValidID(out.Default) {
		p.add(path+".default", "team id %q is not valid: use 1 to 128 letters, digits, '.', '_', '@' or '-', starting with a letter or digit", out.Default)
	}
	return out
}

// resolveRescale parses a prediction section: absent inherits parent, null
// turns it off.
func resolveRescale(raw json.RawMessage, parent *Rescale, path string, p *problems) *Rescale {
	if raw == nil {
		return parent
	}
	if string(bytes.TrimSpace(raw)) == "null" {
		return nil
	}
	var f rescaleFile
	if err := strictDecode(raw, &f); err != nil {
		p.add(path, "must be {\"field\": …, \"min\": …, \"max\": …} or null: %v", err)
		return nil
	}
	ok := checkField(f.Field, path+".field", p)
	if f.Min == nil || f.Max == nil {
		p.add(path, "needs both min and max (the source scale, e.g. -5 and 5 for sentiment, 1 and 5 for CSAT)")
		return nil
	}
	if *f.Min == *f.Max || math.IsInf(*f.Max-*f.Min, 0) {
		p.add(path, "min and max must differ and be finite")
		return nil
	}
	if !ok {
		return nil
	}
	return &Rescale{Field: f.Field, Min: *f.Min, Max: *f.Max}
}
