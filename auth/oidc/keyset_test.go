package oidc

import (
	"net/http"
	"net/http/httptest"
	"testing"
	"time"
)

// TestKeySetHonoursMaxAge: a JWKS answer's Cache-Control max-age sets how
// long the copy is used, clamped to [floor, ceiling]; none: the ceiling.
func TestKeySetHonoursMaxAge(t *testing.T) {
	cc := ""
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if cc != "" {
			w.Header().Set("Cache-Control", cc)
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"keys":[]}`))
	}))
	defer srv.Close()
	k := newKeySet(srv.URL, nil, 30*time.Second, 10*time.Minute)
	for _, c := range []struct {
		cc   string
		want time.Duration
	}{
		{"", 10 * time.Minute},
		{"public, max-age=120", 2 * time.Minute},
		{"max-age=5", 30 * time.Second},
		{"max-age=86400, must-revalidate", 10 * time.Minute},
		{"no-store", 30 * time.Second},
		{"max-age=oops", 10 * time.Minute},
	} {
		cc = c.cc
		resp, err := k.client.Get(srv.URL)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		k.mu.Lock()
		got, fetched := k.ttl, k.fetched
		k.mu.Unlock()
		if got != c.want || fetched.IsZero() {
			t.Errorf("Cache-Control %q: copy kept %s (fetched %v), want %s", c.cc, got, fetched, c.want)
		}
	}
	// Expired: the next verification starts a new key set.
	k.mu.Lock()
	before := k.set
	k.fetched = time.Now().Add(-time.Hour)
	k.mu.Unlock()
	_, _ = k.VerifySignature(t.Context(), "a.b.c")
	k.mu.Lock()
	renewed := k.set != before
	k.mu.Unlock()
	if !renewed {
		t.Error("an expired copy was used again")
	}
}

// FuzzMaxAge: any Cache-Control value gives a duration within a year and
// never panics.
func FuzzMaxAge(f *testing.F) {
	for _, s := range []string{"", "max-age=60", "public, max-age=0", "no-store", "max-age=99999999999999999999", `max-age="30"`, "max-age=-1"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, cc string) {
		d, _ := maxAge(cc)
		if d < 0 || d > 365*24*time.Hour {
			t.Fatalf("maxAge(%q) = %s", cc, d)
		}
	})
}
