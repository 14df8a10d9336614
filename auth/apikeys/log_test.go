package apikeys_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/agentpulse/agentpulse/auth"
	"github.com/agentpulse/agentpulse/auth/apikeys"
)

// TestRevocationReachesEveryProcess: a key created on one process admits
// requests on another; revoked on the first, it is refused by the second
// within 5 s (measured: the broker's delivery, tens of milliseconds), and a
// process started afterwards refuses it from its replay.
func TestRevocationReachesEveryProcess(t *testing.T) {
	brokers := startCluster(t)
	a := openLog(t, brokers, nil)
	b := openLog(t, brokers, nil)
	next := auth.Verifier{Secret: secret}
	vb := apikeys.Verifier{Keys: b.Keys(), Next: next}
	ingest := auth.Require(vb, auth.RoleIngest, auth.RoleAdmin)(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, _ := auth.ClaimsFrom(r.Context())
		_, _ = w.Write([]byte(c.Tenant))
	}))
	post := func(key string) int {
		req := httptest.NewRequest(http.MethodPost, "/v1/ingest/interactions", nil)
		req.Header.Set("Authorization", "Bearer "+key)
		rec := httptest.NewRecorder()
		ingest.ServeHTTP(rec, req)
		if rec.Code == 200 && rec.Body.String() != "acme" {
			t.Fatalf("tenant %q, want acme", rec.Body)
		}
		return rec.Code
	}
	ctx := context.Background()
	rec, key, err := a.Create(ctx, "acme", "genesys feed", "boss")
	if err != nil {
		t.Fatal(err)
	}
	created := waitUntil(t, "the key to reach the other process", func() bool { return post(key) == 200 })
	revoking := time.Now()
	if _, err := a.Revoke(ctx, "acme", rec.ID, "boss"); err != nil {
		t.Fatal(err)
	}
	if _, err := a.Keys().Check(key); !errors.Is(err, apikeys.ErrRevokedKey) {
		t.Fatalf("on the revoking process: %v", err)
	}
	waitUntil(t, "the revocation to reach the other process", func() bool { return post(key) == 401 })
	took := time.Since(revoking) // from the admin's request, broker round trip included
	t.Logf("creation reached the other process in %s, revocation in %s", created, took)
	if took > 5*time.Second {
		t.Fatalf("revocation took %s to reach another process, want within 5 s", took)
	}
	c := openLog(t, brokers, nil)
	if _, err := c.Keys().Check(key); !errors.Is(err, apikeys.ErrRevokedKey) {
		t.Fatalf("a process started after the revocation: %v, want revoked", err)
	}
	// JWTs still go through the JWT verifier.
	if code := post(mint(t, auth.Claims{Tenant: "acme", Subject: "feed", Role: auth.RoleIngest})); code != 200 {
		t.Fatalf("a JWT through the chained verifier: %d", code)
	}
}

// TestRotateOverlap: rotation makes a new key at once and ends the old one
// after the overlap.
func TestRotateOverlap(t *testing.T) {
	brokers := startCluster(t)
	now := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	l, err := apikeys.Open(context.Background(), apikeys.Config{Brokers: brokers, Now: clock})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	ctx := context.Background()
	old, oldKey, err := l.Create(ctx, "acme", "feed", "boss")
	if err != nil {
		t.Fatal(err)
	}
	nr, newKey, replaced, err := l.Rotate(ctx, "acme", old.ID, "boss", time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	if replaced.ReplacedBy != nr.ID || nr.Name != "feed" || newKey == oldKey {
		t.Fatalf("rotation: %+v → %+v", replaced, nr)
	}
	for _, k := range []string{oldKey, newKey} {
		if _, err := l.Keys().Check(k); err != nil {
			t.Fatalf("during the overlap: %v", err)
		}
	}
	now = now.Add(time.Hour)
	if _, err := l.Keys().Check(oldKey); !errors.Is(err, apikeys.ErrRevokedKey) {
		t.Fatalf("old key after the overlap: %v", err)
	}
	if _, err := l.Keys().Check(newKey); err != nil {
		t.Fatalf("new key after the overlap: %v", err)
	}
	if _, _, _, err := l.Rotate(ctx, "acme", old.ID, "boss", 0); !errors.Is(err, apikeys.ErrRevoked) {
		t.Fatalf("rotating a revoked key: %v", err)
	}
	if _, err := l.Revoke(ctx, "initech", nr.ID, "boss"); !errors.Is(err, apikeys.ErrNotFound) {
		t.Fatalf("another tenant revoking: %v", err)
	}
}

// TestCheckRefuses: malformed, unknown and altered keys.
func TestCheckRefuses(t *testing.T) {
	brokers := startCluster(t)
	l := openLog(t, brokers, nil)
	_, key, err := l.Create(context.Background(), "acme", "feed", "boss")
	if err != nil {
		t.Fatal(err)
	}
	altered := key[:len(key)-2] + map[bool]string{true: "AA", false: "AB"}[!strings.HasSuffix(key, "AA")]
	for name, k := range map[string]string{
		"empty": "", "prefix only": apikeys.Prefix, "jwt-like": "apk_x.y.z", "upper-case id": strings.ToUpper(key[:20]) + key[20:],
		"altered secret": altered, "unknown id": apikeys.Prefix + "0000000000000000" + key[20:],
	} {
		if _, err := l.Keys().Check(k); err == nil || !errors.Is(err, auth.ErrMalformed) && !errors.Is(err, auth.ErrSignature) {
			t.Errorf("%s: %v, want malformed or signature", name, err)
		}
	}
}
