package roster_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/go-chi/chi/v5"
	"go.yaml.in/yaml/v3"

	"github.com/agentpulse/agentpulse/auth"
	"github.com/agentpulse/agentpulse/auth/roster"
	"github.com/agentpulse/agentpulse/schemas"
)

// TestRoutesInOpenAPI: every route Routes and ImportRoutes mount is an
// operation of schemas/openapi.yaml, marked conditional (served when the
// server has a roster).
func TestRoutesInOpenAPI(t *testing.T) {
	var doc struct {
		Paths map[string]map[string]map[string]any `yaml:"paths"`
	}
	if err := yaml.Unmarshal(schemas.OpenAPI, &doc); err != nil {
		t.Fatal(err)
	}
	r := chi.NewRouter()
	api := &roster.API{Verifier: auth.Verifier{Secret: secret}}
	api.Routes(r)
	api.ImportRoutes(r)
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
	if err != nil || n != 9 { // the roster, its mode, a person, the import, the names
		t.Fatalf("walked %d routes: %v", n, err)
	}
}
