package auth

import (
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// testSecret is a 32-byte secret.
var testSecret = []byte("0123456789abcdef0123456789abcdef")

// t0 is the clock of the tests.
var t0 = time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)

func verifierAt(now time.Time) Verifier {
	return Verifier{Secret: testSecret, Now: func() time.Time { return now }}
}

// sign signs arbitrary claims with method and key, for tokens Mint refuses
// to make.
func sign(t testing.TB, method jwt.SigningMethod, key any, claims jwt.MapClaims) string {
	t.Helper()
	s, err := jwt.NewWithClaims(method, claims).SignedString(key)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// good returns valid map claims at t0 that the tests alter.
func good() jwt.MapClaims {
	return jwt.MapClaims{
		"tenant": "acme", "sub": "a1", "role": "agent",
		"iat": t0.Unix(), "exp": t0.Add(time.Hour).Unix(),
	}
}

func with(m jwt.MapClaims, k string, v any) jwt.MapClaims {
	m[k] = v
	return m
}

func without(m jwt.MapClaims, k string) jwt.MapClaims {
	delete(m, k)
	return m
}
