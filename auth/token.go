package auth

import (
	"errors"
	"fmt"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// MinSecretBytes is the shortest secret accepted for HS256: RFC 7518
// §3.2 requires a key at least as long as the hash output (32 bytes).
const MinSecretBytes = 32

// MaxTokenBytes bounds a token Verify decodes: longer ones are refused
// before any decoding (a forged megabyte costs nothing). The product's
// tokens are a few hundred bytes; IdP access tokens a few kilobytes.
const MaxTokenBytes = 8 << 10

// errCrit is what the key function returns for a token with a crit
// header; Verify reports it as ErrMalformed.
var errCrit = errors.New(`the token's header lists critical extensions ("crit"); none is supported`)

// wireClaims is the JSON payload of a token.
type wireClaims struct {
	Tenant string   `json:"tenant"`
	Role   string   `json:"role"`
	Teams  []string `json:"teams,omitempty"`
	jwt.RegisteredClaims
}

// Mint returns an HS256 token signed with secret carrying c, issued now
// and expiring after ttl (c.IssuedAt and c.ExpiresAt are ignored). It
// refuses claims that Verify would refuse, teams on a role other than
// supervisor (*ClaimError matching ErrInvalidClaim), a secret shorter than
// MinSecretBytes (ErrWeakSecret) and a ttl <= 0 (ErrInvalidTTL).
func Mint(secret []byte, c Claims, ttl time.Duration) (string, error) {
	if len(secret) < MinSecretBytes {
		return "", fmt.Errorf("%w: %d bytes, need at least %d", ErrWeakSecret, len(secret), MinSecretBytes)
	}
	if ttl <= 0 {
		return "", fmt.Errorf("%w, got %s", ErrInvalidTTL, ttl)
	}
	if err := c.Validate(); err != nil {
		return "", err
	}
	if len(c.Teams) > 0 && c.Role != RoleSupervisor {
		return "", &ClaimError{Claim: "teams", Err: ErrInvalidClaim,
			Detail: "only a supervisor leads teams, the role is " + string(c.Role)}
	}
	now := time.Now().Truncate(time.Second)
	wc := wireClaims{
		Tenant: c.Tenant,
		Role:   string(c.Role),
		Teams:  c.Teams,
		RegisteredClaims: jwt.RegisteredClaims{
			Subject:   c.Subject,
			IssuedAt:  jwt.NewNumericDate(now),
			ExpiresAt: jwt.NewNumericDate(now.Add(ttl)),
		},
	}
	s, err := jwt.NewWithClaims(jwt.SigningMethodHS256, wc).SignedString(secret)
	if err != nil {
		return "", fmt.Errorf("sign token: %w", err)
	}
	return s, nil
}

// Verifier checks HS256 tokens against one secret. The zero Now means
// time.Now. A Verifier is a plain value, safe for concurrent use.
type Verifier struct {
	// Secret is the HMAC key; at least MinSecretBytes.
	Secret []byte
	// Leeway is the clock skew tolerated on exp and nbf. Default 0.
	Leeway time.Duration
	// Now is the clock, for tests. Default time.Now.
	Now func() time.Time
}

// TokenVerifier turns a token into Claims. *Verifier and Verifier
// implement it; other signers (JWKS, OIDC) may too.
type TokenVerifier interface {
	Verify(token string) (Claims, error)
}

// Verify checks token's length (at most MaxTokenBytes, before decoding),
// encoding (strict base64url: one spelling per token), header (no crit),
// signature, algorithm (HS256 only: "none" and every other algorithm are
// refused with ErrAlgorithm), expiry (exp is required) and claims (tenant,
// sub and role required, role known, tenant, sub and teams well-formed)
// and returns its claims. Every error matches one of the package's
// sentinels; claim errors are a *ClaimError.
func (v Verifier) Verify(token string) (Claims, error) {
	if len(v.Secret) < MinSecretBytes {
		return Claims{}, fmt.Errorf("%w: the verifier's secret has %d bytes, need at least %d", ErrWeakSecret, len(v.Secret), MinSecretBytes)
	}
	if len(token) > MaxTokenBytes {
		return Claims{}, fmt.Errorf("%w: %d bytes, longer than the %d accepted", ErrMalformed, len(token), MaxTokenBytes)
	}
	now := v.Now
	if now == nil {
		now = time.Now
	}
	p := jwt.NewParser(
		jwt.WithValidMethods([]string{jwt.SigningMethodHS256.Alg()}),
		jwt.WithExpirationRequired(),
		jwt.WithLeeway(v.Leeway),
		jwt.WithTimeFunc(now),
		jwt.WithStrictDecoding(),
	)
	var wc wireClaims
	tok, err := p.ParseWithClaims(token, &wc, func(t *jwt.Token) (any, error) {
		if _, ok := t.Header["crit"]; ok {
			return nil, errCrit
		}
		if t.Method != jwt.SigningMethodHS256 {
			return nil, ErrAlgorithm
		}
		return v.Secret, nil
	})
	if err != nil {
		return Claims{}, classify(tok, err)
	}
	c := Claims{Tenant: wc.Tenant, Subject: wc.Subject, Role: Role(wc.Role), Teams: wc.Teams}
	if wc.IssuedAt != nil {
		c.IssuedAt = wc.IssuedAt.Time
	}
	if wc.ExpiresAt != nil {
		c.ExpiresAt = wc.ExpiresAt.Time
	}
	if err := c.Validate(); err != nil {
		return Claims{}, err
	}
	return c, nil
}

// classify maps the jwt library's errors to this package's sentinels.
func classify(tok *jwt.Token, err error) error {
	switch {
	case errors.Is(err, errCrit):
		return fmt.Errorf("%w: %w", ErrMalformed, errCrit)
	case errors.Is(err, jwt.ErrTokenMalformed):
		return fmt.Errorf("%w: %w", ErrMalformed, err)
	case tok != nil && (tok.Method == nil || tok.Method.Alg() != jwt.SigningMethodHS256.Alg()),
		errors.Is(err, jwt.ErrTokenUnverifiable):
		alg, _ := headerAlg(tok)
		return fmt.Errorf("%w (alg %s)", ErrAlgorithm, quote(alg))
	case errors.Is(err, jwt.ErrTokenSignatureInvalid):
		return ErrSignature
	case errors.Is(err, jwt.ErrTokenExpired):
		return &ClaimError{Claim: "exp", Err: ErrExpired}
	case errors.Is(err, jwt.ErrTokenRequiredClaimMissing):
		return &ClaimError{Claim: "exp", Err: ErrMissingClaim, Detail: "tokens must expire"}
	case errors.Is(err, jwt.ErrTokenNotValidYet):
		return &ClaimError{Claim: "nbf", Err: ErrInvalidClaim, Detail: "not valid yet"}
	}
	return fmt.Errorf("%w: %w", ErrMalformed, err)
}

// headerAlg returns the alg header of a parsed token.
func headerAlg(tok *jwt.Token) (string, bool) {
	if tok == nil {
		return "", false
	}
	alg, ok := tok.Header["alg"].(string)
	return alg, ok
}
