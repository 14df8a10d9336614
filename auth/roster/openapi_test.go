package roster_test

import (
	"testing"

	"github.com/go-chi/chi/v5"

	"github.com/agentpulse/agentpulse/auth"
	"github.com/agentpulse/agentpulse/auth/roster"
	"github.com/agentpulse/agentpulse/schemas/openapitest"
)

// TestRoutesInOpenAPI: every route Routes and ImportRoutes mount (the
// roster, its mode, a person, the import, the display names) is an
// operation of schemas/openapi.yaml, marked conditional (served when the
// server has a roster).
func TestRoutesInOpenAPI(t *testing.T) {
	openapitest.ConditionalRoutes(t, 9, func(r chi.Router) {
		api := &roster.API{Verifier: auth.Verifier{Secret: secret}}
		api.Routes(r)
		api.ImportRoutes(r)
	})
}
