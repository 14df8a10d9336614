// Package oidc owns single sign-on for people: the OpenID Connect
// authorization-code flow with PKCE for the dashboard, configured per
// tenant (issuer, client id and secret, which claim or groups map to role
// and supervised teams), and the verification of the identity provider's
// access tokens presented by API clients (JWKS, RS256/ES256, iss and aud
// checked, keys rotated by kid).
//
// Library choice: github.com/coreos/go-oidc/v3 with golang.org/x/oauth2.
// They do exactly the relying party's part (discovery, JWKS with refetch on
// an unknown kid, ID token verification, code exchange with PKCE, refresh)
// with one extra module (go-jose); zitadel/oidc is a whole provider
// framework, used here only by the tests as the real OpenID provider the
// flow runs against. go-oidc's key set only refetches on an unknown kid;
// keySet (keyset.go) also replaces the copy once it is older than the JWKS
// answer's Cache-Control max-age (clamped to MinKeyAge..Config.KeyMaxAge),
// so a key the IdP retired stops verifying within that bound. It is safe
// for concurrent use (one mutex around the current set).
//
// # Sessions
//
// After the callback the browser holds two cookies, both HttpOnly,
// SameSite=Lax and Secure (except plain http on a loopback host, for
// development): agentpulse_session, a product token (HS256, signed like
// every other, SessionTTL, 15 minutes by default) that auth reads when a
// request has no Authorization header; and agentpulse_refresh (path
// /auth), the IdP's refresh token sealed with AES-GCM under a key derived
// from the signing secret. POST /auth/refresh asks the IdP again (so a
// role or team removed there takes effect within SessionTTL) and issues a
// new session; /auth/logout clears both and ends the IdP session. No token
// ever reaches JavaScript, localStorage or a URL.
//
// # Tenants
//
// The tenant of a session or an access token is the tenant whose
// configured issuer (and client id, as audience) verified it, never a
// claim: another tenant's IdP cannot sign into this tenant.
//
// Concurrency: an OIDC is safe for concurrent use after New.
package oidc
