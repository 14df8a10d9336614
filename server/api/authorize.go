package api

import (
	"context"

	"github.com/agentpulse/agentpulse/auth"
)

// AuthorizeAgent applies the access rule of the agent routes to c and
// agent, for other servers of the same data (the websocket's agent
// channels): nil when c may read the agent's data; an error matching
// ErrForbidden when not; another error when the store fails. An agent's
// own id is admitted before their first interaction (their data may
// arrive); an admin asking for an agent without interactions gets an
// error matching ErrNotFound, so that made-up ids open no channels.
func (a *API) AuthorizeAgent(ctx context.Context, c auth.Claims, agent string) error {
	return a.checkAgent(ctx, c, agent, c.Role == auth.RoleAdmin)
}

// AuthorizeTeam applies the access rule of GET /v1/teams/{team}/agents:
// nil for an admin or a supervisor who leads team, otherwise an error
// matching ErrForbidden.
func (a *API) AuthorizeTeam(c auth.Claims, team string) error { return checkTeam(c, team) }
