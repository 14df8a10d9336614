package retention_test

import (
	"testing"

	"github.com/go-chi/chi/v5"

	"github.com/agentpulse/agentpulse/auth"
	"github.com/agentpulse/agentpulse/schemas/openapitest"
	"github.com/agentpulse/agentpulse/server/retention"
)

// TestRoutesInOpenAPI: every route Routes mounts is an operation of
// schemas/openapi.yaml, marked conditional (served when configured).
func TestRoutesInOpenAPI(t *testing.T) {
	openapitest.ConditionalRoutes(t, 4, func(r chi.Router) {
		(&retention.Runner{}).Routes(r, auth.Verifier{Secret: secret})
	})
}
