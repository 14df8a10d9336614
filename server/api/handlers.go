package api

import (
	"fmt"
	"net/http"

	"github.com/agentpulse/agentpulse/auth"
	"github.com/agentpulse/agentpulse/views"
)

// modelsAnswer is GET /v1/agents/{agent}/models.
type modelsAnswer struct {
	Models []views.ModelSummary `json:"models"`
}

// teamAnswer is GET /v1/teams/{team}/agents.
type teamAnswer struct {
	Agents []views.TeamAgent `json:"agents"`
}

// claims returns the claims auth.Require stored; Routes always installs
// it, so their absence is a wiring bug answered as 401.
func claims(w http.ResponseWriter, r *http.Request) (auth.Claims, bool) {
	c, ok := auth.ClaimsFrom(r.Context())
	if !ok {
		auth.WriteError(w, http.StatusUnauthorized, auth.ErrNoToken.Error(), "authorization")
	}
	return c, ok
}

// agentRequest validates the {agent} path parameter and the caller's
// access to it; it has answered the request when ok is false.
func (a *API) agentRequest(w http.ResponseWriter, r *http.Request, mustExist bool) (c auth.Claims, agent string, ok bool) {
	c, ok = claims(w, r)
	if !ok {
		return c, "", false
	}
	agent, err := PathParam(r, "agent")
	if err == nil {
		err = checkID("agent", agent)
	}
	if err == nil {
		err = a.checkAgent(r.Context(), c, agent, mustExist)
	}
	if err != nil {
		a.fail(w, r, err)
		return c, "", false
	}
	return c, agent, true
}

// teamQuery reads the caller's claims, the path's {team}, which the
// caller must be allowed to see, and the query's model and range; a
// refusal is answered and ok is false.
func (a *API) teamQuery(w http.ResponseWriter, r *http.Request) (c auth.Claims, team string, q query, ok bool) {
	c, ok = claims(w, r)
	if !ok {
		return c, "", q, false
	}
	team, err := PathParam(r, "team")
	if err == nil {
		err = checkID("team", team)
	}
	if err == nil {
		err = checkTeam(c, team)
	}
	if err != nil {
		a.fail(w, r, err)
		return c, "", q, false
	}
	q, ok = a.query(w, r, false)
	return c, team, q, ok
}

// agentQuery is agentRequest for an agent that must exist, then the
// query's model, range and (withSort) sort; a refusal is answered and ok
// is false.
func (a *API) agentQuery(w http.ResponseWriter, r *http.Request, withSort bool) (c auth.Claims, agent string, q query, ok bool) {
	c, agent, ok = a.agentRequest(w, r, true)
	if !ok {
		return c, "", q, false
	}
	q, ok = a.query(w, r, withSort)
	return c, agent, q, ok
}

// query parses the request's query; a refusal is answered and ok is
// false.
func (a *API) query(w http.ResponseWriter, r *http.Request, withSort bool) (query, bool) {
	q, err := parseQuery(r.URL.Query(), withSort)
	if err != nil {
		a.fail(w, r, err)
		return query{}, false
	}
	return q, true
}

// inquiryParam reads and checks the path's {inquiry}; a refusal is
// answered and ok is false.
func (a *API) inquiryParam(w http.ResponseWriter, r *http.Request) (string, bool) {
	inquiry, err := PathParam(r, "inquiry")
	if err == nil {
		err = checkInquiry(inquiry)
	}
	if err != nil {
		a.fail(w, r, err)
		return "", false
	}
	return inquiry, true
}

// answer writes v, or err as fail does when err is not nil.
func (a *API) answer(w http.ResponseWriter, r *http.Request, v any, err error) {
	if err != nil {
		a.fail(w, r, err)
		return
	}
	a.writeJSON(w, r, v)
}

// models serves GET /v1/agents/{agent}/models: an empty list for an agent
// without interactions.
func (a *API) models(w http.ResponseWriter, r *http.Request) {
	c, agent, ok := a.agentRequest(w, r, false)
	if !ok {
		return
	}
	ms, err := a.views.Models(r.Context(), c.Tenant, agent)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	a.writeJSON(w, r, modelsAnswer{Models: ms})
}

// performance serves GET /v1/agents/{agent}/performance.
func (a *API) performance(w http.ResponseWriter, r *http.Request) {
	c, agent, q, ok := a.agentQuery(w, r, true)
	if !ok {
		return
	}
	p, err := a.views.AgentPerformance(r.Context(), c.Tenant, agent, q.model, q.rng, q.sort)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	if c.Role == auth.RoleAgent {
		p.HideTopAgents() // agents see the top agent's figures, not who it is
	}
	a.writeJSON(w, r, p)
}

// inquiry serves GET /v1/agents/{agent}/inquiries/{inquiry}. An inquiry
// on which neither the agent nor any population member has interactions
// in the range is 404 (field inquiry).
func (a *API) inquiry(w http.ResponseWriter, r *http.Request) {
	c, agent, ok := a.agentRequest(w, r, true)
	if !ok {
		return
	}
	inquiry, ok := a.inquiryParam(w, r)
	if !ok {
		return
	}
	q, ok := a.query(w, r, false)
	if !ok {
		return
	}
	d, err := a.views.InquiryDetail(r.Context(), c.Tenant, agent, q.model, inquiry, q.rng, a.recent)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	if d.Volume == 0 && d.Population == 0 {
		a.fail(w, r, notFound("inquiry", "no interactions on inquiry %q by this agent or its population in the range", inquiry))
		return
	}
	if c.Role == auth.RoleAgent {
		d.HideTopAgent()
	}
	a.writeJSON(w, r, d)
}

// teamAgents serves GET /v1/teams/{team}/agents: an empty list for a
// team without agents in the range.
func (a *API) teamAgents(w http.ResponseWriter, r *http.Request) {
	c, team, q, ok := a.teamQuery(w, r)
	if !ok {
		return
	}
	agents, err := a.views.TeamAgents(r.Context(), c.Tenant, team, q.model, q.rng)
	if err != nil {
		a.fail(w, r, fmt.Errorf("team %q: %w", team, err))
		return
	}
	a.writeJSON(w, r, teamAnswer{Agents: agents})
}
