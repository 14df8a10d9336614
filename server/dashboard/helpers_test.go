package dashboard_test

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/agentpulse/agentpulse/auth"
	"github.com/agentpulse/agentpulse/server/app/apptest"
)

// required reports whether a missing browser must fail the tests rather
// than skip them (CI).
func required() bool {
	return os.Getenv("CI") == "true" || os.Getenv("AGENTPULSE_REQUIRE_SERVICES") == "1"
}

// chromiumPath finds Debian's chromium (AGENTPULSE_CHROMIUM overrides).
func chromiumPath(t testing.TB) string {
	t.Helper()
	if p := os.Getenv("AGENTPULSE_CHROMIUM"); p != "" {
		return p
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if required() {
		t.Fatal("no chromium on PATH (apt-get install chromium); browser tests are required here")
	}
	t.Skip("skipping: no chromium on PATH (apt-get install chromium)")
	return ""
}

// browser starts a headless Chromium for t and returns its context (one
// tab), sized 1280×800. It ends with t.
func browser(t testing.TB) context.Context {
	t.Helper()
	dir, err := os.MkdirTemp("", "agentpulse-chromium-")
	if err != nil {
		t.Fatal(err)
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chromiumPath(t)),
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.WindowSize(1280, 800),
		chromedp.UserDataDir(dir),
	)
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelCtx := chromedp.NewContext(actx)
	t.Cleanup(func() {
		cancelCtx()
		cancelAlloc()
		// Chromium may still write its profile for a moment after it is
		// told to stop: retry rather than fail the test on cleanup.
		for i := 0; i < 20 && os.RemoveAll(dir) != nil; i++ {
			time.Sleep(100 * time.Millisecond)
		}
	})
	if err := chromedp.Run(ctx); err != nil {
		t.Fatalf("start chromium: %v", err)
	}
	return ctx
}

// run runs actions with a deadline, failing t with what was being done.
func run(t testing.TB, ctx context.Context, what string, actions ...chromedp.Action) {
	t.Helper()
	tctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	if err := chromedp.Run(tctx, actions...); err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

// screenshotDir is where the tests write what a user sees: the
// AGENTPULSE_SCREENSHOTS directory, else artifacts/screenshots at the repo
// root (kept by .ci/run, ignored by git).
func screenshotDir(t testing.TB) string {
	t.Helper()
	dir := os.Getenv("AGENTPULSE_SCREENSHOTS")
	if dir == "" {
		dir = filepath.Join("..", "..", "artifacts", "screenshots")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

// screenshots saves the page at a phone width (390×844), a TV
// (1920×1080) and 1280×800 as NAME-phone.png, NAME-tv.png and
// NAME-desktop.png, then leaves the desktop size.
func screenshots(t testing.TB, ctx context.Context, name string) {
	t.Helper()
	dir := screenshotDir(t)
	for _, s := range []struct {
		suffix string
		w, h   int64
	}{{"phone", 390, 844}, {"tv", 1920, 1080}, {"desktop", 1280, 800}} {
		var png []byte
		run(t, ctx, "screenshot "+name,
			chromedp.EmulateViewport(s.w, s.h),
			chromedp.Sleep(150*time.Millisecond), // let the layout settle
			chromedp.CaptureScreenshot(&png))
		if err := os.WriteFile(filepath.Join(dir, name+"-"+s.suffix+".png"), png, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// signIn opens the dashboard with tok already signed in (the sign-in page
// itself is tested by TestSignIn) at hash, e.g. "#/agent/agent-0001".
func signIn(t testing.TB, ctx context.Context, p *apptest.Product, tok, hash string) {
	t.Helper()
	run(t, ctx, "sign in",
		chromedp.Navigate(p.URL+"/#/signin"),
		chromedp.WaitVisible("#token", chromedp.ByID),
		chromedp.Evaluate(`localStorage.setItem("agentpulse.token", `+jsString(tok)+`)`, nil),
		chromedp.Navigate(p.URL+"/"+hash),
	)
}

func jsString(s string) string {
	b := []byte{'"'}
	for _, r := range s {
		switch r {
		case '"', '\\':
			b = append(b, '\\', byte(r))
		default:
			b = append(b, string(r)...)
		}
	}
	return string(append(b, '"'))
}

// agentToken is the token of an agent of the product.
func agentToken(t testing.TB, p *apptest.Product, agent string) string {
	return p.Token(t, auth.Claims{Subject: agent, Role: auth.RoleAgent})
}
