// Package auth owns who a caller is and what they may do: HS256 JWTs
// carrying a tenant, a subject, a role and (for supervisors) teams; minting
// them ([Mint]), verifying them ([Verifier]), reading them from a request
// ([FromRequest]), an HTTP middleware that admits only some roles
// ([Require]) and the server's signing secret ([LoadOrCreateSecret],
// [ResolveSecret]).
//
// It sits below both ingest and server, which use it; it imports neither
// (nor anything of the product but schemas).
//
// # Consistency
//
// A token is trusted for what it says until it expires: there is no
// revocation list, so keep lifetimes short for people and rotate the secret
// to revoke everything. Every token is scoped to one tenant; handlers must
// compare that tenant with the data they serve (see [ClaimsFrom]).
//
// # Errors
//
// Every refusal of a token matches one exported sentinel with errors.Is
// (ErrNoToken, ErrMalformed, ErrAlgorithm, ErrSignature, ErrExpired,
// ErrMissingClaim, ErrInvalidClaim, ErrUnknownRole); refusals about one claim
// are a [*ClaimError] naming it. [Require] answers them with 401 and a JSON
// body {"error": "...", "field": "..."}, and a role it does not admit with
// 403, as it does ErrNotAllowed (a good token whose holder a verifier such
// as auth/roster's refuses: signing in again would not help).
//
// # Concurrency
//
// Every function and method is safe for concurrent use; a [Verifier] and
// the middleware hold no mutable state. [LoadOrCreateSecret] is safe
// against other processes creating the same secret file at the same time:
// exactly one file wins and every caller returns its content.
package auth
