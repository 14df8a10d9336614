package dashboard

import (
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"

	"github.com/go-chi/chi/v5"
)

// TestSecurityHeaders checks docs/SECURITY.md "Dashboard": the page and
// every script carry the same-origin CSP (no 'unsafe-inline', no
// 'unsafe-eval', no other host), nosniff and no-referrer, and index.html
// holds no inline script or event handler the CSP would have to allow.
func TestSecurityHeaders(t *testing.T) {
	r := chi.NewRouter()
	New(Config{}).Routes(r)
	for _, path := range []string{"/", "/app/app.js", "/app/vendor/uplot/uPlot.iife.min.js"} {
		rec := httptest.NewRecorder()
		r.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
		if rec.Code != http.StatusOK {
			t.Fatalf("GET %s = %d", path, rec.Code)
		}
		h := rec.Header()
		if got := h.Get("Content-Security-Policy"); got != csp {
			t.Errorf("GET %s: CSP %q, want %q", path, got, csp)
		}
		if h.Get("X-Content-Type-Options") != "nosniff" || h.Get("Referrer-Policy") != "no-referrer" {
			t.Errorf("GET %s: nosniff %q, referrer %q", path, h.Get("X-Content-Type-Options"), h.Get("Referrer-Policy"))
		}
	}
	// connect-src is 'self' alone: CSP Level 3's 'self' admits the
	// same host's ws: and wss:, and the browser tests' live updates run
	// under it (issue 15, item 5: it allowed websockets to any host).
	for _, bad := range []string{"unsafe-inline", "unsafe-eval", "http:", "https:", "*", "ws:", "wss:"} {
		if strings.Contains(csp, bad) {
			t.Errorf("CSP allows %q: %s", bad, csp)
		}
	}
	index, err := files.ReadFile("web/index.html")
	if err != nil {
		t.Fatal(err)
	}
	if m := regexp.MustCompile(`<script(?:\s[^>]*)?>\s*[^<\s]`).Find(index); m != nil {
		t.Errorf("index.html has an inline script: %s", m)
	}
	if m := regexp.MustCompile(`(?i)\son[a-z]+\s*=`).Find(index); m != nil {
		t.Errorf("index.html has an inline event handler: %s", m)
	}
	for _, s := range regexp.MustCompile(`<script[^>]*\ssrc="([^"]+)"`).FindAllSubmatch(index, -1) {
		if !strings.HasPrefix(string(s[1]), "/app/") {
			t.Errorf("index.html loads a script from %s, not this origin's /app/", s[1])
		}
	}
}

// TestDemoTokensOnlyWithTheDemoFeed checks that GET /v1/demo/tokens hands
// out nothing unless demo tokens were configured (agentpulse all
// --simulate), and is never cached when it does.
func TestDemoTokensOnlyWithTheDemoFeed(t *testing.T) {
	get := func(d *Dashboard) *httptest.ResponseRecorder {
		r := chi.NewRouter()
		d.Routes(r)
		rec := httptest.NewRecorder()
		r.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/v1/demo/tokens", nil))
		return rec
	}
	if rec := get(New(Config{})); rec.Code != http.StatusNotFound || strings.Contains(rec.Body.String(), "token\":") {
		t.Fatalf("without demo tokens: %d %s", rec.Code, rec.Body)
	}
	rec := get(New(Config{DemoTokens: []DemoToken{{Who: "admin", Role: "admin", Token: "x.y.z"}}}))
	if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), "x.y.z") {
		t.Fatalf("with demo tokens: %d %s", rec.Code, rec.Body)
	}
	if rec.Header().Get("Cache-Control") != "no-store" {
		t.Errorf("Cache-Control %q, want no-store", rec.Header().Get("Cache-Control"))
	}
}
