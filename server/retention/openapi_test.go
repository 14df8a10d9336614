package retention_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/go-chi/chi/v5"
	"go.yaml.in/yaml/v3"

	"github.com/agentpulse/agentpulse/auth"
	"github.com/agentpulse/agentpulse/schemas"
	"github.com/agentpulse/agentpulse/server/retention"
)

// TestRoutesInOpenAPI: every route Routes mounts is an operation of
// schemas/openapi.yaml, marked conditional (served when configured).
func TestRoutesInOpenAPI(t *testing.T) {
	var doc struct {
		Paths map[string]map[string]map[string]any `yaml:"paths"`
	}
	if err := yaml.Unmarshal(schemas.OpenAPI, &doc); err != nil {
		t.Fatal(err)
	}
	r := chi.NewRouter()
	(&retention.Runner{}).Routes(r, auth.Verifier{Secret: secret})
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
	if err != nil || n != 4 {
		t.Fatalf("walked %d routes: %v", n, err)
	}
}
