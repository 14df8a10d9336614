package dashboard_test

import (
	"context"
	"fmt"
	"os"
	"slices"
	"testing"
	"time"

	"github.com/chromedp/cdproto/heapprofiler"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	"github.com/agentpulse/agentpulse/auth"
	"github.com/agentpulse/agentpulse/server/app/apptest"
)

// boxCheckJS lists what is wrong with the wallboard's current page: a
// team box outside the screen, an element whose content is cut (scroll
// size above its box) or text that wraps onto a second line.
const boxCheckJS = `(() => {
  const bad = [];
  const W = innerWidth, H = innerHeight;
  for (const s of document.querySelectorAll("section.wb-team")) {
    const r = s.getBoundingClientRect();
    if (r.left < 0 || r.top < 0 || r.right > W + 0.5 || r.bottom > H + 0.5) bad.push("team " + s.dataset.team + " box " + JSON.stringify([r.left, r.top, r.right, r.bottom]) + " outside " + W + "x" + H);
  }
  for (const e of document.querySelectorAll(".wb-body h2, .wb-body dt, .wb-body dd, .wb-body th, .wb-body td, .wb-head h1, .wb-meta span")) {
    if (e.scrollWidth > e.clientWidth + 1) bad.push("cut: " + e.textContent + " (" + e.scrollWidth + " > " + e.clientWidth + ")");
    for (const n of e.childNodes) {
      if (n.nodeType !== 3 || !n.textContent.trim()) continue;
      const rg = document.createRange();
      rg.selectNodeContents(n);
      const tops = new Set([...rg.getClientRects()].map((q) => Math.round(q.top)));
      if (tops.size > 1) bad.push("wraps: " + n.textContent);
    }
  }
  return bad;
})()`

// TestWallboardTV: many teams on a 1920×1080 and a 3840×2160 screen in
// kiosk mode, rotating every second: every page fits the screen, nothing
// is cut or wrapped (element boxes, not only screenshots), the teams are
// ranked (#1 first) and every team is shown once per cycle; then the
// page's JS heap over a live run (interactions arriving, pages rotating)
// stays flat. AGENTPULSE_WALLBOARD_SOAK (e.g. 10m) sets the run's length
// (default 6 s here).
func TestWallboardTV(t *testing.T) {
	p := apptest.Start(t, apptest.Options{Agents: 60, TeamSize: 4})
	admin := p.Token(t, auth.Claims{Subject: "admin", Role: auth.RoleAdmin})
	var want wbAnswer
	if code, _ := apiGet(t, p, admin, "/v1/wallboards/chat", &want); code != 200 || len(want.Teams) < 10 {
		t.Fatalf("API wallboard: %d, %d teams", code, len(want.Teams))
	}
	ctx := browser(t)
	signIn(t, ctx, p, admin, "#/wallboards")
	// At 3840×2160 the board reads its agents a page of teams at a time
	// (page=1, as a board of more than WHOLE_AGENTS agents does).
	for _, size := range []struct {
		name  string
		w, h  int64
		extra string
	}{{"1920x1080", 1920, 1080, ""}, {"3840x2160", 3840, 2160, "&page=1"}} {
		run(t, ctx, "screen "+size.name, chromedp.EmulateViewport(size.w, size.h),
			chromedp.Evaluate(`location.hash = "#/wallboard/chat?rotate=2&kiosk=1&n=`+size.name+size.extra+`"`, nil))
		waitJS(t, ctx, "the board", `!!document.querySelector("section.wb-team")`, `location.hash + " " + document.querySelector("main").innerText.slice(0, 300)`)
		var pages int
		waitJS(t, ctx, "paged", `+document.querySelector(".wb-body").dataset.pages > 1`, `document.querySelector(".wb-body").dataset.pages`)
		run(t, ctx, "pages", chromedp.Evaluate(`+document.querySelector(".wb-body").dataset.pages`, &pages))
		// Read each page once, atomically (one evaluation), as the board
		// rotates through them.
		type pageRead struct {
			Page  int      `json:"page"`
			Teams []string `json:"teams"`
			Ranks []int    `json:"ranks"`
			Bad   []string `json:"bad"`
		}
		got := map[int]pageRead{}
		deadline := time.Now().Add(time.Duration(pages)*2*time.Second + 20*time.Second)
		for len(got) < pages && time.Now().Before(deadline) {
			var pr pageRead
			run(t, ctx, "read a page", chromedp.Evaluate(`({page: +document.querySelector(".wb-body").dataset.page,
			  teams: [...document.querySelectorAll("section.wb-team")].map((s) => s.dataset.team),
			  ranks: [...document.querySelectorAll("section.wb-team")].map((s) => +s.dataset.rank),
			  bad: `+boxCheckJS+`})`, &pr))
			if _, ok := got[pr.Page]; !ok {
				got[pr.Page] = pr
				if len(pr.Bad) > 0 {
					t.Errorf("%s page %d: %d problems, first %q", size.name, pr.Page+1, len(pr.Bad), pr.Bad[:min(3, len(pr.Bad))])
				}
				if pr.Page == 0 {
					shot(t, ctx, "wallboard-tv-"+size.name, size.w, size.h)
				}
			}
			time.Sleep(150 * time.Millisecond)
		}
		seen := map[string]int{}
		ranks := []int{}
		for _, pr := range got {
			for _, tm := range pr.Teams {
				seen[tm]++
			}
			ranks = append(ranks, pr.Ranks...)
		}
		if len(seen) != len(want.Teams) {
			t.Errorf("%s: %d pages showed %d teams, want %d", size.name, pages, len(seen), len(want.Teams))
		}
		slices.Sort(ranks)
		for i, r := range ranks {
			if r != i+1 {
				t.Errorf("%s: ranks %v are not 1..%d once each", size.name, ranks, len(want.Teams))
				break
			}
		}
		var exit bool
		run(t, ctx, "kiosk", chromedp.Evaluate(`!!document.querySelector("button.wb-exit")`, &exit))
		if exit {
			t.Errorf("%s: kiosk mode shows Exit", size.name)
		}
		t.Logf("%s: %d teams on %d pages", size.name, len(want.Teams), pages)
	}

	// The JS heap over a live run at 1920×1080.
	dur := 6 * time.Second
	if s := os.Getenv("AGENTPULSE_WALLBOARD_SOAK"); s != "" {
		d, err := time.ParseDuration(s)
		if err != nil {
			t.Fatalf("AGENTPULSE_WALLBOARD_SOAK: %v", err)
		}
		dur = d
	}
	run(t, ctx, "1920x1080", chromedp.EmulateViewport(1920, 1080))
	heap := func() float64 {
		var used float64
		run(t, ctx, "heap", heapprofiler.CollectGarbage(), chromedp.ActionFunc(func(ctx context.Context) error {
			var err error
			used, _, _, _, err = runtime.GetHeapUsage().Do(ctx)
			return err
		}))
		return used
	}
	time.Sleep(2 * time.Second) // warm up: every page drawn once
	start := heap()
	inquiry := ""
	for _, it := range p.History {
		if it.Model == "chat" {
			inquiry = it.Inquiry
			break
		}
	}
	end := time.Now().Add(dur)
	samples := []float64{start}
	for i := 0; time.Now().Before(end); i++ {
		a := want.Teams[i%len(want.Teams)].Agents[0].AgentID
		p.Produce(t, p.NewInteraction(a, want.Teams[i%len(want.Teams)].Team, "chat", inquiry, float64(100+i%200)))
		time.Sleep(250 * time.Millisecond)
		if i%40 == 39 {
			samples = append(samples, heap())
		}
	}
	last := heap()
	samples = append(samples, last)
	t.Logf("JS heap over %v live: start %.1f MB, end %.1f MB, samples (MB) %v", dur, start/1e6, last/1e6, mb(samples))
	if last > start*1.5+2e6 {
		t.Errorf("the JS heap grew from %.1f MB to %.1f MB in %v", start/1e6, last/1e6, dur)
	}
}

func mb(xs []float64) []string {
	out := make([]string, len(xs))
	for i, x := range xs {
		out[i] = fmt.Sprintf("%.1f", x/1e6)
	}
	return out
}
