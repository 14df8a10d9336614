package apikeys

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/go-chi/chi/v5"

	"github.com/agentpulse/agentpulse/audit"
	"github.com/agentpulse/agentpulse/auth"
	"github.com/agentpulse/agentpulse/schemas"
)

// Routes paths.
const (
	PathKeys   = "/v1/api-keys"
	PathRevoke = "/v1/api-keys/{id}/revoke"
	PathRotate = "/v1/api-keys/{id}/rotate"
)

// maxBody bounds a request body of these routes.
const maxBody = 4 << 10

// MaxOverlap bounds a rotation's overlap.
const MaxOverlap = 7 * 24 * time.Hour

// API serves the admins' routes over a Log.
type API struct {
	Log      *Log
	Verifier auth.TokenVerifier
	Logger   *slog.Logger
	// Audit records every creation, revocation and rotation; nil: none.
	Audit *audit.Log
}

// Routes mounts, for role admin only: POST and GET /v1/api-keys, POST
// /v1/api-keys/{id}/revoke and POST /v1/api-keys/{id}/rotate.
func (a *API) Routes(r chi.Router) {
	r.Group(func(r chi.Router) {
		r.Use(auth.Require(a.Verifier, auth.RoleAdmin))
		r.Post(PathKeys, a.create)
		r.Get(PathKeys, a.list)
		r.Post(PathRevoke, a.revoke)
		r.Post(PathRotate, a.rotate)
	})
}

// created is the answer of create and rotate: the key, shown this once.
type created struct {
	Key      string `json:"key"`
	APIKey   View   `json:"api_key"`
	Replaced *View  `json:"replaced,omitempty"`
}

type createBody struct {
	Name string `json:"name"`
	// Wallboard makes a TV's wallboard key for that model.
	Wallboard string `json:"wallboard"`
}

type rotateBody struct {
	OverlapS *int64 `json:"overlap_s"`
}

func (a *API) create(w http.ResponseWriter, r *http.Request) {
	c, _ := auth.ClaimsFrom(r.Context())
	var in createBody
	if !decode(w, r, &in) {
		return
	}
	if msg := checkName(in.Name); msg != "" {
		auth.WriteError(w, http.StatusBadRequest, msg, "name")
		return
	}
	if in.Wallboard != "" && !schemas.ValidID(in.Wallboard) {
		auth.WriteError(w, http.StatusBadRequest, "wallboard must be a model id: 1 to 128 of A-Z a-z 0-9 . _ @ -, starting with a letter or digit", "wallboard")
		return
	}
	rec, key, err := a.Log.CreateWallboard(r.Context(), c.Tenant, in.Name, in.Wallboard, c.Subject)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	a.logger().Info("api key created", "tenant", c.Tenant, "key_id", rec.ID, "by", c.Subject)
	detail := "name " + rec.Name
	if rec.Wallboard != "" {
		detail += "; wallboard key of " + rec.Wallboard
	}
	a.Audit.Record(r.Context(), audit.By(c, audit.APIKeyCreated, rec.ID, detail))
	writeJSON(w, http.StatusCreated, created{Key: key, APIKey: rec.View(a.Log.cfg.Now())})
}

func (a *API) list(w http.ResponseWriter, r *http.Request) {
	c, _ := auth.ClaimsFrom(r.Context())
	now := a.Log.cfg.Now()
	out := []View{}
	for _, rec := range a.Log.Keys().List(c.Tenant) {
		out = append(out, rec.View(now))
	}
	writeJSON(w, http.StatusOK, map[string][]View{"api_keys": out})
}

func (a *API) revoke(w http.ResponseWriter, r *http.Request) {
	c, _ := auth.ClaimsFrom(r.Context())
	rec, err := a.Log.Revoke(r.Context(), c.Tenant, chi.URLParam(r, "id"), c.Subject)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	a.logger().Info("api key revoked", "tenant", c.Tenant, "key_id", rec.ID, "by", c.Subject)
	a.Audit.Record(r.Context(), audit.By(c, audit.APIKeyRevoked, rec.ID, "name "+rec.Name))
	writeJSON(w, http.StatusOK, rec.View(a.Log.cfg.Now()))
}

func (a *API) rotate(w http.ResponseWriter, r *http.Request) {
	c, _ := auth.ClaimsFrom(r.Context())
	var in rotateBody
	if r.ContentLength != 0 && !decode(w, r, &in) {
		return
	}
	var overlap time.Duration
	if in.OverlapS != nil {
		overlap = time.Duration(*in.OverlapS) * time.Second
		if *in.OverlapS < 0 || overlap > MaxOverlap {
			auth.WriteError(w, http.StatusBadRequest, fmt.Sprintf("overlap_s must be 0 to %d seconds", int64(MaxOverlap/time.Second)), "overlap_s")
			return
		}
	}
	nr, key, old, err := a.Log.Rotate(r.Context(), c.Tenant, chi.URLParam(r, "id"), c.Subject, overlap)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	a.logger().Info("api key rotated", "tenant", c.Tenant, "key_id", old.ID, "new_key_id", nr.ID, "by", c.Subject)
	a.Audit.Record(r.Context(), audit.By(c, audit.APIKeyRotated, old.ID, fmt.Sprintf("replaced by %s; the old key works until %s", nr.ID, old.RevokedAt.Format(time.RFC3339))))
	now := a.Log.cfg.Now()
	ov := old.View(now)
	writeJSON(w, http.StatusCreated, created{Key: key, APIKey: nr.View(now), Replaced: &ov})
}

// checkName returns why name is refused, or "".
func checkName(name string) string {
	if name == "" || utf8.RuneCountInString(name) > 64 || !utf8.ValidString(name) {
		return "name must be 1 to 64 characters"
	}
	for _, r := range name {
		if !unicode.IsPrint(r) {
			return "name must be printable characters"
		}
	}
	return ""
}

// decode reads a strict JSON body into v, answering 400 or 413 itself.
func decode(w http.ResponseWriter, r *http.Request, v any) bool {
	b, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBody))
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		auth.WriteError(w, http.StatusRequestEntityTooLarge, fmt.Sprintf("the body is larger than %d bytes", maxBody), "body")
		return false
	}
	if err == nil {
		d := json.NewDecoder(bytes.NewReader(b))
		d.DisallowUnknownFields()
		if err = d.Decode(v); err == nil && d.More() {
			err = errors.New("trailing data after the JSON object")
		}
	}
	if err != nil {
		auth.WriteError(w, http.StatusBadRequest, "the body is not the expected JSON object: "+err.Error(), "body")
		return false
	}
	return true
}

func (a *API) fail(w http.ResponseWriter, r *http.Request, err error) {
	switch {
	case errors.Is(err, ErrNotFound):
		auth.WriteError(w, http.StatusNotFound, err.Error(), "id")
	case errors.Is(err, ErrRevoked):
		auth.WriteError(w, http.StatusConflict, err.Error(), "id")
	case errors.Is(err, ErrTooMany):
		auth.WriteError(w, http.StatusConflict, err.Error()+"; revoke unused keys first", "")
	default:
		a.logger().Warn("api keys: store failed", "err", err)
		w.Header().Set("Retry-After", "2")
		auth.WriteError(w, http.StatusServiceUnavailable, "the key could not be stored; retry", "")
	}
}

func (a *API) logger() *slog.Logger {
	if a.Logger == nil {
		return slog.New(slog.DiscardHandler)
	}
	return a.Logger
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, _ := json.Marshal(v)
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_, _ = w.Write(append(b, '\n'))
}
