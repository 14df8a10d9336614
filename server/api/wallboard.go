package api

import (
	"errors"
	"net/http"
	"time"

	"github.com/agentpulse/agentpulse/auth"
	"github.com/agentpulse/agentpulse/views"
)

// TenantModel is one model of GET /v1/models.
type TenantModel struct {
	Model  string    `json:"model"`
	Latest time.Time `json:"latest"` // the model's latest available data
}

// tenantModelsAnswer is GET /v1/models.
type tenantModelsAnswer struct {
	Models []TenantModel `json:"models"`
}

// checkWallboardRole admits supervisors and admins (who pick a model and a
// team for a wallboard); agents and other roles are refused.
func checkWallboardRole(c auth.Claims) error {
	switch c.Role {
	case auth.RoleSupervisor, auth.RoleAdmin:
		return nil
	}
	return forbidden("role", "role %s may not read team or wallboard data; it needs role supervisor or admin", c.Role)
}

// wallboardClaims reads the caller's claims, which must allow wallboards;
// a refusal is answered and ok is false.
func (a *API) wallboardClaims(w http.ResponseWriter, r *http.Request) (auth.Claims, bool) {
	c, ok := claims(w, r)
	if !ok {
		return c, false
	}
	if err := checkWallboardRole(c); err != nil {
		a.fail(w, r, err)
		return c, false
	}
	return c, true
}

// tenantModels serves GET /v1/models: the tenant's models that have data,
// sorted, with their latest data (supervisors and admins: the wallboard
// picker).
func (a *API) tenantModels(w http.ResponseWriter, r *http.Request) {
	c, ok := a.wallboardClaims(w, r)
	if !ok {
		return
	}
	ms, err := a.views.TenantModels(r.Context(), c.Tenant)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	out := tenantModelsAnswer{Models: []TenantModel{}}
	for _, m := range ms {
		latest, err := a.views.LatestData(r.Context(), c.Tenant, m)
		if errors.Is(err, views.ErrNoData) {
			continue
		}
		if err != nil {
			a.fail(w, r, err)
			return
		}
		out.Models = append(out.Models, TenantModel{Model: m, Latest: latest})
	}
	a.writeJSON(w, r, out)
}

// wallboard serves GET /v1/wallboards/{model}: the model's figures per
// team with their agents (the snapshot of wallboard:{model}), over range
// or from/to, narrowed by parseWallboard's parameters (team, teams,
// agents, after, limit). A supervisor gets only the teams they lead.
func (a *API) wallboard(w http.ResponseWriter, r *http.Request) {
	c, ok := claims(w, r) // the role is checked below: a wallboard key reads its one model
	if !ok {
		return
	}
	model, err := PathParam(r, "model")
	if err != nil {
		a.fail(w, r, err)
		return
	}
	if c.Role == auth.RoleWallboard {
		if c.Wallboard != model {
			a.fail(w, r, forbidden("model", "this wallboard key reads only the %s wallboard", c.Wallboard))
			return
		}
	} else if err := checkWallboardRole(c); err != nil {
		a.fail(w, r, err)
		return
	}
	qv := r.URL.Query()
	qv.Set("model", model)
	q, err := parseQuery(qv, false)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	wq, err := parseWallboard(qv, c)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	wb, err := a.views.Wallboard(r.Context(), c.Tenant, q.model, q.rng, wq)
	a.answer(w, r, wb, err)
}
