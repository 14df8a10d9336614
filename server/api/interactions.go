package api

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"

	"github.com/agentpulse/agentpulse/schemas"
	"github.com/agentpulse/agentpulse/views"
)

// Bounds and default of the limit parameter of the interactions route.
const (
	DefaultInteractionsLimit = 10
	MaxInteractionsLimit     = 100
)

// interactionsAnswer is GET /v1/agents/{agent}/inquiries/{inquiry}/interactions.
type interactionsAnswer struct {
	Interactions []schemas.Interaction `json:"interactions"`
}

// reviewQuery is the parsed metric, worst and limit of the interactions
// route.
type reviewQuery struct {
	metric views.Metric
	worst  bool
	limit  int
}

// parseReview reads metric (required: aes, aht, psat or pres), worst
// (true or false, default false) and limit (1 to MaxInteractionsLimit,
// default DefaultInteractionsLimit). Every error is a *views.FieldError
// naming the parameter.
func parseReview(q url.Values) (reviewQuery, error) {
	out := reviewQuery{limit: DefaultInteractionsLimit}
	var err error
	if out.metric, err = views.ParseMetric(q.Get("metric")); err != nil {
		return reviewQuery{}, err
	}
	switch w := q.Get("worst"); w {
	case "", "false":
	case "true":
		out.worst = true
	default:
		return reviewQuery{}, &views.FieldError{Field: "worst", Message: "must be true or false; got " + clip(w)}
	}
	if s := q.Get("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > MaxInteractionsLimit {
			return reviewQuery{}, &views.FieldError{Field: "limit", Message: "must be an integer from 1 to " + strconv.Itoa(MaxInteractionsLimit) + "; got " + clip(s)}
		}
		out.limit = n
	}
	return out, nil
}

// interactions serves GET /v1/agents/{agent}/inquiries/{inquiry}/interactions:
// the agent's interactions on the inquiry in the range that have a value
// for metric, poorest first with worst=true, else newest first, at most
// limit. Access is the inquiry detail's. A metric the model lacks (psat
// or pres on a model without predictions) is 400 (field metric); an
// inquiry without such interactions is an empty list, not 404.
func (a *API) interactions(w http.ResponseWriter, r *http.Request) {
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
	rq, err := parseReview(r.URL.Query())
	if err != nil {
		a.fail(w, r, err)
		return
	}
	// Without data for the model the list call below answers 404 (model).
	metrics, err := a.views.ModelMetrics(r.Context(), c.Tenant, q.model)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	if len(metrics) > 0 && !slices.Contains(metrics, rq.metric) {
		a.fail(w, r, &views.FieldError{Field: "metric", Message: "model " + clip(q.model) + " has no " + string(rq.metric) + " (it has no predictions)"})
		return
	}
	list := a.views.NewestInteractions
	if rq.worst {
		list = a.views.WorstInteractions
	}
	its, err := list(r.Context(), c.Tenant, agent, q.model, inquiry, rq.metric, q.rng, rq.limit)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	a.writeJSON(w, r, interactionsAnswer{Interactions: its})
}
