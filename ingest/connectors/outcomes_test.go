package connectors

import (
	"strings"
	"testing"
	"time"

	"github.com/agentpulse/agentpulse/schemas"
)

// fieldMap is a Fields over a map.
type fieldMap map[string]string

func (m fieldMap) Field(name string) (string, bool) { v, ok := m[name]; return v, ok }

func TestCustomerAndSurveyRulesParse(t *testing.T) {
	m, err := ParseMapping([]byte(`{"tenants": {"acme": {
		"customer": [{"field": "attributes.crm", "kind": "external"}, {"field": "attributes.from", "kind": "phone"}],
		"surveys": [{"field": "attributes.survey_result_csat", "id": "csat", "scale_min": 1, "scale_max": 5}]}}}`))
	if err != nil {
		t.Fatal(err)
	}
	r := m.For("acme")
	if len(r.Customer) != 2 || len(r.Surveys) != 1 || len(m.For("globex").Surveys) != 0 {
		t.Fatalf("rules %+v", r)
	}
	_, err = ParseMapping([]byte(`{"tenants": {"acme": {
		"customer": [{"field": "attributes.crm", "kind": "crm"}, {"field": "nonsense", "kind": "phone"}],
		"surveys": [{"field": "attributes.a", "id": "CSAT", "scale_min": 1, "scale_max": 5},
		            {"field": "attributes.b", "id": "nps", "scale_min": 10, "scale_max": 0}]}}}`))
	for _, want := range []string{"tenants.acme.customer[0].kind", "tenants.acme.customer[1].field", "tenants.acme.surveys[0].id", "tenants.acme.surveys[1]: needs scale_min < scale_max"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("error %v does not name %s", err, want)
		}
	}
}

func TestSurveyOutcomes(t *testing.T) {
	rules := &Rules{Surveys: []SurveyRule{
		{Field: "attributes.csat", ID: "csat", ScaleMin: 1, ScaleMax: 5},
		{Field: "attributes.nps", ID: "nps", ScaleMin: 0, ScaleMax: 10},
		{Field: "attributes.ces", ID: "ces", ScaleMin: 1, ScaleMax: 7},
	}}
	it := &schemas.Interaction{TenantID: "acme", InteractionID: "c-1", Revision: 7, Source: "amazon-connect",
		EndedAt: time.Date(2026, 3, 5, 10, 5, 0, 0, time.UTC)}
	outs := SurveyOutcomes(rules, fieldMap{"attributes.csat": " 4 ", "attributes.nps": "11", "attributes.ces": "n/a"}, it)
	if len(outs) != 1 {
		t.Fatalf("outcomes %v", outs)
	}
	o := outs[0]
	if o.OutcomeID != "c-1/survey/csat" || o.Revision != 7 || o.Survey.Score != 4 || !o.ObservedAt.Equal(it.EndedAt) || o.Validate() != nil {
		t.Errorf("outcome %s", o.AppendJSON(nil))
	}
}

func TestMappedCustomerKeyFirst(t *testing.T) {
	secret := []byte(strings.Repeat("k", 32))
	rules := []CustomerRule{{Field: "attributes.crm", Kind: IDExternal}, {Field: "attributes.from", Kind: IDPhone}}
	if got, want := mappedCustomerKey(rules, secret, fieldMap{"attributes.from": "+12065550100"}), CustomerKey(secret, IDPhone, "+12065550100"); got != want {
		t.Errorf("got %q want %q", got, want)
	}
	if got := mappedCustomerKey(rules, nil, fieldMap{"attributes.crm": "x"}); got != "" {
		t.Errorf("key without a secret: %q", got)
	}
}
