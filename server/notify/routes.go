package notify

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"

	"github.com/go-chi/chi/v5"

	"github.com/agentpulse/agentpulse/auth"
	"github.com/agentpulse/agentpulse/views"
)

// maxPrefsBody bounds the preferences body.
const maxPrefsBody = 8 << 10

// Routes mounts, behind auth.Require (agent, supervisor, admin):
//
//	GET  /v1/notifications                {"notifications": […], "unread": n}
//	POST /v1/notifications/{id}/read      Notification
//	POST /v1/notifications/read-all       {"marked": n, "unread": 0}
//	GET  /v1/notification-preferences     Prefs
//	PUT  /v1/notification-preferences     Prefs → Prefs
func (c *Center) Routes(r chi.Router, v auth.TokenVerifier) {
	r.Group(func(r chi.Router) {
		r.Use(auth.Require(v, auth.RoleAgent, auth.RoleSupervisor, auth.RoleAdmin))
		r.Get("/v1/notifications", c.handleList)
		r.Post("/v1/notifications/{id}/read", c.handleRead)
		r.Post("/v1/notifications/read-all", c.handleReadAll)
		r.Get("/v1/notification-preferences", c.handleGetPrefs)
		r.Put("/v1/notification-preferences", c.handlePutPrefs)
	})
}

func claims(r *http.Request) auth.Claims {
	cl, _ := auth.ClaimsFrom(r.Context())
	return cl
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	var buf bytes.Buffer
	_ = json.NewEncoder(&buf).Encode(v) // plain structs: cannot fail
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}

func (c *Center) handleList(w http.ResponseWriter, r *http.Request) {
	list, unread := c.List(claims(r))
	writeJSON(w, http.StatusOK, map[string]any{"notifications": list, "unread": unread})
}

func (c *Center) handleRead(w http.ResponseWriter, r *http.Request) {
	n, err := c.MarkRead(r.Context(), claims(r), chi.URLParam(r, "id"))
	if errors.Is(err, ErrNotFound) {
		auth.WriteError(w, http.StatusNotFound, "no notification with this id for this token", "id")
		return
	}
	if err != nil {
		c.unavailable(w, "the read mark", err)
		return
	}
	writeJSON(w, http.StatusOK, n)
}

func (c *Center) handleGetPrefs(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, c.Prefs(claims(r)))
}

func (c *Center) handlePutPrefs(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxPrefsBody))
	if err != nil {
		auth.WriteError(w, http.StatusRequestEntityTooLarge, "the body is larger than 8 KiB or could not be read", "body")
		return
	}
	p, err := DecodePrefs(body)
	var fe *views.FieldError
	if errors.As(err, &fe) {
		writeJSON(w, http.StatusBadRequest, map[string]any{"error": fe.Message, "field": fe.Field, "errors": []*views.FieldError{fe}})
		return
	}
	if err := c.SetPrefs(r.Context(), claims(r), p); err != nil {
		c.unavailable(w, "the preferences", err)
		return
	}
	writeJSON(w, http.StatusOK, p)
}

// unavailable answers 503 when the broker did not keep what, and logs why.
func (c *Center) unavailable(w http.ResponseWriter, what string, err error) {
	c.cfg.Logger.Warn("notifications: broker write failed", "what", what, "err", err)
	w.Header().Set("Retry-After", "5")
	auth.WriteError(w, http.StatusServiceUnavailable, what+" could not be saved now (the broker did not answer); try again in a few seconds", "")
}
