package notify_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/agentpulse/agentpulse/auth"
	"github.com/agentpulse/agentpulse/server/notify"
	"github.com/agentpulse/agentpulse/server/notify/notifytest"
)

type pushed struct {
	mu   sync.Mutex
	msgs []string
}

func (p *pushed) Publish(tenant, channel, typ string, data any) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.msgs = append(p.msgs, tenant+" "+channel+" "+typ)
}

func mustSetPrefs(t *testing.T, c *notify.Center, cl auth.Claims, p notify.Prefs) {
	t.Helper()
	if err := c.SetPrefs(t.Context(), cl, p); err != nil {
		t.Fatal(err)
	}
}

func waitUntil(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestDelivery: a team notification reaches the team's leader in the
// list (unread, then read), live on team:{team}, by e-mail through a real
// SMTP server and by a Slack/Teams webhook; another team's leader and an
// agent see nothing; a leader who opted out of the kind gets no e-mail.
func TestDelivery(t *testing.T) {
	box := notifytest.StartSMTP(t)
	addr := box.Addr
	var hookMu sync.Mutex
	var hooks []notify.Webhook
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var h notify.Webhook
		if r.Header.Get("Content-Type") != "application/json" || json.NewDecoder(r.Body).Decode(&h) != nil {
			http.Error(w, "bad", 400)
			return
		}
		hookMu.Lock()
		hooks = append(hooks, h)
		hookMu.Unlock()
	}))
	defer hook.Close()
	pub := &pushed{}
	c, err := notify.New(notify.Config{Publisher: pub, SMTPAddr: addr, SMTPFrom: "agentpulse@example.com", AllowPrivateWebhooks: true})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() { _ = c.Run(ctx) }()

	lead := auth.Claims{Tenant: "acme", Subject: "lead-1", Role: auth.RoleSupervisor, Teams: []string{"team-01"}}
	other := auth.Claims{Tenant: "acme", Subject: "lead-2", Role: auth.RoleSupervisor, Teams: []string{"team-02"}}
	quiet := auth.Claims{Tenant: "acme", Subject: "lead-3", Role: auth.RoleSupervisor, Teams: []string{"team-01"}}
	agent := auth.Claims{Tenant: "acme", Subject: "agent-0001", Role: auth.RoleAgent}
	mustSetPrefs(t, c, lead, notify.Prefs{Email: "lead-1@example.com", Webhook: hook.URL})
	mustSetPrefs(t, c, other, notify.Prefs{Email: "lead-2@example.com"})
	mustSetPrefs(t, c, quiet, notify.Prefs{Email: "lead-3@example.com", Kinds: []notify.Kind{notify.KindPlanMissed}})

	n := c.Notify(ctx, "acme", notify.Notification{Kind: notify.KindHelpAsked, Audience: notify.Audience{Team: "team-01"},
		Title: "agent-0001 asks for help", Body: "AHT −10 % on billing: a side-by-side session", Link: "#/plans/p1"})
	list, unread := c.List(lead)
	if len(list) != 1 || unread != 1 || list[0].ID != n.ID || list[0].Read {
		t.Fatalf("leader's list = %+v, %d unread", list, unread)
	}
	for _, who := range []auth.Claims{other, agent} {
		if l, u := c.List(who); len(l) != 0 || u != 0 {
			t.Errorf("%s sees %d", who.Subject, len(l))
		}
	}
	if _, err := c.MarkRead(ctx, other, n.ID); err == nil {
		t.Error("another team's leader marked it read")
	}
	if r, err := c.MarkRead(ctx, lead, n.ID); err != nil || !r.Read {
		t.Fatalf("mark read: %v", err)
	}
	if l, u := c.List(lead); u != 0 || !l[0].Read {
		t.Errorf("after read: %d unread", u)
	}
	if l, u := c.List(quiet); len(l) != 1 || u != 1 {
		t.Errorf("read marks are per user: lead-3 has %d unread", u)
	}
	if len(pub.msgs) != 1 || pub.msgs[0] != "acme team:team-01 notification" {
		t.Errorf("pushed %v", pub.msgs)
	}
	waitUntil(t, "the e-mail and the webhook", func() bool {
		hookMu.Lock()
		defer hookMu.Unlock()
		return len(box.All()) >= 1 && len(hooks) >= 1
	})
	time.Sleep(100 * time.Millisecond) // nothing else may arrive
	mails := box.All()
	if len(mails) != 1 || mails[0].To != "lead-1@example.com" || mails[0].From != "agentpulse@example.com" ||
		!strings.Contains(mails[0].Data, "Subject: agentpulse: agent-0001 asks for help\r\n") ||
		!strings.Contains(mails[0].Data, "side-by-side session") || !strings.Contains(mails[0].Data, "#/plans/p1") {
		t.Fatalf("mails = %+v", mails)
	}
	if len(hooks) != 1 || !strings.Contains(hooks[0].Text, "*agent-0001 asks for help*") || hooks[0].Kind != notify.KindHelpAsked || hooks[0].Title == "" {
		t.Fatalf("webhooks = %+v", hooks)
	}

	// An admin notification reaches admins only; an agent's reaches them.
	admin := auth.Claims{Tenant: "acme", Subject: "boss", Role: auth.RoleAdmin}
	c.Notify(ctx, "acme", notify.Notification{Kind: notify.KindFeedStalled, Audience: notify.Audience{Admins: true}, Title: "The data feed stalled"})
	c.Notify(ctx, "acme", notify.Notification{Kind: notify.KindPlanAchieved, Audience: notify.Audience{Agent: "agent-0001"}, Title: "Plan achieved"})
	if l, _ := c.List(admin); len(l) != 2 || l[0].Kind != notify.KindFeedStalled {
		t.Errorf("admin sees %+v", l)
	}
	if l, _ := c.List(agent); len(l) != 1 || l[0].Kind != notify.KindPlanAchieved {
		t.Errorf("agent sees %+v", l)
	}
	if l, _ := c.List(lead); len(l) != 1 {
		t.Errorf("leader sees %d", len(l))
	}
}

func TestDecodePrefs(t *testing.T) {
	for _, c := range []struct{ body, field string }{
		{`{"email":"not an address"}`, "email"},
		{`{"webhook":"ftp://x"}`, "webhook"},
		{`{"kinds":["nope"]}`, "kinds[0]"},
		{`{"mail":"a@b.c"}`, "body"},
		{`[]`, "body"},
	} {
		_, err := notify.DecodePrefs([]byte(c.body))
		if err == nil || !strings.Contains(err.Error(), c.field) {
			t.Errorf("%s: %v, want a refusal naming %s", c.body, err, c.field)
		}
	}
	p, err := notify.DecodePrefs([]byte(`{"email":"lead@example.com","webhook":"https://hooks.slack.com/services/x","kinds":["help_asked"]}`))
	if err != nil || p.Email != "lead@example.com" || len(p.Kinds) != 1 {
		t.Fatalf("%+v %v", p, err)
	}
}

func TestStallWatch(t *testing.T) {
	w := notify.NewStallWatch(10 * time.Minute)
	t0 := time.Date(2026, 12, 3, 10, 0, 0, 0, time.UTC)
	w.Seen("acme", t0)
	w.Seen("globex", t0.Add(5*time.Minute))
	if got := w.Check(t0.Add(10 * time.Minute)); len(got) != 0 {
		t.Fatalf("stalled too early: %v", got)
	}
	got := w.Check(t0.Add(11 * time.Minute))
	if len(got) != 1 || !got["acme"].Equal(t0) {
		t.Fatalf("stalled = %v", got)
	}
	if got := w.Check(t0.Add(12 * time.Minute)); len(got) != 0 {
		t.Fatalf("told twice: %v", got)
	}
	w.Seen("acme", t0.Add(13*time.Minute)) // resumed
	if got := w.Check(t0.Add(30 * time.Minute)); len(got) != 2 {
		t.Fatalf("after resuming and stalling again: %v", got)
	}
}
