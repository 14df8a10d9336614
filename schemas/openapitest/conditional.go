package openapitest

import (
	"net/http"
	"strings"
	"testing"

	"github.com/go-chi/chi/v5"
	"go.yaml.in/yaml/v3"

	"github.com/agentpulse/agentpulse/schemas"
)

// ConditionalRoutes mounts a package's routes with mount on a new router
// and fails t unless each one is an operation of schemas/openapi.yaml
// marked x-agentpulse-status: conditional (served only when the server is
// configured for it), and there are exactly want of them.
func ConditionalRoutes(t testing.TB, want int, mount func(chi.Router)) {
	t.Helper()
	var doc struct {
		Paths map[string]map[string]map[string]any `yaml:"paths"`
	}
	if err := yaml.Unmarshal(schemas.OpenAPI, &doc); err != nil {
		t.Fatal(err)
	}
	r := chi.NewRouter()
	mount(r)
	n := 0
	err := chi.Walk(r, func(method, route string, _ http.Handler, _ ...func(http.Handler) http.Handler) error {
		n++
		op, ok := doc.Paths[route][strings.ToLower(method)]
		if !ok {
			t.Errorf("%s %s is not in openapi.yaml", method, route)
		} else if op["x-agentpulse-status"] != "conditional" {
			t.Errorf("%s %s: x-agentpulse-status %v, want conditional", method, route, op["x-agentpulse-status"])
		}
		return nil
	})
	if err != nil || n != want {
		t.Fatalf("walked %d routes, want %d: %v", n, want, err)
	}
}
