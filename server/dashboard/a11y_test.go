package dashboard_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// a11yJS finds the accessibility problems of the page: form fields
// without a label, buttons, links and summaries without a name, images
// without alt, tables without a caption or column headers (uPlot's legend,
// which the chart's points table replaces, is left out), sortable headers
// without a button, label badges without text or whose text/background
// contrast (WCAG 2, background from the nearest ancestor that has one) is
// below 4.5, duplicate ids, and a page without an h1. It returns the
// problems (empty: none) and how many badges it measured.
const a11yJS = `(() => {
  const problems = [];
  const name = (e) => {
    const by = e.getAttribute("aria-labelledby");
    return (e.getAttribute("aria-label") || (by && document.getElementById(by) ? document.getElementById(by).textContent : "") || e.textContent || e.getAttribute("title") || "").trim();
  };
  for (const e of document.querySelectorAll("input:not([type=hidden]), select, textarea")) {
    const byFor = e.id && document.querySelector('label[for="' + CSS.escape(e.id) + '"]');
    if (!byFor && !e.closest("label") && !e.getAttribute("aria-label") && !e.getAttribute("aria-labelledby")) problems.push("unlabelled " + e.tagName + "#" + e.id);
  }
  for (const e of document.querySelectorAll("button, a[href], summary")) if (!name(e)) problems.push("nameless " + e.tagName + " " + e.outerHTML.slice(0, 80));
  for (const e of document.querySelectorAll("img")) if (!e.hasAttribute("alt")) problems.push("img without alt " + e.src);
  for (const t of document.querySelectorAll("main table:not(.u-legend)")) {
    const c = t.querySelector("caption");
    if (!(c && c.textContent.trim()) && !t.getAttribute("aria-label")) problems.push("table without caption");
    if (!t.querySelector("th")) problems.push("table without headers");
  }
  for (const th of document.querySelectorAll("main th[aria-sort]")) if (!th.querySelector("button")) problems.push("sortable header without a button");
  const ids = {};
  for (const e of document.querySelectorAll("[id]")) { if (ids[e.id]) problems.push("duplicate id " + e.id); ids[e.id] = 1; }
  if (!document.querySelector("main h1")) problems.push("no h1");
  const rgb = (s) => { const m = s.match(/[\d.]+/g).map(Number); return { r: m[0], g: m[1], b: m[2], a: m.length > 3 ? m[3] : 1 }; };
  const lum = (c) => { const f = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); }; return 0.2126 * f(c.r) + 0.7152 * f(c.g) + 0.0722 * f(c.b); };
  const bgOf = (e) => { for (let n = e; n; n = n.parentElement) { const c = rgb(getComputedStyle(n).backgroundColor); if (c.a > 0.5) return c; } return { r: 255, g: 255, b: 255, a: 1 }; };
  let badges = 0;
  for (const e of document.querySelectorAll(".badge")) {
    if (!e.textContent.trim()) { problems.push("badge without text (a label by colour alone)"); continue; }
    const fg = rgb(getComputedStyle(e).color), bg = bgOf(e);
    const l1 = lum(fg), l2 = lum(bg);
    const ratio = (Math.max(l1, l2) + 0.05) / (Math.min(l1, l2) + 0.05);
    badges++;
    if (ratio < 4.5) problems.push("badge '" + e.textContent + "' contrast " + ratio.toFixed(2));
  }
  return { problems, badges };
})()`

type a11yResult struct {
	Problems []string `json:"problems"`
	Badges   int      `json:"badges"`
}

// checkA11y runs a11yJS on the page and fails t on any problem; it
// requires at least minBadges label badges measured.
func checkA11y(t testing.TB, ctx context.Context, page string, minBadges int) {
	t.Helper()
	var res a11yResult
	run(t, ctx, "accessibility check of "+page, chromedp.Evaluate(a11yJS, &res))
	for _, p := range res.Problems {
		t.Errorf("%s: %s", page, p)
	}
	if res.Badges < minBadges {
		t.Errorf("%s: %d label badges measured, want ≥ %d", page, res.Badges, minBadges)
	}
}

// shot saves the page at w×h as NAME.png.
func shot(t *testing.T, ctx context.Context, name string, w, h int64) {
	t.Helper()
	var png []byte
	run(t, ctx, "screenshot "+name,
		chromedp.EmulateViewport(w, h),
		chromedp.Sleep(200*time.Millisecond),
		chromedp.CaptureScreenshot(&png))
	if err := os.WriteFile(filepath.Join(screenshotDir(t), name+".png"), png, 0o644); err != nil {
		t.Fatal(err)
	}
}

// textOf reads the text of the first element matching sel.
func textOf(t *testing.T, ctx context.Context, sel string) string {
	t.Helper()
	var s string
	run(t, ctx, "read "+sel, chromedp.Text(sel, &s, chromedp.ByQuery))
	return strings.TrimSpace(s)
}

// withTimeout bounds chromedp.Run on ctx to 15 s; the deadline is
// cancelled when t ends.
func withTimeout(t *testing.T, ctx context.Context) context.Context {
	c, cancel := context.WithTimeout(ctx, 15*time.Second)
	t.Cleanup(cancel)
	return c
}
