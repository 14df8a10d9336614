package dashboard_test

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/agentpulse/agentpulse/server/app/apptest"
)

// TestSignIn: the sign-in page refuses a token that is not one, then a
// click on the demo agent signs in and lands on the agent's home with
// their inquiries.
func TestSignIn(t *testing.T) {
	p := apptest.Start(t, apptest.Options{DemoTokens: true})
	ctx := browser(t)
	var msg, h1 string
	run(t, ctx, "open the sign-in page",
		chromedp.Navigate(p.URL+"/"),
		chromedp.WaitVisible("#token", chromedp.ByID),
		chromedp.WaitVisible(`button[data-role="agent"]`, chromedp.ByQuery),
	)
	screenshots(t, ctx, "signin")
	run(t, ctx, "a token that is not one",
		chromedp.SendKeys("#token", "not-a-token", chromedp.ByID),
		chromedp.Click(`form.signin button[type="submit"]`, chromedp.ByQuery),
		chromedp.Text("#token-error", &msg, chromedp.ByID),
	)
	if !strings.Contains(msg, "not an agentpulse token") {
		t.Fatalf("error under the token field = %q", msg)
	}
	run(t, ctx, "sign in as the demo agent",
		chromedp.Click(`button[data-role="agent"]`, chromedp.ByQuery),
		chromedp.WaitVisible("table.data tbody tr", chromedp.ByQuery),
		chromedp.Text("h1", &h1, chromedp.ByQuery),
	)
	if !strings.Contains(h1, "agent-0001") {
		t.Fatalf("landed on %q, want agent-0001's home", h1)
	}
	screenshots(t, ctx, "agent-home")
}
