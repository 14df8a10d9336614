package connectors_test

import (
	"errors"
	"strconv"
	"strings"
	"testing"

	"github.com/agentpulse/agentpulse/ingest/connectors"
	"github.com/agentpulse/agentpulse/schemas"
)

// fields is a map-backed connectors.Fields.
type fields map[string]string

func (f fields) Field(name string) (string, bool) {
	v, ok := f[name]
	return v, ok && v != ""
}

const acmeMapping = `{
  "default": {
    "inquiry": {"rules": [{"field": "wrapup", "present": true, "inquiry_from_value": true}], "default": "other"},
    "predicted_satisfaction": {"field": "attributes.sentiment", "min": -5, "max": 5}
  },
  "tenants": {
    "acme": {
      "channels": {"voice": "voice", "Chat": "chat", "TASK": "backoffice"},
      "no_predictions": ["backoffice"],
      "inquiry": {
        "rules": [
          {"field": "queue", "equals": ["Billing", "Payments"], "inquiry": "billing"},
          {"field": "wrapup", "prefix": "ref", "inquiry": "refunds"},
          {"field": "attributes.intent", "contains": "cancel", "inquiry": "cancellation"},
          {"field": "attributes.intent", "present": true, "inquiry_from_value": true}
        ],
        "default": "general"
      },
      "team": {"fields": ["hierarchy.level3", "routing_profile"], "map": {"Basic Routing Profile": "team-basic"}, "default": "no-team"},
      "predicted_satisfaction": {"field": "attributes.sentiment", "min": -5, "max": 5},
      "predicted_resolution": {"field": "attributes.effort", "min": 5, "max": 1}
    },
    "globex": {"predicted_satisfaction": null, "team": {"fields": ["queue"]}}
  }
}`

func mustMapping(t *testing.T, s string) *connectors.Mapping {
	t.Helper()
	m, err := connectors.ParseMapping([]byte(s))
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func fp(v float64) *float64 { return &v }

func TestRulesApply(t *testing.T) {
	m := mustMapping(t, acmeMapping)
	tests := []struct {
		name   string
		tenant string
		f      fields
		want   connectors.Mapped
		err    string
	}{
		{
			name: "queue equals, case-insensitive; team from hierarchy; both predictions",
			f:    fields{"channel": "VOICE", "queue": "billing", "hierarchy.level3": "Team East", "attributes.sentiment": "2.5", "attributes.effort": "2"},
			// satisfaction (2.5+5)/10 = 0.75; resolution inverted scale (2-5)/(1-5) = 0.75
			want: connectors.Mapped{Model: "voice", Inquiry: "billing", TeamID: "Team-East", Satisfaction: fp(0.75), Resolution: fp(0.75)},
		},
		{
			name: "prefix on wrapup; team map before normalising; rounded to 6 decimals",
			f:    fields{"channel": "chat", "queue": "Other", "wrapup": "REFUND-PARTIAL", "routing_profile": "Basic Routing Profile", "attributes.sentiment": "-1.3"},
			want: connectors.Mapped{Model: "chat", Inquiry: "refunds", TeamID: "team-basic", Satisfaction: fp(0.37)},
		},
		{
			name: "contains; default team",
			f:    fields{"channel": "Voice", "attributes.intent": "Want to CANCEL my plan"},
			want: connectors.Mapped{Model: "voice", Inquiry: "cancellation", TeamID: "no-team"},
		},
		{
			name: "inquiry from the value, trimmed",
			f:    fields{"channel": "voice", "attributes.intent": "  Router reset "},
			want: connectors.Mapped{Model: "voice", Inquiry: "Router reset", TeamID: "no-team"},
		},
		{
			name: "value that is no valid inquiry falls through to the default",
			f:    fields{"channel": "voice", "attributes.intent": strings.Repeat("x", 129)},
			want: connectors.Mapped{Model: "voice", Inquiry: "general", TeamID: "no-team"},
		},
		{
			name: "no predictions for the model even when configured",
			f:    fields{"channel": "TASK", "attributes.sentiment": "5"},
			want: connectors.Mapped{Model: "backoffice", Inquiry: "general", TeamID: "no-team"},
		},
		{
			name: "range bounds are inclusive",
			f:    fields{"channel": "voice", "attributes.sentiment": "-5", "attributes.effort": "1"},
			want: connectors.Mapped{Model: "voice", Inquiry: "general", TeamID: "no-team", Satisfaction: fp(0), Resolution: fp(1)},
		},
		{
			name: "out of range and not a number are warnings, not guesses",
			f:    fields{"channel": "voice", "attributes.sentiment": "5.01", "attributes.effort": "NaN"},
			want: connectors.Mapped{Model: "voice", Inquiry: "general", TeamID: "no-team", Warnings: []string{
				"attributes.sentiment = 5.01 is outside -5..5", `attributes.effort is not a number: "NaN"`}},
		},
		{
			name: "unknown channel",
			f:    fields{"channel": "VIDEO"},
			err:  `channel "VIDEO" has no model`,
		},
		{
			name:   "tenant without own rules uses the file default over the built-in",
			tenant: "initech",
			f:      fields{"channel": "EMAIL", "wrapup": "Password reset", "queue": "Q1", "attributes.sentiment": "0"},
			// email is a no-predictions model in the built-in rules
			want: connectors.Mapped{Model: "email", Inquiry: "Password reset", TeamID: "Q1"},
		},
		{
			name:   "file default prediction applies to voice",
			tenant: "initech",
			f:      fields{"channel": "CALLBACK", "attributes.sentiment": "0", "hierarchy.deepest": "Night Shift"},
			want:   connectors.Mapped{Model: "voice", Inquiry: "other", TeamID: "Night-Shift", Satisfaction: fp(0.5)},
		},
		{
			name:   "null switches an inherited prediction off; team section replaced",
			tenant: "globex",
			f:      fields{"channel": "VOICE", "attributes.sentiment": "0", "routing_profile": "RP", "queue": "Sales EU"},
			want:   connectors.Mapped{Model: "voice", Inquiry: "other", TeamID: "Sales-EU"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tenant := tt.tenant
			if tenant == "" {
				tenant = "acme"
			}
			got, err := m.For(tenant).Apply(tt.f)
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("err = %v, want %q", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got.Model != tt.want.Model || got.Inquiry != tt.want.Inquiry || got.TeamID != tt.want.TeamID ||
				!sameP(got.Satisfaction, tt.want.Satisfaction) || !sameP(got.Resolution, tt.want.Resolution) ||
				strings.Join(got.Warnings, "|") != strings.Join(tt.want.Warnings, "|") {
				t.Errorf("got %s\nwant %s", show(got), show(tt.want))
			}
		})
	}
}

func sameP(a, b *float64) bool { return a == nil && b == nil || a != nil && b != nil && *a == *b }

func show(m connectors.Mapped) string {
	p := func(x *float64) string {
		if x == nil {
			return "nil"
		}
		return strconv.FormatFloat(*x, 'g', -1, 64)
	}
	return m.Model + "/" + m.Inquiry + "/" + m.TeamID + " psat=" + p(m.Satisfaction) + " pres=" + p(m.Resolution) + " warn=" + strings.Join(m.Warnings, "|")
}

func TestBuiltinRules(t *testing.T) {
	var m *connectors.Mapping // nil: every tenant gets the built-in rules
	r := m.For("anyone")
	got, err := r.Apply(fields{"channel": "sms", "queue": "Billing Queue", "worker.team_name": "Team A"})
	if err != nil || got.Model != "chat" || got.Inquiry != "Billing Queue" || got.TeamID != "Team-A" {
		t.Fatalf("got %+v, %v", got, err)
	}
	got, _ = r.Apply(fields{"channel": "TASK"})
	if got.Model != "email" || got.Inquiry != "general" || got.TeamID != "unassigned" {
		t.Fatalf("got %+v", got)
	}
	b := connectors.BuiltinRules()
	b.Channels["VOICE"] = "changed"
	if r.Channels["VOICE"] != "voice" {
		t.Fatal("BuiltinRules returned the shared rules")
	}
}

func TestParseMappingErrors(t *testing.T) {
	tests := []struct {
		name, file string
		want       []string // substrings of the error, each a path and rule
	}{
		{"not json", `{`, []string{"not a valid file"}},
		{"trailing data", `{} {}`, []string{"data after the top-level object"}},
		{"unknown key", `{"tenant": {}}`, []string{`unknown field "tenant"`}},
		{"bad tenant id", `{"tenants": {"a b": {}}}`, []string{"tenants.a b: is not a valid tenant id"}},
		{"null tenant", `{"tenants": {"acme": null}}`, []string{"tenants.acme: must be an object"}},
		{"bad model", `{"tenants": {"acme": {"channels": {"VOICE": "Voice!"}}}}`, []string{`tenants.acme.channels.VOICE: model "Voice!" is not valid`}},
		{"bad default model", `{"default": {"default_model": "9x"}}`, []string{"default.default_model"}},
		{"unknown field", `{"tenants": {"acme": {"inquiry": {"rules": [{"field": "queu", "present": true, "inquiry": "x"}]}}}}`,
			[]string{`tenants.acme.inquiry.rules[0].field: unknown field "queu"`}},
		{"two conditions", `{"tenants": {"acme": {"inquiry": {"rules": [{"field": "queue", "prefix": "a", "contains": "b", "inquiry": "x"}]}}}}`,
			[]string{"tenants.acme.inquiry.rules[0]: needs exactly one condition", "it has 2"}},
		{"no inquiry", `{"tenants": {"acme": {"inquiry": {"rules": [{"field": "queue", "present": true}]}}}}`,
			[]string{"tenants.acme.inquiry.rules[0].inquiry: must be 1 to 128 characters"}},
		{"both inquiry and from value", `{"tenants": {"acme": {"inquiry": {"rules": [{"field": "queue", "present": true, "inquiry": "x", "inquiry_from_value": true}]}}}}`,
			[]string{"sets both inquiry and inquiry_from_value"}},
		{"control character in default inquiry", `{"tenants": {"acme": {"inquiry": {"default": "a\u0007b"}}}}`, []string{"tenants.acme.inquiry.default"}},
		{"bad team id", `{"tenants": {"acme": {"team": {"fields": ["raw."], "map": {"x": "-bad"}, "default": "a b"}}}}`,
			[]string{`tenants.acme.team.fields[0]: unknown field "raw."`, `tenants.acme.team.map.x: team id "-bad"`, `tenants.acme.team.default: team id "a b"`}},
		{"rescale without max", `{"tenants": {"acme": {"predicted_satisfaction": {"field": "attributes.s", "min": 1}}}}`,
			[]string{"tenants.acme.predicted_satisfaction: needs both min and max"}},
		{"rescale empty range", `{"tenants": {"acme": {"predicted_resolution": {"field": "attributes.s", "min": 3, "max": 3}}}}`,
			[]string{"min and max must differ"}},
		{"rescale typo", `{"tenants": {"acme": {"predicted_resolution": {"feild": "attributes.s", "min": 1, "max": 3}}}}`,
			[]string{`tenants.acme.predicted_resolution: must be {"field"`, `unknown field "feild"`}},
		{"bad hierarchy level", `{"tenants": {"acme": {"team": {"fields": ["hierarchy.level6"]}}}}`, []string{`unknown field "hierarchy.level6"`}},
		{"several problems reported together", `{"tenants": {"a": {"channels": {"X": "!"}}, "b": {"channels": {"Y": "?"}}}}`,
			[]string{"tenants.a.channels.X", "tenants.b.channels.Y"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := connectors.ParseMapping([]byte(tt.file))
			if err == nil {
				t.Fatal("no error")
			}
			if !errors.Is(err, connectors.ErrInvalidConfig) {
				t.Errorf("%v does not match ErrInvalidConfig", err)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not contain %q", err, w)
				}
			}
		})
	}
}

func TestLoadMapping(t *testing.T) {
	if _, err := connectors.LoadMapping("testdata/does-not-exist.json"); err == nil {
		t.Fatal("no error for a missing file")
	}
	m, err := connectors.LoadMapping("testdata/mapping.example.json")
	if err != nil {
		t.Fatal(err)
	}
	if m.Tenants() != 2 {
		t.Fatalf("Tenants() = %d", m.Tenants())
	}
}

// FuzzParseMapping: arbitrary files never panic, and what parses maps any
// record without panicking.
func FuzzParseMapping(f *testing.F) {
	f.Add([]byte(acmeMapping))
	f.Add([]byte(`{"tenants": {"x": {"inquiry": {"rules": [{"field": "raw.a.b", "equals": ["1"], "inquiry": "one"}]}}}}`))
	f.Add([]byte(`{"default": {"predicted_resolution": null, "no_predictions": []}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := connectors.ParseMapping(data)
		if err != nil {
			if !errors.Is(err, connectors.ErrInvalidConfig) {
				t.Fatalf("%v does not match ErrInvalidConfig", err)
			}
			return
		}
		for _, tenant := range []string{"acme", "x", "other"} {
			r := m.For(tenant)
			got, err := r.Apply(fields{"channel": "VOICE", "queue": "Billing", "wrapup": "ref", "raw.a.b": "1", "attributes.sentiment": "0"})
			if err != nil {
				continue
			}
			if !schemas.ValidModel(got.Model) || !schemas.ValidInquiry(got.Inquiry) || !schemas.ValidID(got.TeamID) {
				t.Fatalf("invalid mapping output %+v", got)
			}
		}
	})
}
