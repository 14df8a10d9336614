package live

import (
	"context"
	"errors"
	"fmt"

	"github.com/agentpulse/agentpulse/auth"
	"github.com/agentpulse/agentpulse/server/plans"
	"github.com/agentpulse/agentpulse/server/ws"
)

// PlansChannel returns the PlanFunc that serves plan:{id} from the
// coaching plans: the snapshot is the plan as GET /v1/plans/{id} answers
// it (settled and with Now recomputed), under the same access rules. A
// plan the token may not see is not_found, exactly like an unknown id, so
// a subscription never reveals that a plan exists.
func PlansChannel(s *plans.Service) PlanFunc {
	return func(ctx context.Context, c auth.Claims, id string) (any, error) {
		p, err := s.Get(ctx, c, id)
		switch {
		case err == nil:
			return p, nil
		case errors.Is(err, plans.ErrNotFound):
			return nil, fmt.Errorf("plan %q: %w", id, ws.ErrNotFound)
		case errors.Is(err, plans.ErrForbidden):
			return nil, fmt.Errorf("plan %q: %w", id, ws.ErrForbidden)
		}
		return nil, err
	}
}
