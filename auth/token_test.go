package auth

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

func TestMintVerifyRoundTrip(t *testing.T) {
	cases := []Claims{
		{Tenant: "acme", Subject: "a1", Role: RoleAgent},
		{Tenant: "acme", Subject: "lead@acme.com", Role: RoleSupervisor, Teams: []string{"t1", "t2"}},
		{Tenant: "globex.eu", Subject: "root", Role: RoleAdmin},
		{Tenant: "g", Subject: "connector-1", Role: RoleIngest},
	}
	for _, c := range cases {
		tok, err := Mint(testSecret, c, time.Hour)
		if err != nil {
			t.Fatalf("Mint(%+v): %v", c, err)
		}
		got, err := Verifier{Secret: testSecret}.Verify(tok)
		if err != nil {
			t.Fatalf("Verify(Mint(%+v)): %v", c, err)
		}
		if got.ExpiresAt.Sub(got.IssuedAt) != time.Hour {
			t.Errorf("lifetime %s, want 1h", got.ExpiresAt.Sub(got.IssuedAt))
		}
		got.IssuedAt, got.ExpiresAt = time.Time{}, time.Time{}
		if !reflect.DeepEqual(got, c) {
			t.Errorf("Verify(Mint(c)) = %+v, want %+v", got, c)
		}
	}
}

func TestMintRefuses(t *testing.T) {
	ok := Claims{Tenant: "acme", Subject: "a1", Role: RoleAgent}
	cases := []struct {
		name   string
		secret []byte
		c      Claims
		ttl    time.Duration
		want   error
		claim  string
	}{
		{"short secret", testSecret[:31], ok, time.Hour, ErrWeakSecret, ""},
		{"zero ttl", testSecret, ok, 0, ErrInvalidTTL, ""},
		{"negative ttl", testSecret, ok, -time.Second, ErrInvalidTTL, ""},
		{"no tenant", testSecret, Claims{Subject: "a1", Role: RoleAgent}, time.Hour, ErrMissingClaim, "tenant"},
		{"bad tenant", testSecret, Claims{Tenant: "acme corp", Subject: "a1", Role: RoleAgent}, time.Hour, ErrInvalidClaim, "tenant"},
		{"tenant starts with dot", testSecret, Claims{Tenant: ".acme", Subject: "a1", Role: RoleAgent}, time.Hour, ErrInvalidClaim, "tenant"},
		{"tenant too long", testSecret, Claims{Tenant: strings.Repeat("a", 129), Subject: "a1", Role: RoleAgent}, time.Hour, ErrInvalidClaim, "tenant"},
		{"no sub", testSecret, Claims{Tenant: "acme", Role: RoleAgent}, time.Hour, ErrMissingClaim, "sub"},
		{"no role", testSecret, Claims{Tenant: "acme", Subject: "a1"}, time.Hour, ErrMissingClaim, "role"},
		{"unknown role", testSecret, Claims{Tenant: "acme", Subject: "a1", Role: "boss"}, time.Hour, ErrUnknownRole, "role"},
		{"role is case-sensitive", testSecret, Claims{Tenant: "acme", Subject: "a1", Role: "Admin"}, time.Hour, ErrUnknownRole, "role"},
		{"teams on an agent", testSecret, Claims{Tenant: "acme", Subject: "a1", Role: RoleAgent, Teams: []string{"t1"}}, time.Hour, ErrInvalidClaim, "teams"},
		{"bad team", testSecret, Claims{Tenant: "acme", Subject: "s", Role: RoleSupervisor, Teams: []string{"t1", ""}}, time.Hour, ErrInvalidClaim, "teams"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			tok, err := Mint(tc.secret, tc.c, tc.ttl)
			if !errors.Is(err, tc.want) {
				t.Fatalf("Mint = %q, %v; want an error matching %v", tok, err, tc.want)
			}
			if got := Field(err); got != tc.claim {
				t.Errorf("Field(err) = %q, want %q", got, tc.claim)
			}
		})
	}
}

func TestVerifyRefuses(t *testing.T) {
	other := []byte("another-secret-of-32-bytes-long!")
	ecKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name  string
		token string
		want  error
		claim string
	}{
		{"empty", "", ErrMalformed, ""},
		{"garbage", "not a token", ErrMalformed, ""},
		{"two segments", "a.b", ErrMalformed, ""},
		{"bad base64", "!!.!!.!!", ErrMalformed, ""},
		{"alg none", sign(t, jwt.SigningMethodNone, jwt.UnsafeAllowNoneSignatureType, good()), ErrAlgorithm, ""},
		{"alg none, hand made", noneToken(t), ErrAlgorithm, ""},
		{"HS384", sign(t, jwt.SigningMethodHS384, testSecret, good()), ErrAlgorithm, ""},
		{"HS512", sign(t, jwt.SigningMethodHS512, testSecret, good()), ErrAlgorithm, ""},
		{"ES256", sign(t, jwt.SigningMethodES256, ecKey, good()), ErrAlgorithm, ""},
		{"unknown alg", headerSwap(t, `{"alg":"XX256","typ":"JWT"}`), ErrAlgorithm, ""},
		{"other key", sign(t, jwt.SigningMethodHS256, other, good()), ErrSignature, ""},
		{"altered payload", alterPayload(t), ErrSignature, ""},
		{"expired", sign(t, jwt.SigningMethodHS256, testSecret, with(good(), "exp", t0.Add(-time.Second).Unix())), ErrExpired, "exp"},
		{"expires now", sign(t, jwt.SigningMethodHS256, testSecret, with(good(), "exp", t0.Unix())), ErrExpired, "exp"},
		{"no exp", sign(t, jwt.SigningMethodHS256, testSecret, without(good(), "exp")), ErrMissingClaim, "exp"},
		{"exp not a number", sign(t, jwt.SigningMethodHS256, testSecret, with(good(), "exp", "tomorrow")), ErrMalformed, ""},
		{"not valid yet", sign(t, jwt.SigningMethodHS256, testSecret, with(good(), "nbf", t0.Add(time.Minute).Unix())), ErrInvalidClaim, "nbf"},
		{"no tenant", sign(t, jwt.SigningMethodHS256, testSecret, without(good(), "tenant")), ErrMissingClaim, "tenant"},
		{"empty tenant", sign(t, jwt.SigningMethodHS256, testSecret, with(good(), "tenant", "")), ErrMissingClaim, "tenant"},
		{"tenant with a slash", sign(t, jwt.SigningMethodHS256, testSecret, with(good(), "tenant", "acme/x")), ErrInvalidClaim, "tenant"},
		{"tenant a number", sign(t, jwt.SigningMethodHS256, testSecret, with(good(), "tenant", 7)), ErrMalformed, ""},
		{"no sub", sign(t, jwt.SigningMethodHS256, testSecret, without(good(), "sub")), ErrMissingClaim, "sub"},
		{"no role", sign(t, jwt.SigningMethodHS256, testSecret, without(good(), "role")), ErrMissingClaim, "role"},
		{"unknown role", sign(t, jwt.SigningMethodHS256, testSecret, with(good(), "role", "root")), ErrUnknownRole, "role"},
		{"teams not strings", sign(t, jwt.SigningMethodHS256, testSecret, with(good(), "teams", []int{1})), ErrMalformed, ""},
		{"bad team", sign(t, jwt.SigningMethodHS256, testSecret, with(good(), "teams", []string{"a b"})), ErrInvalidClaim, "teams"},
	}
	v := verifierAt(t0)
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c, err := v.Verify(tc.token)
			if !errors.Is(err, tc.want) {
				t.Fatalf("Verify = %+v, %v; want an error matching %v", c, err, tc.want)
			}
			if got := Field(err); got != tc.claim {
				t.Errorf("Field(err) = %q, want %q", got, tc.claim)
			}
			if !reflect.DeepEqual(c, Claims{}) {
				t.Errorf("Verify returned claims %+v with an error", c)
			}
		})
	}
}

func TestVerifyAccepts(t *testing.T) {
	v := verifierAt(t0)
	cases := []struct {
		name   string
		claims jwt.MapClaims
		want   Claims
	}{
		{"agent", good(), Claims{Tenant: "acme", Subject: "a1", Role: RoleAgent}},
		{"no iat", without(good(), "iat"), Claims{Tenant: "acme", Subject: "a1", Role: RoleAgent}},
		{"supervisor with teams", with(with(good(), "role", "supervisor"), "teams", []string{"t1"}),
			Claims{Tenant: "acme", Subject: "a1", Role: RoleSupervisor, Teams: []string{"t1"}}},
		// Other signers may put teams on any role; Verify does not refuse it.
		{"admin with teams", with(with(good(), "role", "admin"), "teams", []string{"t1"}),
			Claims{Tenant: "acme", Subject: "a1", Role: RoleAdmin, Teams: []string{"t1"}}},
		{"unknown extra claim", with(good(), "aud", "x"), Claims{Tenant: "acme", Subject: "a1", Role: RoleAgent}},
		{"nbf passed", with(good(), "nbf", t0.Unix()), Claims{Tenant: "acme", Subject: "a1", Role: RoleAgent}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c, err := v.Verify(sign(t, jwt.SigningMethodHS256, testSecret, tc.claims))
			if err != nil {
				t.Fatal(err)
			}
			c.IssuedAt, c.ExpiresAt = time.Time{}, time.Time{}
			if !reflect.DeepEqual(c, tc.want) {
				t.Errorf("got %+v, want %+v", c, tc.want)
			}
		})
	}
}

func TestVerifyLeeway(t *testing.T) {
	tok := sign(t, jwt.SigningMethodHS256, testSecret, with(good(), "exp", t0.Add(-10*time.Second).Unix()))
	v := verifierAt(t0)
	if _, err := v.Verify(tok); !errors.Is(err, ErrExpired) {
		t.Fatalf("without leeway: %v, want ErrExpired", err)
	}
	v.Leeway = 30 * time.Second
	if _, err := v.Verify(tok); err != nil {
		t.Fatalf("with 30s leeway: %v", err)
	}
}

func TestVerifierWithWeakSecretRefusesEverything(t *testing.T) {
	tok := sign(t, jwt.SigningMethodHS256, []byte("k"), good())
	if _, err := (Verifier{Secret: []byte("k"), Now: func() time.Time { return t0 }}).Verify(tok); !errors.Is(err, ErrWeakSecret) {
		t.Fatalf("err = %v, want ErrWeakSecret", err)
	}
	if _, err := (Verifier{}).Verify(tok); !errors.Is(err, ErrWeakSecret) {
		t.Fatalf("zero Verifier: err = %v, want ErrWeakSecret", err)
	}
}

func TestParseRole(t *testing.T) {
	for _, r := range Roles {
		if got, err := ParseRole(string(r)); err != nil || got != r {
			t.Errorf("ParseRole(%q) = %q, %v", r, got, err)
		}
	}
	if _, err := ParseRole("wallboard"); !errors.Is(err, ErrUnknownRole) || !strings.Contains(err.Error(), "agent, supervisor, admin, ingest") {
		t.Errorf("ParseRole(wallboard) = %v, want ErrUnknownRole listing the roles", err)
	}
}

func TestLeads(t *testing.T) {
	c := Claims{Teams: []string{"t1", "t2"}}
	if !c.Leads("t2") || c.Leads("t3") || (Claims{}).Leads("") {
		t.Fatal("Leads is wrong")
	}
}

// noneToken is an unsigned token written by hand: header {"alg":"none"}.
func noneToken(t *testing.T) string {
	enc := base64.RawURLEncoding
	return enc.EncodeToString([]byte(`{"alg":"none","typ":"JWT"}`)) + "." +
		enc.EncodeToString([]byte(`{"tenant":"acme","sub":"a1","role":"admin","exp":9999999999}`)) + "."
}

// headerSwap returns a good token whose header is replaced by header.
func headerSwap(t *testing.T, header string) string {
	parts := strings.Split(sign(t, jwt.SigningMethodHS256, testSecret, good()), ".")
	parts[0] = base64.RawURLEncoding.EncodeToString([]byte(header))
	return strings.Join(parts, ".")
}

// alterPayload returns a good token whose payload was changed to role admin
// after signing.
func alterPayload(t *testing.T) string {
	parts := strings.Split(sign(t, jwt.SigningMethodHS256, testSecret, good()), ".")
	parts[1] = base64.RawURLEncoding.EncodeToString([]byte(`{"tenant":"acme","sub":"a1","role":"admin","exp":9999999999}`))
	return strings.Join(parts, ".")
}

// TestVerifyStrictBase64 reproduces the security test's LOW finding: the
// last character of a base64url segment carries spare bits, so several
// spellings of one token verified (and each got its own rate-limit
// bucket). Only the canonical spelling verifies now.
func TestVerifyStrictBase64(t *testing.T) {
	v := verifierAt(t0)
	tok := sign(t, jwt.SigningMethodHS256, testSecret, good())
	if _, err := v.Verify(tok); err != nil {
		t.Fatal(err)
	}
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
	last := strings.IndexByte(alphabet, tok[len(tok)-1])
	// A 32-byte signature is 43 characters: the last one's 2 low bits
	// are padding.
	for spare := 1; spare < 4; spare++ {
		alt := tok[:len(tok)-1] + string(alphabet[last|spare])
		if alt == tok {
			continue
		}
		if _, err := v.Verify(alt); !errors.Is(err, ErrMalformed) {
			t.Errorf("spelling with spare bits %d: %v, want ErrMalformed", spare, err)
		}
	}
}

// TestVerifyRefusesLongTokensFirst reproduces the security test's LOW
// finding: forged tokens near 1 MB were decoded whole before the
// signature check. A token longer than MaxTokenBytes is refused unread.
func TestVerifyRefusesLongTokensFirst(t *testing.T) {
	v := verifierAt(t0)
	long := sign(t, jwt.SigningMethodHS256, testSecret, with(good(), "pad", strings.Repeat("x", MaxTokenBytes)))
	_, err := v.Verify(long)
	if !errors.Is(err, ErrMalformed) || !strings.Contains(err.Error(), "longer than") {
		t.Fatalf("a %d-byte token: %v, want ErrMalformed naming the length bound", len(long), err)
	}
	forged := "eyJhbGciOiJIUzI1NiJ9." + strings.Repeat("A", 1<<20) + ".sig"
	start := time.Now()
	for range 100 {
		if _, err := v.Verify(forged); !errors.Is(err, ErrMalformed) {
			t.Fatal(err)
		}
	}
	if d := time.Since(start); d > 50*time.Millisecond {
		t.Errorf("100 forged 1 MiB tokens took %s to refuse, want well under 50ms", d)
	}
}

// TestVerifyRefusesCrit: a token whose header lists critical extensions
// is refused (RFC 7515 §4.1.11: the recipient understands none of them;
// the security test's INFO finding).
func TestVerifyRefusesCrit(t *testing.T) {
	tk := jwt.NewWithClaims(jwt.SigningMethodHS256, good())
	tk.Header["crit"] = []string{"b64"}
	tk.Header["b64"] = false
	s, err := tk.SignedString(testSecret)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := verifierAt(t0).Verify(s); !errors.Is(err, ErrMalformed) || !strings.Contains(err.Error(), "crit") {
		t.Fatalf("crit header: %v, want ErrMalformed naming crit", err)
	}
}
