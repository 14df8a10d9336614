package schemas

import (
	"encoding/json"
	"slices"
	"sort"
	"testing"
)

// TestSchemaDocumentsEveryProperty checks that every property of the
// interaction schema has a description and that the schema's field list is
// the struct's.
func TestSchemaDocumentsEveryProperty(t *testing.T) {
	props := schemaAt("properties").(map[string]any)
	var names []string
	for name, p := range props {
		names = append(names, name)
		if d, _ := p.(map[string]any)["description"].(string); d == "" {
			t.Errorf("property %s has no description", name)
		}
	}
	want := fieldNames[:]
	sort.Strings(names)
	sorted := slices.Sorted(slices.Values(want))
	if !slices.Equal(names, sorted) {
		t.Errorf("schema properties %q, struct fields %q", names, sorted)
	}
	var required []string
	for _, r := range schemaAt("required").([]any) {
		required = append(required, r.(string))
	}
	var wantRequired []string
	for f := range numFields {
		if requiredFields&(1<<f) != 0 {
			wantRequired = append(wantRequired, fieldNames[f])
		}
	}
	if !slices.Equal(required, wantRequired) {
		t.Errorf("required %q, want %q", required, wantRequired)
	}
	if schemaAt("additionalProperties") != false {
		t.Error("additionalProperties must be false")
	}
	if schemaAt("$id") != InteractionSchemaID || schemaAt("$schema") != DialectSchemaID {
		t.Error("$id or $schema does not match the package constants")
	}
}

// TestSchemaLimitsMatchGo keeps the numbers of the schema and the Go
// constants in step.
func TestSchemaLimitsMatchGo(t *testing.T) {
	num := func(path string) float64 {
		t.Helper()
		v, ok := schemaAt(path).(float64)
		if !ok {
			t.Fatalf("%s is not a number", path)
		}
		return v
	}
	checks := []struct {
		path string
		want float64
	}{
		{"$defs/id/maxLength", MaxIDLength},
		{"properties/interaction_id/maxLength", MaxInteractionIDLength},
		{"properties/model/maxLength", MaxModelLength},
		{"properties/inquiry/maxLength", MaxInquiryLength},
		{"properties/source/maxLength", MaxSourceLength},
		{"properties/revision/minimum", 1},
		{"properties/revision/maximum", MaxRevision},
		{"properties/handle_time_s/minimum", 0},
		{"properties/handle_time_s/maximum", MaxHandleTimeS},
		{"properties/hold_s/minimum", 0},
		{"properties/hold_s/maximum", MaxHoldS},
		{"properties/queue_wait_s/minimum", 0},
		{"properties/queue_wait_s/maximum", MaxQueueWaitS},
		{"properties/transfers/minimum", 0},
		{"properties/transfers/maximum", MaxTransfers},
		{"properties/customer_key/maxLength", MaxCustomerKeyLength},
		{"properties/chain_id/maxLength", MaxChainIDLength},
		{"$defs/probability/minimum", 0},
		{"$defs/probability/maximum", 1},
		{"properties/source_refs/maxProperties", MaxSourceRefs},
		{"properties/source_refs/additionalProperties/maxLength", MaxSourceRefValueLength},
		{"properties/attributes/maxProperties", MaxAttributes},
		{"properties/attributes/propertyNames/maxLength", MaxAttributeNameLength},
		{"properties/attributes/propertyNames/minLength", 1},
		{"properties/attributes/additionalProperties/maxLength", MaxAttributeStringLength},
		{"properties/attributes/additionalProperties/maximum", MaxAttributeNumber},
		{"properties/attributes/additionalProperties/minimum", -MaxAttributeNumber},
	}
	for _, c := range checks {
		if got := num(c.path); got != c.want {
			t.Errorf("%s = %v, Go says %v", c.path, got, c.want)
		}
	}
	if p := schemaAt("properties/tenant_id/$ref"); p != "#/$defs/id" {
		t.Errorf("tenant_id does not use $defs/id: %v", p)
	}
}

func TestDialectSchema(t *testing.T) {
	var d map[string]any
	if err := json.Unmarshal(DialectSchema, &d); err != nil {
		t.Fatal(err)
	}
	vocabs := d["$vocabulary"].(map[string]any)
	if v, ok := vocabs[CrossFieldVocabulary]; !ok || v != false {
		t.Errorf("dialect must list %s as optional, got %v", CrossFieldVocabulary, v)
	}
	if d["$id"] != DialectSchemaID || d["$schema"] != "https://json-schema.org/draft/2020-12/schema" {
		t.Error("dialect $id / $schema")
	}
	// Both variants compile: with the vocabulary (reference) and without it
	// (a generic validator); the latter must not fail on the unknown keyword.
	compileSchema(t, true)
	compileSchema(t, false)
}
