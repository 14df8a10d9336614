package api

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	"github.com/agentpulse/agentpulse/auth"
)

// Sentinels matched (errors.Is) by the refusals of this package.
var (
	// ErrForbidden is returned when a valid token asks for data that is not
	// its holder's (another agent, another team). Answered with 403.
	ErrForbidden = errors.New("forbidden")
	// ErrNotFound is returned when the asked-for data does not exist in the
	// token's tenant (an agent without interactions, an inquiry nobody
	// handled in the range). Answered with 404.
	ErrNotFound = errors.New("not found")
)

// apiError is a refusal with its status and the parameter to blame.
type apiError struct {
	status int
	field  string
	err    error // ErrForbidden or ErrNotFound
	msg    string
}

func (e *apiError) Error() string { return e.err.Error() + ": " + e.msg }
func (e *apiError) Unwrap() error { return e.err }

func forbidden(field, format string, args ...any) error {
	return &apiError{status: http.StatusForbidden, field: field, err: ErrForbidden, msg: fmt.Sprintf(format, args...)}
}

func notFound(field, format string, args ...any) error {
	return &apiError{status: http.StatusNotFound, field: field, err: ErrNotFound, msg: fmt.Sprintf(format, args...)}
}

// checkAgent reports whether c may read agent's data in c's tenant:
// role agent only their own id; supervisor an agent whose current team is
// one c leads; admin anyone. With mustExist, an agent without any
// interaction in the tenant is ErrNotFound for agent and admin tokens (a
// supervisor gets ErrForbidden: the agent is in none of their teams, and
// whether it exists is not theirs to learn).
func (a *API) checkAgent(ctx context.Context, c auth.Claims, agent string, mustExist bool) error {
	switch c.Role {
	case auth.RoleAgent:
		if c.Subject != agent {
			return forbidden("agent", "role agent may read only its own data (agent %q)", c.Subject)
		}
	case auth.RoleSupervisor:
		team, ok, err := a.views.TeamOf(ctx, c.Tenant, agent)
		if err != nil {
			return fmt.Errorf("team of agent %q: %w", agent, err)
		}
		if !ok || !c.Leads(team) {
			return forbidden("agent", "agent %q is not in a team this supervisor leads", agent)
		}
		return nil
	case auth.RoleAdmin:
	default:
		return forbidden("role", "role %s may not read agent data", c.Role)
	}
	if !mustExist {
		return nil
	}
	_, ok, err := a.views.TeamOf(ctx, c.Tenant, agent)
	if err != nil {
		return fmt.Errorf("team of agent %q: %w", agent, err)
	}
	if !ok {
		return notFound("agent", "agent %q has no interactions", agent)
	}
	return nil
}

// checkTeam reports whether c may read team's endpoint: a supervisor who
// leads it, or an admin.
func checkTeam(c auth.Claims, team string) error {
	switch c.Role {
	case auth.RoleAdmin:
		return nil
	case auth.RoleSupervisor:
		if c.Leads(team) {
			return nil
		}
		return forbidden("team", "this supervisor does not lead team %q", team)
	}
	return forbidden("role", "role %s may not read team data; it needs role supervisor or admin", c.Role)
}
