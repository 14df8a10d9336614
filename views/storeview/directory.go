package storeview

import (
	"context"
	"slices"
	"strings"
)

// The directory: the tenant's teams and agents as the roster the
// processors keep says they are now (an agent's current team is that of
// their newest interaction, TeamOf), for the admins' and team leaders'
// lists. With WithCache it is answered from the cache's roster through a
// sorted index (dirIndex), built once from the roster and then kept by
// the updates' roster parts; without, from one read of the tenant's
// roster per call.

// DirectoryTeam is one team of the directory.
type DirectoryTeam struct {
	Team   string
	Agents int // agents whose current team it is
}

// DirectoryAgent is one agent of the directory.
type DirectoryAgent struct {
	Agent  string
	Team   string   // current team
	Models []string // models the agent has current interactions in, sorted
}

// AgentQuery selects a page of the directory's agents.
type AgentQuery struct {
	// Teams, when not nil, keeps only the agents of these teams (a
	// supervisor's, or the one asked for).
	Teams []string
	// After keeps only the agents whose id sorts after it (the cursor).
	After string
	// Match, when not nil, keeps only the agents it accepts; it is called
	// in id order until the page is full and must not call back into
	// Views.
	Match func(agent string) bool
	// Limit is the page's size (at least 1).
	Limit int
}

// dirIndex is a tenant's directory: every agent with a current team,
// sorted, and each team's agents, sorted.
type dirIndex struct {
	ids   []string
	teams map[string][]string
}

// newDirIndex builds the index of m.
func newDirIndex(m rosterMap) *dirIndex {
	d := &dirIndex{teams: map[string][]string{}}
	for agent, a := range m {
		if team, ok := a.team(); ok {
			d.ids = append(d.ids, agent)
			d.teams[team] = append(d.teams[team], agent)
		}
	}
	slices.Sort(d.ids)
	for _, ids := range d.teams {
		slices.Sort(ids)
	}
	return d
}

// insertSorted adds s to the sorted xs unless present.
func insertSorted(xs []string, s string) []string {
	if i, found := slices.BinarySearch(xs, s); !found {
		return slices.Insert(xs, i, s)
	}
	return xs
}

// deleteSorted removes s from the sorted xs when present.
func deleteSorted(xs []string, s string) []string {
	if i, found := slices.BinarySearch(xs, s); found {
		return slices.Delete(xs, i, i+1)
	}
	return xs
}

// move records that agent's current team went from before (had) to after
// (has): O(agents of the tenant) in the worst case (a slice insert), for
// a new agent or a move only.
func (d *dirIndex) move(agent, before, after string, had, has bool) {
	if had == has && before == after {
		return
	}
	if had {
		d.teams[before] = deleteSorted(d.teams[before], agent)
		if len(d.teams[before]) == 0 {
			delete(d.teams, before)
		}
	}
	if has {
		d.teams[after] = insertSorted(d.teams[after], agent)
	}
	switch {
	case had && !has:
		d.ids = deleteSorted(d.ids, agent)
	case !had && has:
		d.ids = insertSorted(d.ids, agent)
	}
}

// directory calls fn with the tenant's index and roster, under the
// cache's roster read lock, or with ones read from the store without
// WithCache. fn must not block. A Refresh between the tenant's load and
// the read makes it load again.
func (v *Views) directory(ctx context.Context, tenant string, fn func(d *dirIndex, m rosterMap)) error {
	if v.cache == nil {
		m, err := v.readRoster(ctx, tenant, "")
		if err != nil {
			return err
		}
		fn(newDirIndex(m), m)
		return nil
	}
	b := v.cache.roster
	for {
		if err := v.loadRoster(ctx, tenant); err != nil {
			return err
		}
		b.mu.Lock()
		tr := b.tenants[tenant]
		if tr != nil && tr.loaded && tr.dir == nil {
			tr.dir = newDirIndex(tr.agents)
		}
		b.mu.Unlock()
		b.mu.RLock()
		if tr = b.tenants[tenant]; tr != nil && tr.loaded && tr.dir != nil {
			fn(tr.dir, tr.agents)
			b.mu.RUnlock()
			return nil
		}
		b.mu.RUnlock()
		if err := ctx.Err(); err != nil {
			return err
		}
	}
}

// DirectoryTeams returns the tenant's teams that have agents now, sorted
// by id, each with its agent count; only those in only when it is not
// nil (no duplicates). O(teams log teams), O(only) with only.
func (v *Views) DirectoryTeams(ctx context.Context, tenant string, only []string) ([]DirectoryTeam, error) {
	var out []DirectoryTeam
	err := v.directory(ctx, tenant, func(d *dirIndex, _ rosterMap) { out = d.teamList(only) })
	return out, err
}

// teamList is DirectoryTeams over d.
func (d *dirIndex) teamList(only []string) []DirectoryTeam {
	var out []DirectoryTeam
	if only != nil {
		for _, team := range only {
			if ids := d.teams[team]; len(ids) > 0 {
				out = append(out, DirectoryTeam{Team: team, Agents: len(ids)})
			}
		}
	} else {
		out = make([]DirectoryTeam, 0, len(d.teams))
		for team, ids := range d.teams {
			out = append(out, DirectoryTeam{Team: team, Agents: len(ids)})
		}
	}
	slices.SortFunc(out, func(a, b DirectoryTeam) int { return strings.Compare(a.Team, b.Team) })
	return out
}

// DirectoryAgents returns a page of the tenant's agents that have a
// current team, sorted by id, selected by q; next is the page's last id
// when more follow. Without q.Match it costs O(log agents + page) (one
// team's or every agent's sorted ids, several teams merged); with it, as
// many Match calls as agents are passed over until the page fills.
func (v *Views) DirectoryAgents(ctx context.Context, tenant string, q AgentQuery) (page []DirectoryAgent, next string, err error) {
	err = v.directory(ctx, tenant, func(d *dirIndex, m rosterMap) { page, next = d.page(m, q) })
	return page, next, err
}

// page is DirectoryAgents over d and its roster m: the sorted id lists
// of q's teams (or every agent) merged from q.After on.
func (d *dirIndex) page(m rosterMap, q AgentQuery) (page []DirectoryAgent, next string) {
	limit := max(q.Limit, 1)
	var lists [][]string
	if q.Teams == nil {
		lists = [][]string{d.ids}
	} else {
		for _, t := range q.Teams {
			lists = append(lists, d.teams[t])
		}
	}
	pos := make([]int, len(lists))
	for i, l := range lists {
		pos[i], _ = slices.BinarySearch(l, q.After)
		if pos[i] < len(l) && l[pos[i]] == q.After {
			pos[i]++
		}
	}
	for {
		best := -1
		for i, l := range lists {
			if pos[i] < len(l) && (best < 0 || l[pos[i]] < lists[best][pos[best]]) {
				best = i
			}
		}
		if best < 0 {
			return page, ""
		}
		agent := lists[best][pos[best]]
		pos[best]++
		if q.Match != nil && !q.Match(agent) {
			continue
		}
		if len(page) == limit {
			return page, page[limit-1].Agent
		}
		a := m[agent]
		team, _ := a.team()
		page = append(page, DirectoryAgent{Agent: agent, Team: team, Models: a.models()})
	}
}
