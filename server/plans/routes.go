package plans

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strconv"

	"github.com/go-chi/chi/v5"

	"github.com/agentpulse/agentpulse/auth"
	"github.com/agentpulse/agentpulse/server/api"
	"github.com/agentpulse/agentpulse/views"
)

// Routes mounts the plan routes on r, each behind auth.Require admitting
// roles agent, supervisor and admin (ingest gets 403):
//
//	POST  /v1/agents/{agent}/plans            201 Plan
//	GET   /v1/agents/{agent}/plans?status=    {"plans": [Plan, …]}
//	GET   /v1/plans/{id}                      Plan
//	PATCH /v1/plans/{id}/actions/{index}      {"done": bool} → Plan
//	POST  /v1/plans/{id}/cancel               Plan
//	GET   /v1/assistance-catalog              {"items": […]}
//	PUT   /v1/assistance-catalog              {"items": […]} → {"items": […]} (admin)
//	GET   /v1/inbox                           Inbox (asks for help to answer)
//	GET   /v1/at-risk-plans                   {"plans": [Plan, …]} (views.AtRisk)
//	POST  /v1/plans/{id}/acknowledge          Plan (supervisor, admin)
//	POST  /v1/plans/{id}/comments             {"text": "…"} → 201 Plan
//
// A body larger than Config.MaxBodyBytes gets 413. A refused plan input
// gets 400 with the first broken rule as error and field, and every
// broken rule in "errors": [{"field", "error"}, …].
func (s *Service) Routes(r chi.Router) {
	r.Group(func(r chi.Router) {
		r.Use(auth.Require(s.cfg.Verifier, auth.RoleAgent, auth.RoleSupervisor, auth.RoleAdmin))
		r.Post("/v1/agents/{agent}/plans", s.handleCreate)
		r.Get("/v1/agents/{agent}/plans", s.handleList)
		r.Get("/v1/plans/{id}", s.onPlan(s.Get))
		r.Patch("/v1/plans/{id}/actions/{index}", s.handleAction)
		r.Post("/v1/plans/{id}/cancel", s.onPlan(s.Cancel))
		r.Get("/v1/assistance-catalog", s.handleCatalog)
		r.Put("/v1/assistance-catalog", s.handlePutCatalog)
		r.Get("/v1/inbox", s.handleInbox)
		r.Get("/v1/at-risk-plans", s.handleAtRisk)
		r.Post("/v1/plans/{id}/acknowledge", s.onPlan(s.Acknowledge))
		r.Post("/v1/plans/{id}/comments", s.handleComment)
	})
}

func claims(r *http.Request) auth.Claims {
	c, _ := auth.ClaimsFrom(r.Context())
	return c
}

func (s *Service) handleCreate(w http.ResponseWriter, r *http.Request) {
	agent, err := api.PathParam(r, "agent")
	if err != nil {
		s.fail(w, r, err)
		return
	}
	body, ok := s.readBody(w, r)
	if !ok {
		return
	}
	in, err := views.DecodePlanInput(body)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	p, err := s.Create(r.Context(), claims(r), agent, in)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	w.Header().Set("Location", "/v1/plans/"+url.PathEscape(p.ID))
	s.writeJSON(w, r, http.StatusCreated, p)
}

func (s *Service) handleList(w http.ResponseWriter, r *http.Request) {
	agent, err := api.PathParam(r, "agent")
	if err != nil {
		s.fail(w, r, err)
		return
	}
	var status views.PlanStatus
	if q := r.URL.Query(); q.Has("status") {
		status = views.PlanStatus(q.Get("status"))
		switch status {
		case views.PlanInProgress, views.PlanAchieved, views.PlanMissed, views.PlanCancelled:
		default:
			s.fail(w, r, &views.FieldError{Field: "status", Message: "must be one of in_progress, achieved, missed, cancelled"})
			return
		}
	}
	plans, err := s.List(r.Context(), claims(r), agent, status)
	s.answer(w, r, http.StatusOK, map[string]any{"plans": plans}, err)
}

func (s *Service) handleAction(w http.ResponseWriter, r *http.Request) {
	id, err := api.PathParam(r, "id")
	if err != nil {
		s.fail(w, r, err)
		return
	}
	raw, err := api.PathParam(r, "index")
	if err != nil {
		s.fail(w, r, err)
		return
	}
	index, err := strconv.Atoi(raw)
	if err != nil || index < 0 || strconv.Itoa(index) != raw {
		s.fail(w, r, &views.FieldError{Field: "index", Message: "must be a 0-based action number such as 0, 1 or 2"})
		return
	}
	body, ok := s.readBody(w, r)
	if !ok {
		return
	}
	done, err := DecodeActionBody(body)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	p, err := s.SetAction(r.Context(), claims(r), id, index, done)
	s.answer(w, r, http.StatusOK, p, err)
}

func (s *Service) handleCatalog(w http.ResponseWriter, r *http.Request) {
	items, err := s.Catalog(r.Context(), claims(r))
	s.answer(w, r, http.StatusOK, map[string]any{"items": items}, err)
}

func (s *Service) handlePutCatalog(w http.ResponseWriter, r *http.Request) {
	if c := claims(r); c.Role != auth.RoleAdmin {
		s.fail(w, r, forbidden("role", "only role admin may change the assistance catalog"))
		return
	}
	body, ok := s.readBody(w, r)
	if !ok {
		return
	}
	items, err := DecodeCatalogBody(body)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	out, err := s.SetCatalog(r.Context(), claims(r), items)
	s.answer(w, r, http.StatusOK, map[string]any{"items": out}, err)
}

func (s *Service) handleInbox(w http.ResponseWriter, r *http.Request) {
	in, err := s.Inbox(r.Context(), claims(r))
	s.answer(w, r, http.StatusOK, in, err)
}

func (s *Service) handleAtRisk(w http.ResponseWriter, r *http.Request) {
	plans, err := s.AtRisk(r.Context(), claims(r))
	s.answer(w, r, http.StatusOK, map[string]any{"plans": plans}, err)
}

func (s *Service) handleComment(w http.ResponseWriter, r *http.Request) {
	id, err := api.PathParam(r, "id")
	if err != nil {
		s.fail(w, r, err)
		return
	}
	body, ok := s.readBody(w, r)
	if !ok {
		return
	}
	text, err := DecodeCommentBody(body)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	p, err := s.Comment(r.Context(), claims(r), id, text)
	s.answer(w, r, http.StatusCreated, p, err)
}

// onPlan answers op on the plan named by the path's {id}: 200 Plan.
func (s *Service) onPlan(op func(context.Context, auth.Claims, string) (views.Plan, error)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		id, err := api.PathParam(r, "id")
		if err != nil {
			s.fail(w, r, err)
			return
		}
		p, err := op(r.Context(), claims(r), id)
		s.answer(w, r, http.StatusOK, p, err)
	}
}

// answer writes v with status, or err as fail does when err is not nil.
func (s *Service) answer(w http.ResponseWriter, r *http.Request, status int, v any, err error) {
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.writeJSON(w, r, status, v)
}

// readBody reads the request body up to Config.MaxBodyBytes; a larger one
// is answered 413 and ok is false.
func (s *Service) readBody(w http.ResponseWriter, r *http.Request) ([]byte, bool) {
	b, err := io.ReadAll(http.MaxBytesReader(w, r.Body, s.cfg.MaxBodyBytes))
	var tooBig *http.MaxBytesError
	switch {
	case errors.As(err, &tooBig):
		auth.WriteError(w, http.StatusRequestEntityTooLarge, "the body is larger than "+strconv.FormatInt(s.cfg.MaxBodyBytes, 10)+" bytes", "body")
		return nil, false
	case err != nil:
		auth.WriteError(w, http.StatusBadRequest, "the body could not be read: "+err.Error(), "body")
		return nil, false
	}
	return b, true
}

// fieldErrorBody is the 400 answer of a refused input.
type fieldErrorBody struct {
	Error  string              `json:"error"`
	Field  string              `json:"field,omitempty"`
	Errors []*views.FieldError `json:"errors"`
}

// conflictBody is the 409 answer of a duplicate plan: the existing plan's
// id in plan_id.
type conflictBody struct {
	Error  string `json:"error"`
	Field  string `json:"field"`
	PlanID string `json:"plan_id"`
}

// fail answers err: a views.FieldErrors or *views.FieldError with 400
// (the first as error and field, all in "errors"), an *Error with its
// status, views.ErrNoData with 400 naming model, a request whose context
// ended with 503, anything else with a logged 500 that does not leak the
// cause.
func (s *Service) fail(w http.ResponseWriter, r *http.Request, err error) {
	var fes views.FieldErrors
	var fe *views.FieldError
	var pe *Error
	switch {
	case errors.As(err, &fes) && len(fes) > 0:
		s.writeJSON(w, r, http.StatusBadRequest, fieldErrorBody{Error: fes[0].Message, Field: fes[0].Field, Errors: fes})
	case errors.As(err, &fe):
		s.writeJSON(w, r, http.StatusBadRequest, fieldErrorBody{Error: fe.Message, Field: fe.Field, Errors: []*views.FieldError{fe}})
	case errors.As(err, &pe) && pe.PlanID != "":
		s.writeJSON(w, r, pe.Status, conflictBody{Error: pe.Msg, Field: pe.Field, PlanID: pe.PlanID})
	case errors.As(err, &pe):
		auth.WriteError(w, pe.Status, pe.Msg, pe.Field)
	case errors.Is(err, views.ErrNoData):
		auth.WriteError(w, http.StatusBadRequest, "there is no data for this model", "model")
	case r.Context().Err() != nil && (errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded)):
		auth.WriteError(w, http.StatusServiceUnavailable, "the request was cancelled or timed out", "")
	default:
		s.cfg.Logger.ErrorContext(r.Context(), "plans api", "path", r.URL.Path, "error", err)
		auth.WriteError(w, http.StatusInternalServerError, "internal error reading or writing the store", "")
	}
}

// writeJSON writes v with status; the body is encoded first, so an
// encoding failure is still a clean 500.
func (s *Service) writeJSON(w http.ResponseWriter, r *http.Request, status int, v any) {
	var buf bytes.Buffer
	if err := json.NewEncoder(&buf).Encode(v); err != nil {
		s.cfg.Logger.ErrorContext(r.Context(), "encode plans answer", "error", err)
		auth.WriteError(w, http.StatusInternalServerError, "internal error encoding the answer", "")
		return
	}
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}
