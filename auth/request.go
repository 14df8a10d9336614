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

// SessionCookie is the cookie of a browser's single sign-on session
// (auth/oidc): a product token, HttpOnly, read when a request has no
// Authorization header.
const SessionCookie = "agentpulse_session"

// FromRequest returns the bearer token of r's Authorization header
// ("Bearer <token>", scheme case-insensitive) or, without that header, of
// its single sign-on session cookie (SessionCookie). It returns an error
// matching ErrNoToken when there is none or the header uses another
// scheme. The access_token query parameter is not read: it is for the
// websocket upgrade alone (AuthenticateWebsocket), so that tokens stay out
// of the URLs (and logs) of every other route.
func FromRequest(r *http.Request) (string, error) {
	tok, _, err := fromRequest(r, false)
	return tok, err
}

// fromRequest is FromRequest that also names where the token came from:
// the Authorization header, else (query) the access_token parameter, else
// the session cookie.
func fromRequest(r *http.Request, query bool) (token, field string, err error) {
	if h := r.Header.Get("Authorization"); h != "" {
		scheme, rest, _ := strings.Cut(strings.TrimSpace(h), " ")
		tok := strings.TrimSpace(rest)
		if !strings.EqualFold(scheme, "Bearer") || tok == "" {
			return "", fieldHeader, fmt.Errorf("%w (the Authorization header is not \"Bearer <token>\")", ErrNoToken)
		}
		return tok, fieldHeader, nil
	}
	// An explicit token (the websocket's access_token) wins over the
	// session cookie, as the Authorization header does.
	if query {
		if tok := r.URL.Query().Get(fieldQuery); tok != "" {
			return tok, fieldQuery, nil
		}
	}
	if ck, err := r.Cookie(SessionCookie); err == nil && ck.Value != "" {
		return ck.Value, SessionCookie, nil
	}
	return "", fieldHeader, ErrNoToken
}

// WebsocketToken returns the token AuthenticateWebsocket reads from r
// (header, access_token, session cookie), or "" when there is none: the
// websocket hub keeps it to verify the connection again later (a roster
// change, auth/roster).
func WebsocketToken(r *http.Request) string {
	tok, _, err := fromRequest(r, true)
	if err != nil {
		return ""
	}
	return tok
}
