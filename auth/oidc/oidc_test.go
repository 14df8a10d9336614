package oidc_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/twmb/franz-go/pkg/kfake"

	"github.com/agentpulse/agentpulse/audit"
	"github.com/agentpulse/agentpulse/auth"
	"github.com/agentpulse/agentpulse/auth/oidc"
	"github.com/agentpulse/agentpulse/auth/oidc/oidctest"
)

var secret = []byte("0123456789abcdef0123456789abcdef")

// app is a server with the sign-in routes and one protected route,
// configured for tenants acme (op) and, when other is set, initech.
type app struct {
	srv   *httptest.Server
	oidc  *oidc.OIDC
	audit *audit.Log
}

// events waits up to 5 s for n of the tenant's audit events and returns
// them as "action actor" strings, newest first.
func (a *app) events(t *testing.T, tenant string, n int) []string {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for len(a.audit.Query(tenant, "", time.Time{}, 100)) < n && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	var out []string
	for _, e := range a.audit.Query(tenant, "", time.Time{}, 100) {
		out = append(out, e.Action+" "+e.Actor)
	}
	return out
}

func roles() map[string]string {
	return map[string]string{"ap-agents": "agent", "ap-supervisors": "supervisor", "ap-admins": "admin"}
}

var users = []oidctest.User{
	{ID: "agent-0001", Password: "pw-agent", Groups: []string{"ap-agents"}},
	{ID: "sup-1", Password: "pw-sup", Groups: []string{"ap-supervisors", "team:team-01", "team:team-02"}},
	{ID: "boss", Password: "pw-admin", Groups: []string{"ap-admins"}},
	{ID: "nobody", Password: "pw-none", Groups: []string{"staff"}},
}

// startApp starts the IdPs and the app: acme's IdP, and initech's (a
// second provider) when withOther.
func startApp(t *testing.T, ttl time.Duration, mods ...func(*oidc.Config)) (*app, *oidctest.Provider, *oidctest.Provider) {
	t.Helper()
	ts := httptest.NewUnstartedServer(nil)
	public := "http://" + ts.Listener.Addr().String()
	acme := oidctest.Start(t, users, "agentpulse-acme", "acme-secret", public+oidc.PathCallback)
	initech := oidctest.Start(t, users, "agentpulse-initech", "initech-secret", public+oidc.PathCallback)
	cluster, err := kfake.NewCluster(kfake.NumBrokers(1))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(cluster.Close)
	rec, err := audit.New(audit.Config{Brokers: cluster.ListenAddrs()})
	if err != nil {
		t.Fatal(err)
	}
	actx, acancel := context.WithCancel(context.Background())
	adone := make(chan struct{})
	go func() { defer close(adone); _ = rec.Run(actx) }()
	t.Cleanup(func() { acancel(); <-adone; rec.Close() })
	cfg := oidc.Config{PublicURL: public, SessionTTL: ttl, Audit: rec, Tenants: []oidc.TenantConfig{
		{Tenant: "acme", Issuer: acme.URL, ClientID: "agentpulse-acme", ClientSecret: "acme-secret", Roles: roles()},
		{Tenant: "initech", Issuer: initech.URL, ClientID: "agentpulse-initech", ClientSecret: "initech-secret", Roles: roles()},
	}}
	for _, m := range mods {
		m(&cfg)
	}
	o, err := oidc.New(context.Background(), cfg, secret, nil)
	if err != nil {
		t.Fatal(err)
	}
	r := chi.NewRouter()
	o.Routes(r)
	v := oidc.Verifier{OIDC: o, Next: auth.Verifier{Secret: secret}}
	r.With(auth.Require(v, auth.RoleAgent, auth.RoleSupervisor, auth.RoleAdmin)).Get("/v1/whoami", func(w http.ResponseWriter, r *http.Request) {
		c, _ := auth.ClaimsFrom(r.Context())
		_ = json.NewEncoder(w).Encode(c)
	})
	r.Get("/", func(w http.ResponseWriter, _ *http.Request) { _, _ = io.WriteString(w, "dashboard") })
	ts.Config.Handler = r
	ts.Start()
	t.Cleanup(ts.Close)
	return &app{srv: ts, oidc: o, audit: rec}, acme, initech
}

// browser is a client with cookies that follows redirects.
func browser(t *testing.T) *http.Client {
	jar, _ := cookiejar.New(nil)
	return &http.Client{Jar: jar, Timeout: 10 * time.Second}
}

// signIn runs the authorization-code flow for tenant as user through the
// provider's login form and returns the final page's status and body.
func signIn(t *testing.T, cl *http.Client, a *app, tenant string, op *oidctest.Provider, user, password string) (int, string) {
	t.Helper()
	resp, err := cl.Get(a.srv.URL + oidc.PathLogin + "?tenant=" + tenant)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	id := resp.Request.URL.Query().Get("authRequestID")
	if id == "" || !strings.HasPrefix(resp.Request.URL.String(), op.URL) {
		t.Fatalf("the sign-in did not reach the provider's login page: %s", resp.Request.URL)
	}
	resp, err = cl.PostForm(op.URL+"/login/username", url.Values{"id": {id}, "username": {user}, "password": {password}})
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func whoami(t *testing.T, cl *http.Client, a *app, bearer string) (int, auth.Claims) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, a.srv.URL+"/v1/whoami", nil)
	if bearer != "" {
		req.Header.Set("Authorization", "Bearer "+bearer)
	}
	resp, err := cl.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var c auth.Claims
	_ = json.NewDecoder(resp.Body).Decode(&c)
	return resp.StatusCode, c
}

// TestSignInThroughARealProvider: agent, supervisor and admin sign in
// through the provider (authorization code with PKCE), their role and teams
// come from their groups, the session is an HttpOnly cookie the API
// accepts, logout ends it; a user without a mapped group is refused.
func TestSignInThroughARealProvider(t *testing.T) {
	a, acme, _ := startApp(t, 15*time.Minute)
	for _, tc := range []struct {
		user, password string
		role           auth.Role
		teams          []string
	}{
		{"agent-0001", "pw-agent", auth.RoleAgent, nil},
		{"sup-1", "pw-sup", auth.RoleSupervisor, []string{"team-01", "team-02"}},
		{"boss", "pw-admin", auth.RoleAdmin, nil},
	} {
		t.Run(tc.user, func(t *testing.T) {
			cl := browser(t)
			code, body := signIn(t, cl, a, "acme", acme, tc.user, tc.password)
			if code != 200 || body != "dashboard" {
				t.Fatalf("sign-in ended with %d %q, want the dashboard", code, body)
			}
			u, _ := url.Parse(a.srv.URL)
			var session *http.Cookie
			for _, c := range cl.Jar.Cookies(u) {
				if c.Name == auth.SessionCookie {
					session = c
				}
			}
			if session == nil {
				t.Fatal("no session cookie")
			}
			code, c := whoami(t, cl, a, "")
			if code != 200 || c.Tenant != "acme" || c.Subject != tc.user || c.Role != tc.role || strings.Join(c.Teams, ",") != strings.Join(tc.teams, ",") {
				t.Fatalf("whoami with the session: %d %+v", code, c)
			}
			resp, err := cl.Get(a.srv.URL + oidc.PathSession)
			if err != nil {
				t.Fatal(err)
			}
			var s map[string]any
			_ = json.NewDecoder(resp.Body).Decode(&s)
			resp.Body.Close()
			if s["role"] != string(tc.role) || s["tenant"] != "acme" {
				t.Fatalf("/auth/session: %v", s)
			}
			noRedirect := *cl
			noRedirect.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
			resp, err = noRedirect.Get(a.srv.URL + oidc.PathLogout)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if loc := resp.Header.Get("Location"); resp.StatusCode != http.StatusFound || !strings.HasPrefix(loc, acme.URL) {
				t.Fatalf("logout: %d to %q, want the provider's end-session", resp.StatusCode, loc)
			}
			if code, _ := whoami(t, cl, a, ""); code != 401 {
				t.Fatalf("after logout: %d, want 401", code)
			}
		})
	}
	cl := browser(t)
	if code, body := signIn(t, cl, a, "acme", acme, "nobody", "pw-none"); code != http.StatusForbidden || !strings.Contains(body, "no agentpulse role") {
		t.Fatalf("a user without a mapped group: %d %s", code, body)
	}
	// The audit log holds every sign-in and the refusal.
	got := strings.Join(a.events(t, "acme", 4), "|")
	if want := "sign_in_refused |sign_in boss|sign_in sup-1|sign_in agent-0001"; got != want {
		t.Fatalf("audit: %s, want %s", got, want)
	}
}

// TestSessionSecurity: the cookies are HttpOnly and SameSite; an expired
// session is refused and refreshed from the provider; a role the
// provider takes away ends the session at the next refresh; another
// tenant's provider cannot sign into this tenant.
func TestSessionSecurity(t *testing.T) {
	a, acme, initech := startApp(t, 2*time.Second)
	cl := browser(t)
	noRedirect := *cl
	noRedirect.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	// The callback's Set-Cookie headers.
	resp, err := cl.Get(a.srv.URL + oidc.PathLogin + "?tenant=acme")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	id := resp.Request.URL.Query().Get("authRequestID")
	resp, err = noRedirect.PostForm(acme.URL+"/login/username", url.Values{"id": {id}, "username": {"sup-1"}, "password": {"pw-sup"}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	for loc := resp.Header.Get("Location"); !strings.HasPrefix(loc, a.srv.URL+oidc.PathCallback); loc = resp.Header.Get("Location") {
		if resp, err = noRedirect.Get(loc); err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
	}
	resp, err = noRedirect.Get(resp.Header.Get("Location"))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	set := resp.Header.Values("Set-Cookie")
	if len(set) < 2 {
		t.Fatalf("callback set %v", set)
	}
	for _, c := range set {
		if strings.HasPrefix(c, auth.SessionCookie+"=") || strings.HasPrefix(c, "agentpulse_refresh=") {
			if !strings.Contains(c, "HttpOnly") || !strings.Contains(c, "SameSite=Lax") {
				t.Fatalf("cookie %q is not HttpOnly and SameSite=Lax", c)
			}
		}
	}
	if code, c := whoami(t, cl, a, ""); code != 200 || c.Role != auth.RoleSupervisor {
		t.Fatalf("fresh session: %d %+v", code, c)
	}
	time.Sleep(2100 * time.Millisecond)
	if code, _ := whoami(t, cl, a, ""); code != 401 {
		t.Fatalf("an expired session: %d, want 401", code)
	}
	resp, err = cl.Post(a.srv.URL+oidc.PathRefresh, "", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if code, c := whoami(t, cl, a, ""); resp.StatusCode != 200 || code != 200 || c.Role != auth.RoleSupervisor {
		t.Fatalf("after refresh: %d, whoami %d %+v", resp.StatusCode, code, c)
	}
	acme.SetGroups("sup-1", []string{"staff"})
	resp, err = cl.Post(a.srv.URL+oidc.PathRefresh, "", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 401 {
		t.Fatalf("refresh after the role was revoked at the provider: %d, want 401", resp.StatusCode)
	}
	if code, _ := whoami(t, cl, a, ""); code != 401 {
		t.Fatalf("the session after a revoked role: %d, want 401", code)
	}
	if ev := a.events(t, "acme", 2); len(ev) < 2 || ev[0] != "session_refused sup-1" {
		t.Fatalf("audit after the revoked role: %v", ev)
	}
	acme.SetGroups("sup-1", []string{"ap-supervisors", "team:team-01"})

	// Another tenant's IdP: a user of initech's provider signs in through
	// initech (their own tenant), never acme.
	cl2 := browser(t)
	if code, _ := signIn(t, cl2, a, "initech", initech, "boss", "pw-admin"); code != 200 {
		t.Fatalf("initech sign-in: %d", code)
	}
	if code, c := whoami(t, cl2, a, ""); code != 200 || c.Tenant != "initech" {
		t.Fatalf("initech session: %d %+v", code, c)
	}
	// A code from initech's provider delivered to a sign-in acme started
	// is refused: acme's token endpoint does not know it.
	cl3 := browser(t)
	resp, err = cl3.Get(a.srv.URL + oidc.PathLogin + "?tenant=acme")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	resp, err = noRedirectClient(cl3).Get(a.srv.URL + oidc.PathCallback + "?code=from-initech&state=forged")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode == 200 || resp.StatusCode == http.StatusFound {
		t.Fatalf("a forged callback: %d", resp.StatusCode)
	}
	// An access token initech's provider issued is a token of initech
	// only: it never reads acme.
	tok := oidctest.AccessToken(t, initech, "agentpulse-initech", "initech-secret", a.srv.URL+oidc.PathCallback, "boss", "pw-admin")
	if code, c := whoami(t, &http.Client{}, a, tok); code != 200 || c.Tenant != "initech" || c.Role != auth.RoleAdmin {
		t.Fatalf("initech's access token: %d %+v, want initech admin", code, c)
	}
	// A server whose only tenant is acme refuses initech's token.
	onlyAcme, err := oidc.New(context.Background(), oidc.Config{PublicURL: a.srv.URL, Tenants: []oidc.TenantConfig{
		{Tenant: "acme", Issuer: acme.URL, ClientID: "agentpulse-acme", ClientSecret: "acme-secret", Roles: roles()}}}, secret, nil)
	if err != nil {
		t.Fatal(err)
	}
	if c, err := (oidc.Verifier{OIDC: onlyAcme, Next: auth.Verifier{Secret: secret}}).Verify(tok); err == nil {
		t.Fatalf("acme's server admitted initech's token as %+v", c)
	}
	// acme's own access tokens are admitted, for acme.
	atok := oidctest.AccessToken(t, acme, "agentpulse-acme", "acme-secret", a.srv.URL+oidc.PathCallback, "agent-0001", "pw-agent")
	if c, err := (oidc.Verifier{OIDC: onlyAcme, Next: auth.Verifier{Secret: secret}}).Verify(atok); err != nil || c.Tenant != "acme" || c.Role != auth.RoleAgent {
		t.Fatalf("acme's access token: %+v %v", c, err)
	}
}

func noRedirectClient(cl *http.Client) *http.Client {
	c := *cl
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return &c
}
