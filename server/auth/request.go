package auth

import (
	"fmt"
	"net/http"
	"strings"
)

// Where a token was found, named as the error field of a refusal.
const (
	fieldHeader = "Authorization"
	fieldQuery  = "access_token"
)

// FromRequest returns the bearer token of r: from the Authorization header
// ("Bearer <token>", scheme case-insensitive) or, when the header is
// absent, from the access_token query parameter (browsers cannot set
// headers on a websocket). It returns an error matching ErrNoToken when
// neither holds a token or the header uses another scheme.
func FromRequest(r *http.Request) (string, error) {
	tok, _, err := fromRequest(r)
	return tok, err
}

// fromRequest is FromRequest that also names where the token came from.
func fromRequest(r *http.Request) (token, field string, err error) {
	if h := r.Header.Get("Authorization"); h != "" {
		scheme, rest, _ := strings.Cut(strings.TrimSpace(h), " ")
		tok := strings.TrimSpace(rest)
		if !strings.EqualFold(scheme, "Bearer") || tok == "" {
			return "", fieldHeader, fmt.Errorf("%w (the Authorization header is not \"Bearer <token>\")", ErrNoToken)
		}
		return tok, fieldHeader, nil
	}
	if tok := r.URL.Query().Get(fieldQuery); tok != "" {
		return tok, fieldQuery, nil
	}
	return "", fieldHeader, ErrNoToken
}
