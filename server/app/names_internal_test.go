package app

import (
	"context"
	"strings"
	"testing"

	"github.com/twmb/franz-go/pkg/kfake"

	"github.com/agentpulse/agentpulse/auth"
	"github.com/agentpulse/agentpulse/auth/roster"
	"github.com/agentpulse/agentpulse/server/notify"
	"github.com/agentpulse/agentpulse/server/plans"
	"github.com/agentpulse/agentpulse/views"
)

// TestNotificationsSayNames: a plan's notifications name the agent by
// their roster name and the inquiry and channel by their display names;
// without a roster (or a name) the id, and ids in words.
func TestNotificationsSayNames(t *testing.T) {
	c, err := kfake.NewCluster(kfake.NumBrokers(1))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	ctx := context.Background()
	l, err := roster.Open(ctx, roster.Config{Brokers: c.ListenAddrs()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(l.Close)
	boss := auth.Claims{Tenant: "acme", Subject: "boss", Role: auth.RoleAdmin}
	if _, _, err := l.Put(ctx, "acme", roster.Person{Subject: "agent-0001", Name: "Bo Berg", Role: auth.RoleAgent}, boss); err != nil {
		t.Fatal(err)
	}
	if _, err := l.SetNames(ctx, "acme", []roster.Label{{Kind: roster.KindInquiry, ID: "billing", Name: "Invoices"}, {Kind: roster.KindModel, ID: "chat", Name: "Web chat"}}, "boss"); err != nil {
		t.Fatal(err)
	}
	plan := views.Plan{ID: "p1", TenantID: "acme", AgentID: "agent-0001", Model: "chat", Inquiry: "billing", Metric: views.MetricAHT,
		ImprovementPct: 10, TargetDate: "2026-12-08", Assistance: []string{"Side-by-side"}}
	lead := auth.Claims{Tenant: "acme", Subject: "lead", Role: auth.RoleSupervisor, Teams: []string{"team-01"}}
	for _, tc := range []struct {
		nm          namer
		title, body string
	}{
		{newNamer(l), "Bo Berg asks for help", "Bo Berg started a coaching plan, AHT −10 % on Invoices (Web chat) by 8 Dec 2026"},
		{newNamer(nil), "agent-0001 asks for help", "agent-0001 started a coaching plan, AHT −10 % on Billing (Chat) by 8 Dec 2026"},
	} {
		center, err := notify.New(notify.Config{})
		if err != nil {
			t.Fatal(err)
		}
		planEvents(center, tc.nm)(ctx, plans.Event{Kind: plans.EventHelpAsked, Plan: plan, Team: "team-01"})
		list, _ := center.List(lead)
		if len(list) != 1 || list[0].Title != tc.title || !strings.HasPrefix(list[0].Body, tc.body) {
			t.Errorf("notification %+v, want %q / %q…", list, tc.title, tc.body)
		}
	}
}
