package dashboard_test

import (
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/agentpulse/agentpulse/server/app/apptest"
	"github.com/agentpulse/agentpulse/views"
)

// TestAgentHomeOnClickHouse runs the dashboard on the product over a real
// ClickHouse 18.16: the agent home lists every inquiry the API (and the
// reference) gives for the agent.
func TestAgentHomeOnClickHouse(t *testing.T) {
	p := apptest.Start(t, apptest.Options{ClickHouse: true, Agents: 16, Days: 14})
	ctx := browser(t)
	agent := "agent-0001"
	models := p.Reference().Models(p.Tenant, agent)
	if len(models) == 0 {
		t.Fatal("the agent has no models")
	}
	want, err := p.Reference().AgentPerformance(p.Tenant, agent, models[0].Model, views.RangeSpec{}, views.SortSpec{})
	if err != nil {
		t.Fatal(err)
	}
	signIn(t, ctx, p, agentToken(t, p, agent), "#/agent/"+agent+"?model="+models[0].Model)
	var text string
	run(t, ctx, "read the agent home",
		chromedp.WaitVisible("main table", chromedp.ByQuery),
		chromedp.Sleep(300*time.Millisecond),
		chromedp.Text("main", &text, chromedp.ByQuery),
	)
	for _, inq := range want.Inquiries {
		if !strings.Contains(text, humanize(inq.Inquiry)) {
			t.Errorf("the agent home on ClickHouse does not show inquiry %q", inq.Inquiry)
		}
	}
	screenshots(t, ctx, "agent-home-clickhouse")
}
