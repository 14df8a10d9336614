package dashboard_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"runtime"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/agentpulse/agentpulse/auth"
	"github.com/agentpulse/agentpulse/schemas"
	"github.com/agentpulse/agentpulse/server/app/apptest"
)

// redrawProbes is how many interactions of the probed agent each view
// times.
const redrawProbes = 8

// TestLiveRedrawUnderFeed measures, under a running feed (20 chat
// interactions/s of the other agents, produced to the broker as ingest
// does), the time from producing one interaction of agent-0002 to the
// redraw of their volume on the admin's wallboard and on their
// supervisor's team view, each redrawProbes times: the instant the page
// shows the new count is taken in the browser on the animation frame that
// first shows it (chromedp.Poll's default), against the clock the test
// read just before producing. It fails when a redraw does not come
// within the poll timeout or shows another count; the times are logged
// (p50 and max), not asserted: the machine is shared.
func TestLiveRedrawUnderFeed(t *testing.T) {
	p := apptest.Start(t, apptest.Options{})
	var produceMu sync.Mutex // Produce appends to p.History
	produce := func(tb testing.TB, its ...schemas.Interaction) {
		produceMu.Lock()
		defer produceMu.Unlock()
		p.Produce(tb, its...)
	}
	// The feed: every other agent's chat work, with their newest team.
	type who struct{ agent, team, inquiry string }
	var others []who
	probeInquiry := ""
	seen := map[string]bool{}
	for i := len(p.History) - 1; i >= 0; i-- {
		it := p.History[i]
		if it.Model != "chat" || seen[it.AgentID] {
			continue
		}
		seen[it.AgentID] = true
		if it.AgentID == "agent-0002" {
			probeInquiry = it.Inquiry
			continue
		}
		others = append(others, who{it.AgentID, it.TeamID, it.Inquiry})
	}
	if probeInquiry == "" || len(others) < 5 {
		t.Fatalf("chat agents: %d others, agent-0002 inquiry %q", len(others), probeInquiry)
	}
	feedCtx, stopFeed := context.WithCancel(context.Background())
	var feed sync.WaitGroup
	var fed int
	feedTB := &goroutineTB{TB: t}
	feed.Go(func() {
		rng := rand.New(rand.NewPCG(1, 2))
		tick := time.NewTicker(50 * time.Millisecond)
		defer tick.Stop()
		for feedCtx.Err() == nil {
			<-tick.C
			w := others[rng.IntN(len(others))]
			produce(feedTB, p.NewInteraction(w.agent, w.team, "chat", w.inquiry, float64(100+rng.IntN(300))))
			fed++
		}
	})
	defer func() { stopFeed(); feed.Wait() }()

	cell := `document.querySelector('tr[data-agent="agent-0002"] [data-metric="volume"]')`
	probe := func(ctx context.Context, view string) {
		t.Helper()
		var lat []time.Duration
		for range redrawProbes {
			var before int
			run(t, ctx, view+": volume before", chromedp.Evaluate(`parseInt(`+cell+`.textContent.replace(/,/g, ""))`, &before))
			at := time.Now()
			produce(t, p.NewInteraction("agent-0002", "team-01", "chat", probeInquiry, 200))
			var shownAt float64
			run(t, ctx, view+": redraw", chromedp.Poll(fmt.Sprintf(`(() => { const c = %s;
			  return c && c.textContent.replace(/,/g, "") === "%d" ? Date.now() : false; })()`, cell, before+1),
				&shownAt, chromedp.WithPollingTimeout(15*time.Second)))
			lat = append(lat, time.UnixMilli(int64(shownAt)).Sub(at))
			time.Sleep(200 * time.Millisecond) // between probes, the feed alone
		}
		slices.Sort(lat)
		t.Logf("%s: ingested interaction → redraw, %d probes under a 20/s feed: p50 %v, max %v (all %v)",
			view, len(lat), lat[len(lat)/2].Round(time.Millisecond), lat[len(lat)-1].Round(time.Millisecond), lat)
	}

	admin := p.Token(t, auth.Claims{Subject: "admin", Role: auth.RoleAdmin})
	ctx := browser(t)
	signIn(t, ctx, p, admin, "#/wallboard/chat")
	run(t, ctx, "the wallboard", chromedp.WaitVisible(`section[data-team="team-01"] tr[data-agent="agent-0002"]`, chromedp.ByQuery),
		chromedp.Sleep(500*time.Millisecond)) // the websocket's snapshot replaces the REST answer
	probe(ctx, "wallboard (admin)")

	lead := p.Token(t, auth.Claims{Subject: "lead-01", Role: auth.RoleSupervisor, Teams: []string{"team-01"}})
	signIn(t, ctx, p, lead, "#/team/team-01?model=chat")
	run(t, ctx, "a new page load", chromedp.Reload(),
		chromedp.WaitVisible(`table.team-agents tr[data-agent="agent-0002"]`, chromedp.ByQuery),
		chromedp.Sleep(500*time.Millisecond))
	probe(ctx, "team view (supervisor)")
	stopFeed()
	feed.Wait()
	if feedTB.failed != "" {
		t.Fatalf("feed: %s", feedTB.failed)
	}
	t.Logf("feed: %d interactions of other agents", fed)
}

// goroutineTB is the feed goroutine's testing.TB: a Fatal there records
// the failure and ends the goroutine (t.Fatal may only be called from the
// test's own goroutine); the test reports it after the feed stops.
type goroutineTB struct {
	testing.TB
	failed string
}

func (g *goroutineTB) Helper() {}

func (g *goroutineTB) Fatal(args ...any) {
	g.failed = fmt.Sprint(args...)
	runtime.Goexit()
}

func (g *goroutineTB) Fatalf(format string, args ...any) {
	g.failed = fmt.Sprintf(format, args...)
	runtime.Goexit()
}
