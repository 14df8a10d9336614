package storeview

import (
	"context"
	"fmt"
	"time"

	"github.com/agentpulse/agentpulse/processor/store"
	"github.com/agentpulse/agentpulse/schemas"
	"github.com/agentpulse/agentpulse/views"
)

// newest is what an agent's all-time buckets say about their newest
// interaction: the newest hour, and the (model, inquiry, team) of every
// bucket of that hour.
type newest struct {
	hour  time.Time
	cells []cell
}

type cell struct{ model, inquiry, team string }

func (n *newest) add(model string, hour time.Time, inquiry, team string) {
	switch {
	case n.hour.IsZero() || hour.After(n.hour):
		n.hour, n.cells = hour, n.cells[:0]
	case hour.Before(n.hour):
		return
	}
	n.cells = append(n.cells, cell{model, inquiry, team})
}

// TeamOf returns the agent's current team: the team_id of their newest
// interaction in the tenant (any model, all time; ended_at, then
// interaction_id). ok is false for an agent without interactions.
//
// Within a context from WithTeamMemo the answer is read from the store
// once per (tenant, agent), so a request that checks access and then
// computes figures does not read the agent's buckets twice.
func (v *Views) TeamOf(ctx context.Context, tenant, agent string) (team string, ok bool, err error) {
	memo, _ := ctx.Value(teamMemoKey{}).(map[[2]string]teamAnswer)
	if a, hit := memo[[2]string{tenant, agent}]; hit {
		return a.team, a.ok, nil
	}
	if v.cache != nil {
		teams, err := v.teamsCached(ctx, tenant, []string{agent})
		if err != nil {
			return "", false, err
		}
		team, ok = teams[agent]
	} else {
		teams, err := v.teamsOf(ctx, tenant, agent, nil)
		if err != nil {
			return "", false, err
		}
		team, ok = teams[agent]
	}
	if memo != nil {
		memo[[2]string{tenant, agent}] = teamAnswer{team, ok}
	}
	return team, ok, nil
}

type teamMemoKey struct{}

type teamAnswer struct {
	team string
	ok   bool
}

// WithTeamMemo returns a context in which TeamOf remembers its answers:
// for one request, served by one goroutine (the memo is not locked).
func WithTeamMemo(ctx context.Context) context.Context {
	return context.WithValue(ctx, teamMemoKey{}, map[[2]string]teamAnswer{})
}

// teamsOf returns the current team of one agent (agent non-empty: reads
// only that agent's buckets) or of every agent in want (agent empty: reads
// every bucket of the tenant's models; want nil means every agent).
func (v *Views) teamsOf(ctx context.Context, tenant, agent string, want map[string]bool) (map[string]string, error) {
	ds, err := v.teamsDecided(ctx, tenant, agent, want)
	if err != nil {
		return nil, err
	}
	out := make(map[string]string, len(ds))
	for id, d := range ds {
		out[id] = d.team
	}
	return out, nil
}

// teamDecision is an agent's current team and whether stored
// interactions (store.Recent) decided it: their newest hour holds more
// than one team.
type teamDecision struct {
	team     string
	byRecent bool
}

// teamsDecided is teamsOf with how each team was decided.
func (v *Views) teamsDecided(ctx context.Context, tenant, agent string, want map[string]bool) (map[string]teamDecision, error) {
	models, err := v.modelsOf(ctx, tenant)
	if err != nil {
		return nil, err
	}
	byAgent := map[string]*newest{}
	for _, model := range models {
		err := v.newestOf(ctx, tenant, model, agent, func(a store.AgentNewest) error {
			if want != nil && !want[a.Agent] {
				return nil
			}
			n := byAgent[a.Agent]
			if n == nil {
				n = new(newest)
				byAgent[a.Agent] = n
			}
			for i := range a.Inquiry {
				n.add(model, a.Hour, a.Inquiry[i], a.Team[i])
			}
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("team of agents of tenant %q: read model %q: %w", tenant, model, err)
		}
	}
	out := make(map[string]teamDecision, len(byAgent))
	for id, n := range byAgent {
		team, err := v.newestTeam(ctx, tenant, id, n)
		if err != nil {
			return nil, err
		}
		out[id] = teamDecision{team, !n.singleTeam()}
	}
	return out, nil
}

// singleTeam reports whether every cell of the newest hour has one team.
func (n *newest) singleTeam() bool {
	for _, c := range n.cells[1:] {
		if c.team != n.cells[0].team {
			return false
		}
	}
	return true
}

// newestTeam decides the team of the agent's newest interaction, which
// lies in hour n.hour. With one team in that hour it is that team;
// otherwise the newest interaction of every (model, inquiry) of the hour
// is read with store.Recent and the newest of those
// (views.CompareNewestFirst) decides.
func (v *Views) newestTeam(ctx context.Context, tenant, agent string, n *newest) (string, error) {
	if n.singleTeam() {
		return n.cells[0].team, nil
	}
	var best *schemas.Interaction
	seen := map[cell]bool{}
	for _, c := range n.cells {
		k := cell{c.model, c.inquiry, ""}
		if seen[k] {
			continue
		}
		seen[k] = true
		recs, err := v.r.Recent(ctx, tenant, c.model, agent, c.inquiry, 1)
		if err != nil {
			return "", fmt.Errorf("team of agent %q: newest interaction on %q/%q: %w", agent, c.model, c.inquiry, err)
		}
		if len(recs) > 0 && (best == nil || views.CompareNewestFirst(&recs[0], best) < 0) {
			best = &recs[0]
		}
	}
	if best == nil {
		if _, ok := v.r.(*Overlay); ok {
			// The overlay holds the hour's buckets before the store holds
			// its interactions: decide by the smallest team until it does.
			team := n.cells[0].team
			for _, c := range n.cells[1:] {
				team = min(team, c.team)
			}
			return team, nil
		}
		return "", fmt.Errorf("team of agent %q: buckets of %s but no interaction: %w", agent, n.hour.Format(time.RFC3339), errInconsistent)
	}
	return best.TeamID, nil
}
