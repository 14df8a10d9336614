package dashboard_test

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/agentpulse/agentpulse/auth/oidc"
	"github.com/agentpulse/agentpulse/auth/oidc/oidctest"
	"github.com/agentpulse/agentpulse/server/app/apptest"
)

// TestSingleSignOn signs in through a real OpenID provider running in the
// test (zitadel/oidc's), in Chromium, as an agent, a supervisor and an
// admin whose roles and teams come from their groups: each lands on their
// home with live data, no token is in localStorage or readable by the
// page's scripts (the session is an HttpOnly cookie), and signing out
// returns to the sign-in page.
func TestSingleSignOn(t *testing.T) {
	var op *oidctest.Provider
	p := apptest.Start(t, apptest.Options{SSO: func(public string) oidc.Config {
		op = oidctest.Start(t, []oidctest.User{
			{ID: "agent-0001", Password: "pw-agent", Groups: []string{"ap-agents"}},
			{ID: "lead-1", Password: "pw-lead", Groups: []string{"ap-supervisors", "team:team-01"}},
			{ID: "boss", Password: "pw-boss", Groups: []string{"ap-admins"}},
		}, "agentpulse-dashboard", "dash-secret", public+oidc.PathCallback)
		return oidc.Config{PublicURL: public, Tenants: []oidc.TenantConfig{{
			Tenant: "acme", Issuer: op.URL, ClientID: "agentpulse-dashboard", ClientSecret: "dash-secret",
			Roles: map[string]string{"ap-agents": "agent", "ap-supervisors": "supervisor", "ap-admins": "admin"},
		}}}
	}})
	if p.Tenant != "acme" {
		t.Fatalf("the simulated tenant is %q; the test maps acme", p.Tenant)
	}
	for _, tc := range []struct {
		user, password, role, landing string
	}{
		{"agent-0001", "pw-agent", "agent", "table.data tbody tr"},
		{"lead-1", "pw-lead", "supervisor", "main h1"},
		{"boss", "pw-boss", "admin", "main h1"},
	} {
		t.Run(tc.role, func(t *testing.T) {
			ctx := browser(t)
			var who, stored, cookies, hash string
			run(t, ctx, "open the sign-in page",
				chromedp.Navigate(p.URL+"/#/signin"),
				chromedp.WaitVisible("#sso", chromedp.ByID),
			)
			run(t, ctx, "single sign-on through the provider",
				chromedp.SendKeys("#org", "acme", chromedp.ByID),
				chromedp.Click("#sso button[type=submit]", chromedp.ByQuery),
				chromedp.WaitVisible("#username", chromedp.ByID),
				chromedp.SendKeys("#username", tc.user, chromedp.ByID),
				chromedp.SendKeys("#password", tc.password, chromedp.ByID),
				chromedp.Click("button[type=submit]", chromedp.ByQuery),
				chromedp.WaitVisible(tc.landing, chromedp.ByQuery),
				chromedp.Text("#who", &who, chromedp.ByID),
				chromedp.Evaluate(`String(localStorage.getItem("agentpulse.token"))`, &stored),
				chromedp.Evaluate(`document.cookie`, &cookies),
				chromedp.Evaluate(`location.hash`, &hash),
			)
			screenshots(t, ctx, "sso-"+tc.role)
			if !strings.Contains(who, tc.user+" · "+tc.role+" · acme") {
				t.Fatalf("signed in as %q, want %s · %s · acme", who, tc.user, tc.role)
			}
			if stored != "null" || strings.Contains(cookies, "agentpulse_session") {
				t.Fatalf("token visible to scripts: localStorage %q, document.cookie %q", stored, cookies)
			}
			if tc.role == "supervisor" && hash != "#/team/team-01" {
				t.Fatalf("the supervisor landed on %q, want their team", hash)
			}
			run(t, ctx, "sign out",
				chromedp.Click("#who button", chromedp.ByQuery),
				// The provider ends its session and sends the browser
				// back to the dashboard, signed out.
				chromedp.WaitVisible("#sso", chromedp.ByID),
			)
		})
	}
}
