package audit

import (
	"encoding/json"
	"net/http"
	"strconv"
	"time"

	"github.com/go-chi/chi/v5"

	"github.com/agentpulse/agentpulse/auth"
)

// Path is the admins' audit route.
const Path = "/v1/audit"

// MaxLimit bounds one answer.
const MaxLimit = 1000

// Routes mounts GET /v1/audit for role admin: the tenant's events, newest
// first; ?action= filters, ?since= (RFC 3339) bounds, ?limit= (1 to 1000,
// default 100) caps.
func (l *Log) Routes(r chi.Router, v auth.TokenVerifier) {
	r.With(auth.Require(v, auth.RoleAdmin)).Get(Path, func(w http.ResponseWriter, r *http.Request) {
		c, _ := auth.ClaimsFrom(r.Context())
		q := r.URL.Query()
		limit := 100
		if s := q.Get("limit"); s != "" {
			n, err := strconv.Atoi(s)
			if err != nil || n < 1 || n > MaxLimit {
				auth.WriteError(w, http.StatusBadRequest, "limit must be 1 to 1000", "limit")
				return
			}
			limit = n
		}
		var since time.Time
		if s := q.Get("since"); s != "" {
			t, err := time.Parse(time.RFC3339, s)
			if err != nil {
				auth.WriteError(w, http.StatusBadRequest, "since must be an RFC 3339 time (2026-12-01T00:00:00Z)", "since")
				return
			}
			since = t
		}
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Cache-Control", "no-store")
		_ = json.NewEncoder(w).Encode(map[string][]Event{"events": l.Query(c.Tenant, q.Get("action"), since, limit)})
	})
}
