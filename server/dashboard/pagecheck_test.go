package dashboard_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/agentpulse/agentpulse/server/app/apptest"
	"github.com/agentpulse/agentpulse/views"
)

// apiGet GETs path with tok into out and returns the status; an error
// answer's message is returned as msg.
func apiGet(t testing.TB, p *apptest.Product, tok, path string, out any) (status int, msg string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, p.URL+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+tok)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		var e struct {
			Error string `json:"error"`
		}
		_ = json.Unmarshal(body, &e)
		return resp.StatusCode, e.Error
	}
	if out != nil {
		if err := json.Unmarshal(body, out); err != nil {
			t.Fatalf("GET %s: %v", path, err)
		}
	}
	return resp.StatusCode, ""
}

// mustGet is apiGet that fails t on anything but 200.
func mustGet(t testing.TB, p *apptest.Product, tok, path string, out any) {
	t.Helper()
	if st, msg := apiGet(t, p, tok, path, out); st != http.StatusOK {
		t.Fatalf("GET %s: %d %s", path, st, msg)
	}
}

// waitJS polls the page until expr is truthy (10 s), failing t with what
// and the value of show (a JS expression telling what the page holds).
func waitJS(t testing.TB, ctx context.Context, what, expr, show string) {
	t.Helper()
	tctx, cancel := context.WithTimeout(ctx, 12*time.Second)
	defer cancel()
	err := chromedp.Run(tctx, chromedp.Poll(expr, nil, chromedp.WithPollingInterval(100*time.Millisecond), chromedp.WithPollingTimeout(10*time.Second)))
	if err != nil {
		var got any
		_ = chromedp.Run(ctx, chromedp.Evaluate(show, &got))
		t.Fatalf("%s: %v; the page has %v", what, err, got)
	}
}

// evalJSON evaluates expr in the page into out.
func evalJSON(t testing.TB, ctx context.Context, what, expr string, out any) {
	t.Helper()
	run(t, ctx, what, chromedp.Evaluate(expr, out))
}

// The page's formatters (web/ui.js), in Go, to check what is shown.

func jsRound(v float64) float64 { return math.Floor(v + 0.5) }

func fmtThousands(n int64) string {
	s := strconv.FormatInt(n, 10)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	for i, r := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}

func fmtDuration(s float64) string {
	t := jsRound(s) // rounded to the second first, as ui.js does
	m := math.Floor(t / 60)
	r := t - m*60
	if m > 0 {
		return fmt.Sprintf("%dm %02ds", int64(m), int64(r))
	}
	return fmt.Sprintf("%ds", int64(r))
}

func fmtMetric(m views.Metric, v *float64) string {
	if v == nil {
		return "—"
	}
	switch m {
	case views.MetricPSAT, views.MetricPRES:
		return strconv.FormatFloat(*v*100, 'f', 1, 64) + " %"
	case views.MetricAHT:
		return fmtDuration(*v)
	default:
		return fmtThousands(int64(jsRound(*v))) + " s"
	}
}

func labelText(l *views.Label) string {
	if l == nil {
		return "Not ranked"
	}
	switch *l {
	case "great":
		return "Great"
	case "good":
		return "Good"
	case "needs_work":
		return "Needs work"
	}
	return string(*l)
}

// fitsPhone fails t when the page scrolls sideways at phone width (wide
// tables must scroll inside their own box instead).
func fitsPhone(t testing.TB, ctx context.Context, page string) {
	t.Helper()
	var w int64
	run(t, ctx, "phone width "+page,
		chromedp.EmulateViewport(390, 844),
		chromedp.Sleep(150*time.Millisecond),
		chromedp.Evaluate(`document.documentElement.scrollWidth`, &w),
		chromedp.EmulateViewport(1280, 800))
	if w > 390 {
		t.Errorf("%s is %d px wide at a 390 px phone width: the page scrolls sideways", page, w)
	}
}

// jsLit is s as a JavaScript string literal (any character).
func jsLit(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}
