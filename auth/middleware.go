package auth

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"slices"
	"strings"
)

// ctxKey keys the Claims in a request's context.
type ctxKey struct{}

// WithClaims returns a copy of ctx carrying c, as Require stores them.
func WithClaims(ctx context.Context, c Claims) context.Context {
	return context.WithValue(ctx, ctxKey{}, c)
}

// ClaimsFrom returns the Claims that Require stored in ctx, and whether
// there were any.
func ClaimsFrom(ctx context.Context) (Claims, bool) {
	c, ok := ctx.Value(ctxKey{}).(Claims)
	return c, ok
}

// Require returns a middleware (chi's func(http.Handler) http.Handler)
// that admits a request only with a token v accepts and whose role is one
// of roles (any role when roles is empty). It answers a missing or refused
// token with 401 and a WWW-Authenticate challenge, a role not admitted with
// 403, both with a JSON body {"error": "...", "field": "..."}; otherwise it
// calls next with the Claims in the request's context (ClaimsFrom). It does
// not read the body and never blocks beyond next.
func Require(v TokenVerifier, roles ...Role) func(http.Handler) http.Handler {
	allowed := slices.Clone(roles)
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			c, status, field, err := check(v, allowed, r, false)
			if err != nil {
				if status == http.StatusUnauthorized {
					w.Header().Set("WWW-Authenticate", challenge(r))
				}
				WriteError(w, status, err.Error(), field)
				return
			}
			next.ServeHTTP(w, r.WithContext(WithClaims(r.Context(), c)))
		})
	}
}

// Authenticate verifies r's token and checks its role against roles (any
// role when empty), as Require does, for handlers that answer on their
// own. status is 401 or 403 when err is not nil; field names the claim or
// where the token came from.
func Authenticate(v TokenVerifier, r *http.Request, roles ...Role) (c Claims, status int, field string, err error) {
	return check(v, roles, r, false)
}

// AuthenticateWebsocket is Authenticate for the websocket upgrade: without
// an Authorization header it takes the token from the access_token query
// parameter (browsers cannot set headers on a websocket).
func AuthenticateWebsocket(v TokenVerifier, r *http.Request, roles ...Role) (c Claims, status int, field string, err error) {
	return check(v, roles, r, true)
}

func check(v TokenVerifier, roles []Role, r *http.Request, query bool) (Claims, int, string, error) {
	tok, src, err := fromRequest(r, query)
	if err != nil {
		return Claims{}, http.StatusUnauthorized, src, err
	}
	c, err := v.Verify(tok)
	if err != nil {
		field := Field(err)
		if field == "" {
			field = src
		}
		if errors.Is(err, ErrNotAllowed) {
			return Claims{}, http.StatusForbidden, "sub", err
		}
		return Claims{}, http.StatusUnauthorized, field, err
	}
	if len(roles) > 0 && !slices.Contains(roles, c.Role) {
		names := make([]string, len(roles))
		for i, r := range roles {
			names[i] = string(r)
		}
		return c, http.StatusForbidden, "role", &forbiddenError{role: c.Role, allowed: strings.Join(names, " or ")}
	}
	return c, 0, "", nil
}

// forbiddenError is a 403: the token is good, its role is not admitted.
type forbiddenError struct {
	role    Role
	allowed string
}

func (e *forbiddenError) Error() string {
	return "role " + string(e.role) + " may not do this; it needs role " + e.allowed
}

// challenge is the RFC 6750 WWW-Authenticate value for a refusal.
func challenge(r *http.Request) string {
	if r.Header.Get("Authorization") == "" {
		return `Bearer realm="agentpulse"`
	}
	return `Bearer realm="agentpulse", error="invalid_token"`
}

// errorBody is the JSON of every error answer in the API.
type errorBody struct {
	Error string `json:"error"`
	Field string `json:"field,omitempty"`
}

// WriteError writes status with the JSON body {"error": msg, "field":
// field} (field omitted when empty), the error shape of the whole API.
func WriteError(w http.ResponseWriter, status int, msg, field string) {
	b, _ := json.Marshal(errorBody{Error: msg, Field: field}) // cannot fail: two strings
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	_, _ = w.Write(append(b, '\n'))
}
