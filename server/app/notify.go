package app

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/agentpulse/agentpulse/server/notify"
	"github.com/agentpulse/agentpulse/server/plans"
	"github.com/agentpulse/agentpulse/views"
)

// metricWords names a plan's metric and goal in words: "AHT −10 %".
func metricWords(p views.Plan) string {
	sign := "+"
	if p.Metric.LowerIsBetter() {
		sign = "−"
	}
	return fmt.Sprintf("%s %s%g %%", strings.ToUpper(string(p.Metric)), sign, p.ImprovementPct)
}

// words turns a feed id into words: "technical_support" → "Technical support".
func words(id string) string {
	s := strings.TrimSpace(strings.NewReplacer("_", " ", "-", " ").Replace(id))
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// day formats a plan's target date (YYYY-MM-DD) as "8 Dec 2026".
func day(d string) string {
	t, err := views.ParseDate(d)
	if err != nil {
		return d
	}
	return t.Format("2 Jan 2006")
}

// planEvents turns the plan service's events into notifications: an ask
// for help and a plan at risk for the agent's team leaders; achieved or
// missed for the agent and for their team leaders. Each is keyed by its
// plan, so that several servers seeing the same event tell it once.
// People, inquiries and channels are named as nm says.
func planEvents(c *notify.Center, nm namer) func(context.Context, plans.Event) {
	return func(ctx context.Context, e plans.Event) {
		p := e.Plan
		link := "#/plans/" + url.PathEscape(p.ID)
		what := fmt.Sprintf("%s on %s (%s)", metricWords(p), nm.inquiry(p.TenantID, p.Inquiry), nm.model(p.TenantID, p.Model))
		who := nm.person(p.TenantID, p.AgentID)
		team := notify.Audience{Team: e.Team}
		switch e.Kind {
		case plans.EventHelpAsked:
			if e.Team == "" {
				return
			}
			c.Notify(ctx, p.TenantID, notify.Notification{Kind: notify.KindHelpAsked, Audience: team, Link: link, Key: "help_asked/" + p.ID,
				Title: who + " asks for help",
				Body:  fmt.Sprintf("%s started a coaching plan, %s by %s, and asks for: %s.", who, what, day(p.TargetDate), strings.Join(p.Assistance, "; "))})
		case plans.EventAtRisk:
			if e.Team == "" {
				return
			}
			c.Notify(ctx, p.TenantID, notify.Notification{Kind: notify.KindPlanAtRisk, Audience: team, Link: link, Key: "plan_at_risk/" + p.ID,
				Title: "A plan of " + who + " is at risk",
				Body:  fmt.Sprintf("%s's plan %s is behind its target with little time left (target date %s).", who, what, day(p.TargetDate))})
		case plans.EventAchieved, plans.EventMissed:
			kind, word := notify.KindPlanAchieved, "achieved"
			if e.Kind == plans.EventMissed {
				kind, word = notify.KindPlanMissed, "missed"
			}
			c.Notify(ctx, p.TenantID, notify.Notification{Kind: kind, Audience: notify.Audience{Agent: p.AgentID}, Link: link, Key: string(kind) + "/" + p.ID + "/agent",
				Title: "Your plan is " + word, Body: fmt.Sprintf("Your coaching plan %s ended on %s: %s.", what, day(p.TargetDate), word)})
			if e.Team != "" {
				c.Notify(ctx, p.TenantID, notify.Notification{Kind: kind, Audience: team, Link: link, Key: string(kind) + "/" + p.ID + "/team",
					Title: fmt.Sprintf("%s's plan is %s", who, word), Body: fmt.Sprintf("%s's coaching plan %s ended on %s: %s.", who, what, day(p.TargetDate), word)})
			}
		}
	}
}

// watchStalls tells a tenant's admins, once per silence, when its update
// feed has been silent for StallAfter (checked every StallAfter/10, at
// least every minute).
func (s *Server) watchStalls(ctx context.Context) {
	every := min(time.Minute, max(time.Second, s.stalls.After/10))
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case now := <-t.C:
			for tenant, last := range s.stalls.Check(now) {
				s.notify.Notify(ctx, tenant, notify.Notification{Kind: notify.KindFeedStalled, Audience: notify.Audience{Admins: true}, Link: "#/wallboards",
					Key:   "feed_stalled/" + last.UTC().Format(time.RFC3339Nano),
					Title: "The data feed stalled",
					Body:  fmt.Sprintf("No interaction has arrived since %s (%s ago): check the contact-center connectors and the broker.", last.UTC().Format(time.RFC3339), now.Sub(last).Round(time.Second))})
			}
		}
	}
}
