package storeview

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"

	"github.com/agentpulse/agentpulse/processor/store"
)

// errNoRoster is returned when the Reader keeps no roster
// (store.RosterReader): both stores and Overlay do.
var errNoRoster = errors.New("the store keeps no roster (store.RosterReader)")

// rosterAgent is one agent's roster parts: one per (model, partition),
// the newest value of each (store.RosterPart).
type rosterAgent struct {
	parts []store.RosterPart
}

// put records p unless the agent holds a higher version of its part.
func (a *rosterAgent) put(p store.RosterPart) {
	for i := range a.parts {
		if a.parts[i].Model == p.Model && a.parts[i].Partition == p.Partition {
			if p.Version >= a.parts[i].Version {
				a.parts[i] = p
			}
			return
		}
	}
	a.parts = append(a.parts, p)
}

// newest returns the newest of the agent's parts in model (any model when
// model is empty); ok is false when none names an interaction.
func (a *rosterAgent) newest(model string) (store.RosterPart, bool) {
	var best store.RosterPart
	for i := range a.parts {
		p := &a.parts[i]
		if (model == "" || p.Model == model) && store.NewerPart(p, &best) {
			best = *p
		}
	}
	return best, !best.Empty()
}

// team is the agent's current team: that of their newest interaction in
// the tenant.
func (a *rosterAgent) team() (string, bool) {
	if a == nil {
		return "", false
	}
	p, ok := a.newest("")
	return p.Team, ok
}

// models returns the models the agent has current interactions in, sorted.
func (a *rosterAgent) models() []string {
	var out []string
	for i := range a.parts {
		if !a.parts[i].Empty() && !slices.Contains(out, a.parts[i].Model) {
			out = append(out, a.parts[i].Model)
		}
	}
	slices.Sort(out)
	return out
}

// rosterMap is a tenant's agents' roster parts.
type rosterMap map[string]*rosterAgent

func (m rosterMap) put(p store.RosterPart) *rosterAgent {
	a := m[p.Agent]
	if a == nil {
		a = &rosterAgent{}
		m[p.Agent] = a
	}
	a.put(p)
	return a
}

// readRoster reads the tenant's roster parts (only agent's when not
// empty) from the Reader.
func (v *Views) readRoster(ctx context.Context, tenant, agent string) (rosterMap, error) {
	rr, ok := v.r.(store.RosterReader)
	if !ok {
		return nil, errNoRoster
	}
	m := rosterMap{}
	err := rr.Roster(ctx, tenant, agent, func(p store.RosterPart) error {
		m.put(p)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("roster of tenant %q: %w", tenant, err)
	}
	return m, nil
}

// rosterBook is the cache's roster: every tenant's parts, read from the
// store once per tenant (on first use or at warm-up) and kept current by
// the updates' roster parts (OnUpdate). Parts are versioned, so an update
// applied before, during or after the tenant's read gives the same
// result.
type rosterBook struct {
	mu      sync.RWMutex
	tenants map[string]*tenantRoster
}

type tenantRoster struct {
	agents  rosterMap
	models  map[string]bool // every model of a part: the tenant's models
	loaded  bool
	loading chan struct{} // closed when the running read ends; nil when none
	dir     *dirIndex     // the directory's index; nil until first used (directory.go)
}

func newRosterBook() *rosterBook { return &rosterBook{tenants: map[string]*tenantRoster{}} }

// tenant returns the tenant's roster, creating it. b.mu is held.
func (b *rosterBook) tenant(t string) *tenantRoster {
	tr := b.tenants[t]
	if tr == nil {
		tr = &tenantRoster{agents: rosterMap{}, models: map[string]bool{}}
		b.tenants[t] = tr
	}
	return tr
}

// apply records an update's part and returns the agent's current team
// before and after it.
func (b *rosterBook) apply(p store.RosterPart) (before, after string, hadBefore, hasAfter bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	tr := b.tenant(p.Tenant)
	a := tr.agents[p.Agent]
	before, hadBefore = a.team()
	a = tr.agents.put(p)
	tr.models[p.Model] = true
	after, hasAfter = a.team()
	if tr.dir != nil {
		tr.dir.move(p.Agent, before, after, hadBefore, hasAfter)
	}
	return
}

// load makes sure the tenant's roster has been read from the store
// (single flight: concurrent callers wait for one read).
func (v *Views) loadRoster(ctx context.Context, tenant string) error {
	b := v.cache.roster
	for {
		b.mu.Lock()
		tr := b.tenant(tenant)
		if tr.loaded {
			b.mu.Unlock()
			return nil
		}
		if ch := tr.loading; ch != nil {
			b.mu.Unlock()
			select {
			case <-ch:
				continue
			case <-ctx.Done():
				return ctx.Err()
			}
		}
		ch := make(chan struct{})
		tr.loading = ch
		b.mu.Unlock()
		m, err := v.readRoster(ctx, tenant, "")
		b.mu.Lock()
		if err == nil {
			for _, a := range m {
				for _, p := range a.parts {
					tr.agents.put(p)
					tr.models[p.Model] = true
				}
			}
			tr.loaded = true
			tr.dir = nil // built again from the merged roster when next used
			v.cache.metrics.rosterAgents.Add(float64(len(m)))
		}
		tr.loading = nil
		close(ch)
		b.mu.Unlock()
		return err
	}
}

// teamLookup returns the tenant's current teams as a function of the
// agent: the cache's roster, or one read of the tenant's roster.
func (v *Views) teamLookup(ctx context.Context, tenant string) (func(agent string) (string, bool), error) {
	if v.cache == nil {
		m, err := v.readRoster(ctx, tenant, "")
		if err != nil {
			return nil, err
		}
		return func(agent string) (string, bool) { return m[agent].team() }, nil
	}
	if err := v.loadRoster(ctx, tenant); err != nil {
		return nil, err
	}
	b := v.cache.roster
	return func(agent string) (string, bool) {
		b.mu.RLock()
		defer b.mu.RUnlock()
		tr := b.tenants[tenant]
		if tr == nil { // reset by a refresh since (as modelCache.teamOf)
			return "", false
		}
		return tr.agents[agent].team()
	}, nil
}

// agentRoster returns a copy of the agent's roster parts.
func (v *Views) agentRoster(ctx context.Context, tenant, agent string) (*rosterAgent, error) {
	if v.cache == nil {
		m, err := v.readRoster(ctx, tenant, agent)
		if err != nil {
			return nil, err
		}
		if a := m[agent]; a != nil {
			return a, nil
		}
		return &rosterAgent{}, nil
	}
	out := &rosterAgent{}
	err := v.withLoadedRoster(ctx, tenant, func(tr *tenantRoster) {
		if a := tr.agents[agent]; a != nil {
			out.parts = slices.Clone(a.parts)
		}
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// withLoadedRoster calls fn with the tenant's loaded roster under the
// roster's read lock, loading it first. A refresh (rosterBook.reset, after
// a rebuilt marker) between the load and the lock forgets it: then it is
// loaded again (before, the nil roster crashed `make run` once).
func (v *Views) withLoadedRoster(ctx context.Context, tenant string, fn func(tr *tenantRoster)) error {
	b := v.cache.roster
	for {
		if err := v.loadRoster(ctx, tenant); err != nil {
			return err
		}
		b.mu.RLock()
		if tr := b.tenants[tenant]; tr != nil && tr.loaded {
			fn(tr)
			b.mu.RUnlock()
			return nil
		}
		b.mu.RUnlock()
	}
}

// TeamOf returns the agent's current team: the team_id of their newest
// interaction in the tenant (any model, all time; newest by ended_at,
// then interaction_id), a lookup in the roster the processors keep
// (store.RosterPart). ok is false for an agent without interactions.
// With WithCache it reads memory only (after the tenant's roster was
// read once); without, the agent's roster parts from the store.
func (v *Views) TeamOf(ctx context.Context, tenant, agent string) (team string, ok bool, err error) {
	a, err := v.agentRoster(ctx, tenant, agent)
	if err != nil {
		return "", false, fmt.Errorf("team of agent %q: %w", agent, err)
	}
	team, ok = a.team()
	return team, ok, nil
}

// applyRoster records an update's roster part in the cache's roster.
func (v *Views) applyRoster(p store.RosterPart) {
	before, after, had, has := v.cache.roster.apply(p)
	if before != after || had != has {
		v.cache.metrics.rosterMoves.Inc()
		v.cache.moveAgent(p.Tenant, p.Agent)
	}
}
