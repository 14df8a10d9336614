package auth

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/golang-jwt/jwt/v5"
)

func mint(t *testing.T, c Claims) string {
	t.Helper()
	tok, err := Mint(testSecret, c, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

func TestRequire(t *testing.T) {
	v := Verifier{Secret: testSecret}
	r := chi.NewRouter()
	r.With(Require(v, RoleIngest, RoleAdmin)).Post("/ingest", func(w http.ResponseWriter, r *http.Request) {
		c, ok := ClaimsFrom(r.Context())
		if !ok {
			t.Error("no claims in the context")
		}
		_, _ = w.Write([]byte(string(c.Role) + "@" + c.Tenant))
	})
	r.With(Require(v)).Get("/any", func(w http.ResponseWriter, r *http.Request) {
		c, _ := ClaimsFrom(r.Context())
		_, _ = w.Write([]byte(c.Subject))
	})
	ingest := mint(t, Claims{Tenant: "acme", Subject: "feed", Role: RoleIngest})
	admin := mint(t, Claims{Tenant: "acme", Subject: "root", Role: RoleAdmin})
	agent := mint(t, Claims{Tenant: "acme", Subject: "a1", Role: RoleAgent})
	expired := sign(t, jwt.SigningMethodHS256, testSecret, with(good(), "exp", time.Now().Add(-time.Minute).Unix()))
	cases := []struct {
		name, method, target, header string
		status                       int
		body, field                  string // body for 200, field for errors
	}{
		{"ingest token", "POST", "/ingest", "Bearer " + ingest, 200, "ingest@acme", ""},
		{"admin token", "POST", "/ingest", "Bearer " + admin, 200, "admin@acme", ""},
		{"lower-case scheme", "POST", "/ingest", "bearer " + admin, 200, "admin@acme", ""},
		// access_token= is for the websocket only (AuthenticateWebsocket;
		// the security test's INFO finding: it worked on every route).
		{"query token", "POST", "/ingest?access_token=" + ingest, "", 401, "", "Authorization"},
		{"header, query ignored", "POST", "/ingest?access_token=garbage", "Bearer " + ingest, 200, "ingest@acme", ""},
		{"agent is forbidden", "POST", "/ingest", "Bearer " + agent, 403, "", "role"},
		{"no token", "POST", "/ingest", "", 401, "", "Authorization"},
		{"basic auth", "POST", "/ingest", "Basic YTpi", 401, "", "Authorization"},
		{"bearer without token", "POST", "/ingest", "Bearer ", 401, "", "Authorization"},
		{"garbage token", "POST", "/ingest", "Bearer xyz", 401, "", "Authorization"},
		{"expired", "POST", "/ingest", "Bearer " + expired, 401, "", "exp"},
		{"any role: agent", "GET", "/any", "Bearer " + agent, 200, "a1", ""},
		{"any role: none", "GET", "/any", "", 401, "", "Authorization"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			req := httptest.NewRequest(tc.method, tc.target, nil)
			if tc.header != "" {
				req.Header.Set("Authorization", tc.header)
			}
			rec := httptest.NewRecorder()
			r.ServeHTTP(rec, req)
			if rec.Code != tc.status {
				t.Fatalf("status %d, want %d; body %s", rec.Code, tc.status, rec.Body)
			}
			if tc.status == 200 {
				if rec.Body.String() != tc.body {
					t.Fatalf("body %q, want %q", rec.Body, tc.body)
				}
				return
			}
			if ct := rec.Header().Get("Content-Type"); ct != "application/json" {
				t.Errorf("Content-Type %q", ct)
			}
			var e struct{ Error, Field string }
			if err := json.Unmarshal(rec.Body.Bytes(), &e); err != nil {
				t.Fatalf("body %q: %v", rec.Body, err)
			}
			if e.Error == "" || e.Field != tc.field {
				t.Errorf("error %q field %q, want a message and field %q", e.Error, e.Field, tc.field)
			}
			challenge := rec.Header().Get("WWW-Authenticate")
			if (tc.status == 401) != strings.HasPrefix(challenge, "Bearer") {
				t.Errorf("WWW-Authenticate %q on a %d", challenge, tc.status)
			}
		})
	}
}

func TestAuthenticate(t *testing.T) {
	v := Verifier{Secret: testSecret}
	req := httptest.NewRequest("GET", "/", nil)
	req.Header.Set("Authorization", "Bearer "+mint(t, Claims{Tenant: "acme", Subject: "s1", Role: RoleSupervisor, Teams: []string{"t1"}}))
	c, status, field, err := Authenticate(v, req, RoleAgent)
	if err == nil || status != 403 || field != "role" || c.Subject != "s1" {
		t.Fatalf("Authenticate = %+v, %d, %q, %v; want 403 on role", c, status, field, err)
	}
	c, _, _, err = Authenticate(v, req, RoleSupervisor)
	if err != nil || !c.Leads("t1") {
		t.Fatalf("Authenticate = %+v, %v", c, err)
	}
}

// TestAuthenticateWebsocket: the websocket upgrade alone takes the token
// from access_token= when there is no Authorization header.
func TestAuthenticateWebsocket(t *testing.T) {
	v := Verifier{Secret: testSecret}
	tok := mint(t, Claims{Tenant: "acme", Subject: "a1", Role: RoleAgent})
	req := httptest.NewRequest("GET", "/v1/ws?access_token="+tok, nil)
	if c, _, _, err := AuthenticateWebsocket(v, req); err != nil || c.Subject != "a1" {
		t.Fatalf("AuthenticateWebsocket = %+v, %v", c, err)
	}
	if _, status, _, err := Authenticate(v, req); err == nil || status != 401 {
		t.Fatalf("Authenticate with a query token = %d, %v; want 401", status, err)
	}
	req = httptest.NewRequest("GET", "/v1/ws?access_token=xyz", nil)
	if _, status, field, err := AuthenticateWebsocket(v, req); err == nil || status != 401 || field != "access_token" {
		t.Fatalf("garbage query token = %d %q %v; want 401 on access_token", status, field, err)
	}
}

func TestClaimsFromEmptyContext(t *testing.T) {
	if _, ok := ClaimsFrom(httptest.NewRequest("GET", "/", nil).Context()); ok {
		t.Fatal("claims in a bare context")
	}
}

// TestSessionCookie: without an Authorization header the session cookie
// (single sign-on) authenticates; a header or a websocket's access_token
// wins over it.
func TestSessionCookie(t *testing.T) {
	v := Verifier{Secret: testSecret}
	agent := mint(t, Claims{Tenant: "acme", Subject: "a1", Role: RoleAgent})
	admin := mint(t, Claims{Tenant: "acme", Subject: "boss", Role: RoleAdmin})
	req := httptest.NewRequest("GET", "/v1/ws?access_token="+admin, nil)
	req.AddCookie(&http.Cookie{Name: SessionCookie, Value: agent})
	if c, _, _, err := Authenticate(v, req); err != nil || c.Subject != "a1" {
		t.Fatalf("cookie alone on REST: %+v %v", c, err)
	}
	if c, _, _, err := AuthenticateWebsocket(v, req); err != nil || c.Subject != "boss" {
		t.Fatalf("websocket with access_token and a cookie: %+v %v, want the explicit token", c, err)
	}
	req.Header.Set("Authorization", "Bearer "+admin)
	if c, _, _, err := Authenticate(v, req); err != nil || c.Subject != "boss" {
		t.Fatalf("header and cookie: %+v %v, want the header's", c, err)
	}
}
