package live

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/agentpulse/agentpulse/auth"
	"github.com/agentpulse/agentpulse/schemas"
	"github.com/agentpulse/agentpulse/server/api"
	"github.com/agentpulse/agentpulse/server/ws"
	"github.com/agentpulse/agentpulse/views"
	"github.com/agentpulse/agentpulse/views/storeview"
)

// PlanFunc returns the snapshot of plan id for the holder of c, or an
// error matching ws.ErrForbidden (not theirs) or ws.ErrNotFound (no such
// plan in c's tenant). It is the coaching plans' code.
type PlanFunc func(ctx context.Context, c auth.Claims, id string) (any, error)

// Config configures New. Views and API are required.
type Config struct {
	// Views reads the figures of snapshots.
	Views *storeview.Views
	// API supplies the access rules of the read API.
	API *api.API
	// Plan serves plan:{id}. Nil: every plan channel is not_found.
	Plan PlanFunc
	// Range is the range of snapshots. Zero: the default range (3m).
	Range views.RangeSpec
}

// Live is the default authorization and snapshots of the websocket
// channels. Build it with New; pass Authorize and Snapshot to ws.Config.
type Live struct {
	cfg Config
}

// ErrConfig is returned by New without Views or API.
var ErrConfig = errors.New("live: Views and API are required")

// New returns the channel rules over cfg.
func New(cfg Config) (*Live, error) {
	if cfg.Views == nil || cfg.API == nil {
		return nil, ErrConfig
	}
	return &Live{cfg: cfg}, nil
}

// Authorize is a ws.Authorizer: nil when c may subscribe to ch.
func (l *Live) Authorize(ctx context.Context, c auth.Claims, ch ws.Channel) error {
	switch c.Role {
	case auth.RoleAgent, auth.RoleSupervisor, auth.RoleAdmin:
	case auth.RoleWallboard:
		if ch.Kind != ws.KindWallboard || ch.ID != c.Wallboard {
			return fmt.Errorf("a wallboard key of %s may subscribe only to wallboard:%s: %w", c.Wallboard, c.Wallboard, ws.ErrForbidden)
		}
	default:
		return fmt.Errorf("role %s may not subscribe to channels: %w", c.Role, ws.ErrForbidden)
	}
	switch ch.Kind {
	case ws.KindAgent:
		return mapErr(l.cfg.API.AuthorizeAgent(ctx, c, ch.ID))
	case ws.KindTeam:
		return mapErr(l.cfg.API.AuthorizeTeam(c, ch.ID))
	case ws.KindWallboard:
		if c.Role == auth.RoleAgent {
			return fmt.Errorf("role agent may not see a wallboard: %w", ws.ErrForbidden)
		}
		models, err := l.cfg.Views.TenantModels(ctx, c.Tenant)
		if err != nil {
			return err
		}
		if !slices.Contains(models, ch.ID) {
			return fmt.Errorf("wallboard %q: no such model in the tenant: %w", ch.ID, ws.ErrNotFound)
		}
		return nil
	case ws.KindPlan:
		if l.cfg.Plan == nil {
			return fmt.Errorf("plan %q: %w", ch.ID, ws.ErrNotFound)
		}
		_, err := l.cfg.Plan(ctx, c, ch.ID)
		return err
	}
	return fmt.Errorf("channel kind %q: %w", ch.Kind, ws.ErrNotFound)
}

// mapErr turns the read API's refusals into the hub's.
func mapErr(err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, api.ErrForbidden):
		return fmt.Errorf("%w: %w", ws.ErrForbidden, err)
	case errors.Is(err, api.ErrNotFound):
		return fmt.Errorf("%w: %w", ws.ErrNotFound, err)
	}
	return err
}

// AgentSnapshot is the snapshot of agent:{id}.
type AgentSnapshot struct {
	Agent  string               `json:"agent"`
	Models []views.ModelSummary `json:"models"`
	// Performance is the agent's performance per model (keyed by model)
	// over the default range.
	Performance map[string]views.Performance `json:"performance"`
}

// TeamSnapshot is the snapshot of team:{id}.
type TeamSnapshot struct {
	Team string `json:"team"`
	// Agents are the team's agents per model (keyed by model) over the
	// default range; a model without data in the tenant is absent.
	Agents map[string][]views.TeamAgent `json:"agents"`
}

// Snapshot is a ws.Snapshotter.
func (l *Live) Snapshot(ctx context.Context, c auth.Claims, ch ws.Channel) (any, error) {
	v := l.cfg.Views
	switch ch.Kind {
	case ws.KindAgent:
		models, err := v.Models(ctx, c.Tenant, ch.ID)
		if err != nil {
			return nil, err
		}
		out := AgentSnapshot{Agent: ch.ID, Models: models, Performance: map[string]views.Performance{}}
		for _, m := range models {
			p, err := v.AgentPerformance(ctx, c.Tenant, ch.ID, m.Model, l.cfg.Range, views.SortSpec{})
			if errors.Is(err, views.ErrNoData) {
				continue
			}
			if err != nil {
				return nil, err
			}
			if c.Role == auth.RoleAgent {
				p.HideTopAgents() // as the read API: figures, not who
			}
			out.Performance[m.Model] = p
		}
		return out, nil
	case ws.KindTeam:
		models, err := v.TenantModels(ctx, c.Tenant)
		if err != nil {
			return nil, err
		}
		out := TeamSnapshot{Team: ch.ID, Agents: map[string][]views.TeamAgent{}}
		for _, m := range models {
			as, err := v.TeamAgents(ctx, c.Tenant, ch.ID, m, l.cfg.Range)
			if errors.Is(err, views.ErrNoData) {
				continue
			}
			if err != nil {
				return nil, err
			}
			out.Agents[m] = as
		}
		return out, nil
	case ws.KindWallboard:
		// A supervisor's snapshot holds their teams with their agents; an
		// admin's (or a TV key's) every team's figures and agent count
		// without the agents, O(teams) whatever the number of agents: a
		// client reads a page of teams' agents from GET
		// /v1/wallboards/{model}?teams=….
		q := storeview.WallboardQuery{NoAgents: true}
		if c.Role == auth.RoleSupervisor {
			q = storeview.WallboardQuery{Only: append([]string{}, c.Teams...)}
		}
		wb, err := v.Wallboard(ctx, c.Tenant, ch.ID, l.cfg.Range, q)
		if errors.Is(err, views.ErrNoData) {
			return storeview.Wallboard{Model: ch.ID, Teams: []storeview.WallboardTeam{}}, nil
		}
		return wb, err
	case ws.KindPlan:
		if l.cfg.Plan == nil {
			return nil, fmt.Errorf("plan %q: %w", ch.ID, ws.ErrNotFound)
		}
		return l.cfg.Plan(ctx, c, ch.ID)
	}
	return nil, fmt.Errorf("channel kind %q: %w", ch.Kind, ws.ErrNotFound)
}

// ScoreData returns the ws.ScoreDataFunc of score messages: what the
// update changed (ws.DefaultScoreData) plus, when the figures cache has
// them without reading the store, the agent's new overall figures over
// the default range (storeview.Views.CachedAgentFigures). It never blocks
// the updates feed on the store.
func ScoreData(sv *storeview.Views) ws.ScoreDataFunc {
	return func(_ context.Context, u schemas.Update) (any, error) {
		d := ws.DefaultScoreData(u)
		if f, rng, ok := sv.CachedAgentFigures(u.Tenant, u.Agent, u.Model, views.RangeSpec{}); ok {
			d.Figures, d.FiguresRange = &f, &rng
		}
		return d, nil
	}
}
