package auth

import (
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// FuzzVerify checks that Verify never panics and that whatever it accepts
// carries valid claims and a signature made with the secret.
func FuzzVerify(f *testing.F) {
	f.Add(sign(f, jwt.SigningMethodHS256, testSecret, good()))
	f.Add(sign(f, jwt.SigningMethodHS256, testSecret, with(good(), "teams", []string{"t1"})))
	f.Add(sign(f, jwt.SigningMethodHS384, testSecret, good()))
	f.Add(sign(f, jwt.SigningMethodNone, jwt.UnsafeAllowNoneSignatureType, good()))
	f.Add("eyJhbGciOiJIUzI1NiJ9.e30.")
	f.Add("a.b.c")
	f.Add("..")
	f.Add("")
	v := verifierAt(t0)
	f.Fuzz(func(t *testing.T, tok string) {
		c, err := v.Verify(tok)
		if err != nil {
			return
		}
		if verr := c.Validate(); verr != nil {
			t.Fatalf("accepted claims are invalid: %v", verr)
		}
		if !c.ExpiresAt.After(t0) {
			t.Fatalf("accepted a token expiring at %v", c.ExpiresAt)
		}
	})
}

func BenchmarkVerify(b *testing.B) {
	tok, err := Mint(testSecret, Claims{Tenant: "acme", Subject: "feed", Role: RoleIngest}, time.Hour)
	if err != nil {
		b.Fatal(err)
	}
	v := Verifier{Secret: testSecret}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := v.Verify(tok); err != nil {
			b.Fatal(err)
		}
	}
}
