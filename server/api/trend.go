package api

import (
	"fmt"
	"net/http"
	"time"

	"github.com/agentpulse/agentpulse/views"
)

// MaxTrendPoints bounds the points of one trend answer: a longer series
// is refused (field step) rather than computed.
const MaxTrendPoints = 400

// trendStep reads the step parameter and checks that the range spec gives
// at most MaxTrendPoints points (a preset always does).
func trendStep(r *http.Request, spec views.RangeSpec) (views.TrendStep, error) {
	step, err := views.ParseTrendStep(r.URL.Query().Get("step"))
	if err != nil {
		return "", err
	}
	if spec.Custom {
		per := 24 * time.Hour
		if step == views.TrendWeek {
			per *= 7
		}
		if n := int(spec.To.Sub(spec.From)/per) + 2; n > MaxTrendPoints {
			return "", &views.FieldError{Field: "step", Message: fmt.Sprintf("the range holds about %d %ss; at most %d points: use a shorter range or step=week", n, step, MaxTrendPoints)}
		}
	}
	return step, nil
}

// trend serves GET /v1/agents/{agent}/trend?model=&inquiry=&step=&range=|from=&to=.
func (a *API) trend(w http.ResponseWriter, r *http.Request) {
	c, agent, q, ok := a.agentQuery(w, r, false)
	if !ok {
		return
	}
	inquiry := r.URL.Query().Get("inquiry")
	if inquiry != "" {
		if err := checkInquiry(inquiry); err != nil {
			a.fail(w, r, err)
			return
		}
	}
	step, err := trendStep(r, q.rng)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	tr, err := a.views.Trend(r.Context(), c.Tenant, agent, q.model, inquiry, q.rng, step)
	a.answer(w, r, tr, err)
}

// standing serves GET /v1/agents/{agent}/standing?model=&range=|from=&to=.
func (a *API) standing(w http.ResponseWriter, r *http.Request) {
	c, agent, q, ok := a.agentQuery(w, r, false)
	if !ok {
		return
	}
	s, err := a.views.Standing(r.Context(), c.Tenant, agent, q.model, q.rng)
	a.answer(w, r, s, err)
}

// teamTrend serves GET /v1/teams/{team}/trend?model=&step=&range=|from=&to=.
func (a *API) teamTrend(w http.ResponseWriter, r *http.Request) {
	c, team, q, ok := a.teamQuery(w, r)
	if !ok {
		return
	}
	step, err := trendStep(r, q.rng)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	tr, err := a.views.TeamTrend(r.Context(), c.Tenant, team, q.model, q.rng, step)
	if err != nil {
		a.fail(w, r, fmt.Errorf("team %q: %w", team, err))
		return
	}
	a.writeJSON(w, r, tr)
}
