package auth

import "errors"

// Sentinels matched (errors.Is) by the errors of this package.
var (
	// ErrNoToken is returned by FromRequest when the request carries no
	// bearer token.
	ErrNoToken = errors.New("no bearer token: send \"Authorization: Bearer <token>\" (or access_token=<token> on a websocket)")
	// ErrMalformed is returned by Verify for a string that is not a JWT
	// (wrong segment count, bad base64 or JSON, claims of the wrong type).
	ErrMalformed = errors.New("token is malformed")
	// ErrAlgorithm is returned by Verify for a token signed with anything
	// but HS256, "none" included.
	ErrAlgorithm = errors.New("token is not signed with HS256")
	// ErrSignature is returned by Verify when the signature does not match
	// the secret (signed with another key, or altered).
	ErrSignature = errors.New("token signature does not match this server's secret")
	// ErrExpired is returned by Verify for a token past its exp claim.
	ErrExpired = errors.New("token has expired")
	// ErrMissingClaim is returned by Verify and Mint when tenant, sub, role
	// or exp is absent or empty.
	ErrMissingClaim = errors.New("token claim is missing")
	// ErrInvalidClaim is returned by Verify and Mint for a claim of the
	// wrong form (a tenant that is not an id, teams on a non-supervisor, a
	// token not valid yet).
	ErrInvalidClaim = errors.New("token claim is invalid")
	// ErrUnknownRole is returned by Verify and Mint for a role other than
	// agent, supervisor, admin or ingest.
	ErrUnknownRole = errors.New("unknown role")
	// ErrWeakSecret is returned by Mint, Verify, ResolveSecret and
	// LoadOrCreateSecret for a secret shorter than MinSecretBytes.
	ErrWeakSecret = errors.New("secret is too short")
	// ErrInvalidTTL is returned by Mint for a lifetime that is not positive.
	ErrInvalidTTL = errors.New("token lifetime must be positive")
	// ErrNotAllowed is returned by a verifier that checks who may use a
	// tenant (auth/roster) for a good token whose holder may not: the
	// tenant's roster does not list them. Require answers it with 403,
	// not 401: signing in again does not help.
	ErrNotAllowed = errors.New("this person is not in the organisation's roster of people; ask an administrator to add them")
)

// ClaimError is a refusal caused by one claim. It matches (errors.Is) its
// sentinel Err: ErrMissingClaim, ErrInvalidClaim, ErrUnknownRole or
// ErrExpired.
type ClaimError struct {
	// Claim is the JSON name of the claim: "tenant", "sub", "role",
	// "teams", "exp" or "nbf".
	Claim string
	// Err is the sentinel.
	Err error
	// Detail says what was wrong with the value, for people; may be empty.
	Detail string
}

// Error returns "claim <name>: <sentinel>[: detail]".
func (e *ClaimError) Error() string {
	s := "claim " + e.Claim + ": " + e.Err.Error()
	if e.Detail != "" {
		s += ": " + e.Detail
	}
	return s
}

// Unwrap returns the sentinel.
func (e *ClaimError) Unwrap() error { return e.Err }

// Field returns the claim that err blames ("" when none does).
func Field(err error) string {
	var ce *ClaimError
	if errors.As(err, &ce) {
		return ce.Claim
	}
	return ""
}
