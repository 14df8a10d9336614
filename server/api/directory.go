package api

import (
	"net/http"

	"github.com/agentpulse/agentpulse/views/storeview"
)

// NameSource gives the display names the directory and the inquiry list
// carry (auth/roster keeps them; server/app adapts it). Safe for
// concurrent use; it must not block.
type NameSource interface {
	// Person is the display name of the tenant's person (agent) id, ""
	// without one.
	Person(tenant, id string) string
	// Label is the display name of a team ("teams"), inquiry
	// ("inquiries") or model ("models") id, "" without one.
	Label(tenant, kind, id string) string
}

// noNames is the NameSource without a roster: no names.
type noNames struct{}

func (noNames) Person(string, string) string        { return "" }
func (noNames) Label(string, string, string) string { return "" }

// DirectoryTeam is one team of GET /v1/teams.
type DirectoryTeam struct {
	Team       string `json:"team"`
	Name       string `json:"name,omitempty"` // display name, absent without one
	AgentCount int    `json:"agent_count"`
}

// DirectoryAgent is one agent of GET /v1/agents.
type DirectoryAgent struct {
	AgentID string   `json:"agent_id"`
	Name    string   `json:"name,omitempty"` // display name, absent without one
	Team    string   `json:"team"`
	Models  []string `json:"models"`
}

type directoryTeams struct {
	Teams []DirectoryTeam `json:"teams"`
	Next  string          `json:"next,omitempty"`
}

type directoryAgents struct {
	Agents []DirectoryAgent `json:"agents"`
	Next   string           `json:"next,omitempty"`
}

// directoryTeams serves GET /v1/teams: the teams that have agents now
// (the roster the processors keep), sorted by id, with their agent counts
// and display names; q searches id and name, after/limit page. A
// supervisor gets the teams they lead. O(teams).
func (a *API) directoryTeams(w http.ResponseWriter, r *http.Request) {
	c, ok := claims(w, r)
	if !ok {
		return
	}
	q, err := parseDirectory(r.URL.Query(), c, false)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	ts, err := a.views.DirectoryTeams(r.Context(), c.Tenant, q.teams)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	out := directoryTeams{Teams: []DirectoryTeam{}}
	for _, t := range ts {
		if t.Team <= q.after && q.after != "" {
			continue
		}
		name := a.names.Label(c.Tenant, "teams", t.Team)
		if !matches(q.search, t.Team, name) {
			continue
		}
		if len(out.Teams) == q.limit {
			out.Next = out.Teams[q.limit-1].Team
			break
		}
		out.Teams = append(out.Teams, DirectoryTeam{Team: t.Team, Name: name, AgentCount: t.Agents})
	}
	a.writeJSON(w, r, out)
}

// directoryAgents serves GET /v1/agents: the agents that have a current
// team (the roster the processors keep), sorted by id, with their
// display names, teams and models; q searches id and name, team narrows
// to one team, after/limit page. A supervisor gets the agents of the
// teams they lead. O(log agents + page) without q; with q, one match per
// agent passed over until the page fills.
func (a *API) directoryAgents(w http.ResponseWriter, r *http.Request) {
	c, ok := claims(w, r)
	if !ok {
		return
	}
	q, err := parseDirectory(r.URL.Query(), c, true)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	sq := storeview.AgentQuery{Teams: q.teams, After: q.after, Limit: q.limit}
	if q.search != "" {
		sq.Match = func(agent string) bool { return matches(q.search, agent, a.names.Person(c.Tenant, agent)) }
	}
	page, next, err := a.views.DirectoryAgents(r.Context(), c.Tenant, sq)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	out := directoryAgents{Agents: make([]DirectoryAgent, 0, len(page)), Next: next}
	for _, p := range page {
		models := p.Models
		if models == nil {
			models = []string{}
		}
		out.Agents = append(out.Agents, DirectoryAgent{AgentID: p.Agent, Name: a.names.Person(c.Tenant, p.Agent), Team: p.Team, Models: models})
	}
	a.writeJSON(w, r, out)
}
