package api

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"

	"github.com/go-chi/chi/v5"

	"github.com/agentpulse/agentpulse/auth"
	"github.com/agentpulse/agentpulse/views"
	"github.com/agentpulse/agentpulse/views/storeview"
)

// PathParam returns the route parameter name, unescaped. chi matches on
// the escaped path when the request's path has escapes the default
// encoding would not produce (such as %2F), and then returns the
// parameter escaped.
func PathParam(r *http.Request, name string) (string, error) {
	v := chi.URLParam(r, name)
	if r.URL.RawPath == "" {
		return v, nil
	}
	u, err := url.PathUnescape(v)
	if err != nil {
		return "", &views.FieldError{Field: name, Message: "is not a valid URL path segment"}
	}
	return u, nil
}

// writeJSON writes v as the 200 answer. The body is encoded before the
// status is sent, so an encoding failure is still a clean 500.
func (a *API) writeJSON(w http.ResponseWriter, r *http.Request, v any) {
	var buf bytes.Buffer
	if err := json.NewEncoder(&buf).Encode(v); err != nil {
		a.fail(w, r, err)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(buf.Bytes())
}

// fail answers err: a *views.FieldError with 400 and its field,
// views.ErrNoData with 404 naming model, storeview.ErrWarming with 503 and
// Retry-After, an *apiError with its status, a
// request whose context ended with 503, anything else (a store failure)
// with a logged 500 that does not leak the cause.
func (a *API) fail(w http.ResponseWriter, r *http.Request, err error) {
	var fe *views.FieldError
	var ae *apiError
	switch {
	case errors.As(err, &fe):
		auth.WriteError(w, http.StatusBadRequest, fe.Message, fe.Field)
	case errors.As(err, &ae):
		auth.WriteError(w, ae.status, ae.msg, ae.field)
	case errors.Is(err, views.ErrNoData):
		auth.WriteError(w, http.StatusNotFound, "no data for this model in this tenant", "model")
	case errors.Is(err, storeview.ErrWarming):
		// The model's figures are being built (a server that just started,
		// or a rebuild); the build goes on and a retry is answered fast.
		w.Header().Set("Retry-After", "5")
		auth.WriteError(w, http.StatusServiceUnavailable, "figures for this model are being prepared, retry shortly", "")
	case r.Context().Err() != nil && (errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded)):
		a.log.DebugContext(r.Context(), "request ended before its answer", "path", r.URL.Path, "error", err)
		auth.WriteError(w, http.StatusServiceUnavailable, "the request was cancelled or timed out", "")
	default:
		a.log.ErrorContext(r.Context(), "read api", "path", r.URL.Path, "error", err)
		auth.WriteError(w, http.StatusInternalServerError, "internal error reading the store", "")
	}
}
