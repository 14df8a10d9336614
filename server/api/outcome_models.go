package api

import (
	"net/http"

	"github.com/agentpulse/agentpulse/auth"
	"github.com/agentpulse/agentpulse/views"
)

// OutcomeModelSource answers GET /v1/outcome-models: the outcome learner
// of this process (processor/learn.Learner.Models) or the summaries it
// publishes (cmd/agentpulse: the outcome-models topic). ok is false when
// the tenant's model has no learner yet. Safe for concurrent use.
type OutcomeModelSource interface {
	Models(tenant, model string) (views.OutcomeModels, bool)
}

// outcomeModels serves GET /v1/outcome-models?model= (admin): per target
// the labels seen and pending, log-loss and normalized entropy against the
// base rate, AUC, calibration by decile, what is served and the version.
func (a *API) outcomeModels(w http.ResponseWriter, r *http.Request) {
	c, ok := claims(w, r)
	if !ok {
		return
	}
	if c.Role != auth.RoleAdmin {
		a.fail(w, r, forbidden("role", "role %s may not read the outcome models; it needs role admin", c.Role))
		return
	}
	model := r.URL.Query().Get("model")
	if err := checkModel(model); err != nil {
		a.fail(w, r, err)
		return
	}
	if a.outcomes == nil {
		w.Header().Set("Retry-After", "30")
		auth.WriteError(w, http.StatusServiceUnavailable, "the outcome learner does not run (agentpulse all/process with --learn=false) or its summaries have not reached this server yet", "")
		return
	}
	m, ok := a.outcomes.Models(c.Tenant, model)
	if !ok {
		a.fail(w, r, notFound("model", "no outcome model for model %s in this tenant: no interaction or outcome of it has been learnt from", clip(model)))
		return
	}
	a.writeJSON(w, r, m)
}
