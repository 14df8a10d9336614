package api_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"go.yaml.in/yaml/v3"

	"github.com/agentpulse/agentpulse/schemas"
)

// spec is the parsed OpenAPI document and its compiled schemas.
type spec struct {
	doc      map[string]any
	compiler *jsonschema.Compiler
	mu       sync.Mutex
	compiled map[string]*jsonschema.Schema
}

// loadSpec parses schemas.OpenAPI, converts it to JSON values and
// registers it, the canonical interaction schema and its dialect with a
// 2020-12 compiler that asserts formats.
func loadSpec(t testing.TB) *spec {
	t.Helper()
	var y any
	if err := yaml.Unmarshal(schemas.OpenAPI, &y); err != nil {
		t.Fatalf("parse openapi.yaml: %v", err)
	}
	j, err := json.Marshal(y) // fails on non-string mapping keys, which JSON cannot hold
	if err != nil {
		t.Fatalf("openapi.yaml is not JSON-compatible (quote numeric keys such as status codes): %v", err)
	}
	docAny, err := jsonschema.UnmarshalJSON(bytes.NewReader(j))
	if err != nil {
		t.Fatal(err)
	}
	doc, ok := docAny.(map[string]any)
	if !ok {
		t.Fatal("openapi.yaml is not a mapping")
	}
	if v, _ := doc["openapi"].(string); !strings.HasPrefix(v, "3.1.") {
		t.Fatalf("openapi = %q, want 3.1.x", v)
	}
	c := jsonschema.NewCompiler()
	c.DefaultDraft(jsonschema.Draft2020)
	c.AssertFormat()
	for id, raw := range map[string][]byte{
		schemas.InteractionSchemaID: schemas.InteractionSchema,
		schemas.DialectSchemaID:     schemas.DialectSchema,
		schemas.OutcomeSchemaID:     schemas.OutcomeSchema,
	} {
		v, err := jsonschema.UnmarshalJSON(bytes.NewReader(raw))
		if err != nil {
			t.Fatal(err)
		}
		if err := c.AddResource(id, v); err != nil {
			t.Fatal(err)
		}
	}
	if err := c.AddResource(schemas.OpenAPIID, doc); err != nil {
		t.Fatal(err)
	}
	return &spec{doc: doc, compiler: c, compiled: map[string]*jsonschema.Schema{}}
}

// schema compiles the schema at the JSON pointer ptr ("/components/...")
// of the document.
func (s *spec) schema(t testing.TB, ptr string) *jsonschema.Schema {
	t.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	if sch, ok := s.compiled[ptr]; ok {
		return sch
	}
	sch, err := s.compiler.Compile(schemas.OpenAPIID + "#" + ptr)
	if err != nil {
		t.Fatalf("compile %s: %v", ptr, err)
	}
	s.compiled[ptr] = sch
	return sch
}

// pointer returns the value at ptr, following no references.
func (s *spec) pointer(ptr string) (any, bool) {
	var v any = s.doc
	for _, tok := range strings.Split(strings.TrimPrefix(ptr, "/"), "/") {
		tok = strings.ReplaceAll(strings.ReplaceAll(tok, "~1", "/"), "~0", "~")
		m, ok := v.(map[string]any)
		if !ok {
			return nil, false
		}
		if v, ok = m[tok]; !ok {
			return nil, false
		}
	}
	return v, true
}

func escapePtr(s string) string {
	return strings.ReplaceAll(strings.ReplaceAll(s, "~", "~0"), "/", "~1")
}

// operations returns method → path → operation object.
func (s *spec) operations(t testing.TB) map[[2]string]map[string]any {
	t.Helper()
	paths, ok := s.doc["paths"].(map[string]any)
	if !ok {
		t.Fatal("openapi.yaml has no paths")
	}
	out := map[[2]string]map[string]any{}
	for p, item := range paths {
		m, _ := item.(map[string]any)
		for _, meth := range httpMethods {
			if op, ok := m[meth].(map[string]any); ok {
				out[[2]string{strings.ToUpper(meth), p}] = op
			}
		}
	}
	return out
}

// responseSchema returns the pointer to the JSON schema of the answer
// status of method path, following a response $ref; ok is false when the
// operation does not document status.
func (s *spec) responseSchema(t testing.TB, method, path string, status int) (string, bool) {
	t.Helper()
	ptr := fmt.Sprintf("/paths/%s/%s/responses/%d", escapePtr(path), strings.ToLower(method), status)
	v, ok := s.pointer(ptr)
	if !ok {
		return "", false
	}
	if ref, ok := v.(map[string]any)["$ref"].(string); ok {
		ptr = strings.TrimPrefix(ref, "#")
		if _, ok := s.pointer(ptr); !ok {
			t.Fatalf("%s: $ref %s does not resolve", ptr, ref)
		}
	}
	ptr += "/content/application~1json/schema"
	if _, ok := s.pointer(ptr); !ok {
		t.Fatalf("%s %s %d: no application/json schema", method, path, status)
	}
	return ptr, true
}
