package dashboard_test

import (
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/agentpulse/agentpulse/auth"
	"github.com/agentpulse/agentpulse/server/app/apptest"
)

// TestTVLink: an admin makes a TV link on the Wallboards page (a
// wallboard key shown once); a screen with nobody signed in opens it and
// runs the kiosk board on the key alone — the key leaves the address bar,
// the board is live, and nothing expires (no token with an exp) — until
// the admin revokes the link, when the screen says so at once.
func TestTVLink(t *testing.T) {
	p := apptest.Start(t, apptest.Options{Agents: 8, TeamSize: 4, Days: 2})
	admin := p.Token(t, auth.Claims{Subject: "admin", Role: auth.RoleAdmin})
	ctx := browser(t)
	signIn(t, ctx, p, admin, "#/wallboards")
	waitJS(t, ctx, "the TV links card", `!!document.getElementById("tv-form") && !!document.getElementById("tv-none")`, `document.querySelector("main").innerText.slice(0, 300)`)
	run(t, ctx, "make a TV link",
		chromedp.SetValue("#tv-name", "Floor 2 TV", chromedp.ByID),
		chromedp.Click("#make-tv", chromedp.ByID))
	waitJS(t, ctx, "the link, shown once, and the list", `(document.getElementById("tv-link")?.value || "").includes("#/tv?key=apk_") && document.querySelectorAll("#tv-table tbody tr").length === 1`, `document.querySelector("main").innerText.slice(0, 400)`)
	checkA11y(t, ctx, "wallboards-tv-links", 0)
	fitsPhone(t, ctx, "wallboards-tv-links")
	screenshots(t, ctx, "wallboards-tv-links")
	var link, model, keyID string
	run(t, ctx, "read the link", chromedp.Value("#tv-link", &link, chromedp.ByID),
		chromedp.Evaluate(`document.querySelector("#tv-table tbody tr td").dataset.model`, &model), // the id; the cell says the channel in words
		chromedp.Evaluate(`document.querySelector("#tv-table tbody tr").dataset.key`, &keyID))

	// The TV: nobody signed in.
	run(t, ctx, "the TV opens the link",
		chromedp.Evaluate(`localStorage.clear()`, nil),
		chromedp.Navigate(p.URL+"/#/signin"),
		chromedp.Navigate(link), chromedp.Reload())
	waitJS(t, ctx, "the kiosk board on the key", `location.hash.startsWith("#/wallboard/`+model+`") && document.body.classList.contains("kiosk") && !!document.querySelector("section.wb-team") && !location.href.includes("key=") && localStorage.getItem("agentpulse.token").startsWith("apk_")`,
		`location.href + " " + document.querySelector("main").innerText.slice(0, 300)`)
	waitJS(t, ctx, "live", `document.querySelector(".live-dot")?.classList.contains("live-live") || document.querySelector(".wb-ago")?.textContent !== ""`, `document.body.innerText.slice(0, 200)`)
	screenshots(t, ctx, "wallboard-tv-link")
	// An interaction arriving reaches the board over the websocket.
	var before string
	run(t, ctx, "before", chromedp.Evaluate(`document.querySelector(".wb-body").innerText`, &before))
	var wb wbAnswer
	if code, _ := apiGet(t, p, admin, "/v1/wallboards/"+model, &wb); code != 200 {
		t.Fatalf("wallboard %d", code)
	}
	a := wb.Teams[0].Agents[0]
	for i := 0; i < 5; i++ {
		p.Produce(t, p.NewInteraction(a.AgentID, wb.Teams[0].Team, model, "billing", 30))
	}
	waitJS(t, ctx, "the board redrawn live", `document.querySelector(".wb-body").innerText !== `+jsLit(before), `""`)

	start := time.Now()
	if code, msg := apiPost(t, p, admin, "/v1/api-keys/"+keyID+"/revoke"); code != 200 {
		t.Fatalf("revoke: %d %s", code, msg)
	}
	waitJS(t, ctx, "the screen says the link was revoked", `(document.getElementById("wb-revoked")?.textContent || "").includes("revoked")`, `document.querySelector(".wb-foot")?.textContent`)
	t.Logf("the TV showed the revocation %s after it", time.Since(start))
	var tok string
	run(t, ctx, "token gone", chromedp.Evaluate(`localStorage.getItem("agentpulse.token") || ""`, &tok))
	if strings.HasPrefix(tok, "apk_") {
		t.Errorf("the revoked key is still kept by the screen")
	}
}

// apiPost POSTs an empty JSON object to path with tok and returns the
// status and, on an error answer, its body.
func apiPost(t testing.TB, p *apptest.Product, tok, path string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, p.URL+path, strings.NewReader("{}"))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+tok)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}
