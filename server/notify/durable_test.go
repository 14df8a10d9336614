package notify_test

import (
	"context"
	"log/slog"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kfake"

	"github.com/agentpulse/agentpulse/auth"
	"github.com/agentpulse/agentpulse/ingest/broker"
	"github.com/agentpulse/agentpulse/server/notify"
	"github.com/agentpulse/agentpulse/server/notify/notifytest"
)

var (
	lead  = auth.Claims{Tenant: "acme", Subject: "lead-1", Role: auth.RoleSupervisor, Teams: []string{"team-01"}}
	lead2 = auth.Claims{Tenant: "acme", Subject: "lead-2", Role: auth.RoleSupervisor, Teams: []string{"team-01"}}
)

// clock is a settable time.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time      { c.mu.Lock(); defer c.mu.Unlock(); return c.now }
func (c *clock) add(d time.Duration) { c.mu.Lock(); defer c.mu.Unlock(); c.now = c.now.Add(d) }

// server is one running Center, as one `serve` process holds it.
type server struct {
	c    *notify.Center
	pub  *pushed
	stop func()
}

// start runs a Center on brokers and waits for its replay.
func start(t *testing.T, brokers []string, mod func(*notify.Config)) *server {
	t.Helper()
	pub := &pushed{}
	cfg := notify.Config{Publisher: pub, Brokers: brokers, AllowPrivateWebhooks: true, Logger: slog.New(slog.DiscardHandler)}
	if mod != nil {
		mod(&cfg)
	}
	c, err := notify.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); _ = c.Run(ctx) }()
	stopped := false
	s := &server{c: c, pub: pub, stop: func() {
		if !stopped {
			stopped = true
			cancel()
			<-done
		}
	}}
	t.Cleanup(s.stop)
	waitUntil(t, "the notifications replay", func() bool { return c.Ready(t.Context()) == nil })
	return s
}

func (p *pushed) count() int { p.mu.Lock(); defer p.mu.Unlock(); return len(p.msgs) }

func teamNote(title string) notify.Notification {
	return notify.Notification{Kind: notify.KindHelpAsked, Audience: notify.Audience{Team: "team-01"}, Title: title}
}

func titles(l []notify.Notification) string {
	var out []string
	for _, n := range l {
		mark := ""
		if n.Read {
			mark = "*"
		}
		out = append(out, n.Title+mark)
	}
	return strings.Join(out, ",")
}

// TestSurvivesRestart: notifications, read marks and preferences kept by
// one server are there, the same, after the server and the broker restart
// (the broker on the same data dir); the replay pushes nothing live.
func TestSurvivesRestart(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "broker")
	startBroker := func() *broker.Embedded {
		b, err := broker.StartEmbedded(broker.EmbeddedConfig{Addr: "127.0.0.1:0", DataDir: dir, Logger: slog.New(slog.DiscardHandler)})
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	b := startBroker()
	a := start(t, []string{b.Addr()}, nil)
	ctx := t.Context()
	if err := a.c.SetPrefs(ctx, lead, notify.Prefs{Email: "lead-1@example.com", Kinds: []notify.Kind{notify.KindHelpAsked}}); err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, title := range []string{"one", "two", "three"} {
		ids = append(ids, a.c.Notify(ctx, "acme", teamNote(title)).ID)
	}
	if _, err := a.c.MarkRead(ctx, lead, ids[1]); err != nil {
		t.Fatal(err)
	}
	before, unread := a.c.List(lead)
	if titles(before) != "three,two*,one" || unread != 2 {
		t.Fatalf("before the restart: %s, %d unread", titles(before), unread)
	}
	a.stop()
	b.Close()

	b = startBroker()
	t.Cleanup(b.Close) // after r stops
	r := start(t, []string{b.Addr()}, nil)
	after, unread := r.c.List(lead)
	if titles(after) != "three,two*,one" || unread != 2 || after[0].ID != before[0].ID || !after[0].At.Equal(before[0].At) {
		t.Fatalf("after the restart: %+v, %d unread; want %+v", after, unread, before)
	}
	if _, u := r.c.List(lead2); u != 3 {
		t.Errorf("read marks are per person: lead-2 has %d unread, want 3", u)
	}
	if p := r.c.Prefs(lead); p.Email != "lead-1@example.com" || !slices.Equal(p.Kinds, []notify.Kind{notify.KindHelpAsked}) {
		t.Errorf("preferences after the restart: %+v", p)
	}
	if n := r.pub.count(); n != 0 {
		t.Errorf("the replay pushed %d notifications live", n)
	}
}

// TestSharedByTwoServers: two servers on one broker see each other's
// notifications and read marks within seconds; each pushes a notification
// to its own websockets exactly once; the e-mail is sent once, by the
// server that raised the notification, with preferences saved on the
// other.
func TestSharedByTwoServers(t *testing.T) {
	c, err := kfake.NewCluster(kfake.NumBrokers(1))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close) // after the servers' cleanups stop them
	box := notifytest.StartSMTP(t)
	smtp := func(cfg *notify.Config) { cfg.SMTPAddr, cfg.SMTPFrom = box.Addr, "agentpulse@example.com" }
	a := start(t, c.ListenAddrs(), smtp)
	b := start(t, c.ListenAddrs(), smtp)
	ctx := t.Context()
	if err := b.c.SetPrefs(ctx, lead, notify.Prefs{Email: "lead-1@example.com"}); err != nil {
		t.Fatal(err)
	}
	waitUntil(t, "the preferences on the other server", func() bool { return a.c.Prefs(lead).Email != "" })

	n := a.c.Notify(ctx, "acme", teamNote("help"))
	if l, _ := a.c.List(lead); len(l) != 1 {
		t.Fatalf("the raising server lists %d", len(l))
	}
	waitUntil(t, "the notification on the other server", func() bool { l, _ := b.c.List(lead); return len(l) == 1 })
	waitUntil(t, "the e-mail", func() bool { return len(box.All()) == 1 })
	if _, err := b.c.MarkRead(ctx, lead, n.ID); err != nil {
		t.Fatal(err)
	}
	waitUntil(t, "the read mark on the other server", func() bool { _, u := a.c.List(lead); return u == 0 })
	time.Sleep(200 * time.Millisecond) // nothing more may come
	if pa, pb := a.pub.count(), b.pub.count(); pa != 1 || pb != 1 {
		t.Errorf("pushed live %d times by the raising server, %d by the other; want 1 and 1", pa, pb)
	}
	if m := box.All(); len(m) != 1 {
		t.Errorf("%d e-mails, want 1", len(m))
	}
}

// TestBounds: each tenant keeps its newest MaxPerTenant notifications,
// none older than MaxAge, in the list and after a replay; a bound on one
// tenant leaves another alone.
func TestBounds(t *testing.T) {
	c, err := kfake.NewCluster(kfake.NumBrokers(1))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close) // after the servers' cleanups stop them
	clk := &clock{now: time.Date(2026, 12, 3, 9, 0, 0, 0, time.UTC)}
	bounds := func(cfg *notify.Config) { cfg.MaxPerTenant, cfg.MaxAge, cfg.Now = 3, time.Hour, clk.Now }
	a := start(t, c.ListenAddrs(), bounds)
	ctx := t.Context()
	for _, title := range []string{"1", "2", "3", "4", "5"} {
		a.c.Notify(ctx, "acme", teamNote(title))
		clk.add(time.Minute)
	}
	a.c.Notify(ctx, "globex", teamNote("g"))
	if l, _ := a.c.List(lead); titles(l) != "5,4,3" {
		t.Fatalf("newest 3: %s", titles(l))
	}
	admin := auth.Claims{Tenant: "globex", Subject: "boss", Role: auth.RoleAdmin}
	if l, _ := a.c.List(admin); titles(l) != "g" {
		t.Fatalf("another tenant: %s", titles(l))
	}
	clk.add(58 * time.Minute) // "3" is 60 min old, "4" 59 min
	if l, _ := a.c.List(lead); titles(l) != "5,4" {
		t.Fatalf("an hour on: %s", titles(l))
	}
	r := start(t, c.ListenAddrs(), bounds)
	if l, _ := r.c.List(lead); titles(l) != "5,4" {
		t.Fatalf("replayed: %s", titles(l))
	}
	clk.add(time.Hour)
	if l, u := r.c.List(lead); len(l) != 0 || u != 0 {
		t.Fatalf("two hours on: %s", titles(l))
	}
	if _, err := r.c.MarkRead(ctx, lead, "nope"); err != notify.ErrNotFound {
		t.Fatalf("unknown id: %v", err)
	}
}

// TestBrokerDown: with the broker gone, marking read and saving
// preferences fail (the API answers 503) and keep nothing; a notification
// is still told on this server.
func TestBrokerDown(t *testing.T) {
	c, err := kfake.NewCluster(kfake.NumBrokers(1))
	if err != nil {
		t.Fatal(err)
	}
	a := start(t, c.ListenAddrs(), nil)
	ctx := t.Context()
	n := a.c.Notify(ctx, "acme", teamNote("before"))
	c.Close()
	short, cancel := context.WithTimeout(ctx, 500*time.Millisecond)
	defer cancel()
	if _, err := a.c.MarkRead(short, lead, n.ID); err == nil {
		t.Fatal("marked read with no broker")
	}
	if _, u := a.c.List(lead); u != 1 {
		t.Fatalf("%d unread after a failed mark, want 1", u)
	}
	if err := a.c.SetPrefs(short, lead, notify.Prefs{Email: "x@example.com"}); err == nil || a.c.Prefs(lead).Email != "" {
		t.Fatalf("preferences with no broker: %v, %+v", err, a.c.Prefs(lead))
	}
	short2, cancel2 := context.WithTimeout(ctx, 500*time.Millisecond)
	defer cancel2()
	a.c.Notify(short2, "acme", teamNote("after"))
	if l, _ := a.c.List(lead); titles(l) != "after,before" {
		t.Fatalf("with no broker: %s", titles(l))
	}
}

// TestKeyTellsOnce: a notification with a Key is told once per tenant
// while one with that key is kept: on one server, across two, and when two
// servers raise it before either read the other's (the topic's order
// decides, and both end with the same one).
func TestKeyTellsOnce(t *testing.T) {
	c, err := kfake.NewCluster(kfake.NumBrokers(1))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	ctx := t.Context()
	a := start(t, c.ListenAddrs(), nil)
	keyed := func(key, title string) notify.Notification {
		n := teamNote(title)
		n.Key = key
		return n
	}
	first := a.c.Notify(ctx, "acme", keyed("plan_at_risk/p1", "at risk"))
	if again := a.c.Notify(ctx, "acme", keyed("plan_at_risk/p1", "at risk")); again.ID != first.ID {
		t.Fatalf("told twice on one server: %s then %s", first.ID, again.ID)
	}
	if other := a.c.Notify(ctx, "globex", keyed("plan_at_risk/p1", "at risk")); other.ID == first.ID {
		t.Fatal("a key is per tenant")
	}
	b := start(t, c.ListenAddrs(), nil)
	if again := b.c.Notify(ctx, "acme", keyed("plan_at_risk/p1", "at risk")); again.ID != first.ID {
		t.Fatalf("told again by another server: %s, want %s", again.ID, first.ID)
	}

	// A server that has not read the topic yet raises the same event as
	// one that has: after reading, both keep the one the topic holds first.
	late, err := notify.New(notify.Config{Brokers: c.ListenAddrs(), Publisher: &pushed{}})
	if err != nil {
		t.Fatal(err)
	}
	mine := a.c.Notify(ctx, "acme", keyed("help_asked/p2", "help"))
	theirs := late.Notify(ctx, "acme", keyed("help_asked/p2", "help"))
	if theirs.ID == mine.ID {
		t.Fatal("setup: the late server saw the first")
	}
	run, stop := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); _ = late.Run(run) }()
	defer func() { stop(); <-done }()
	ids := func(c *notify.Center) string {
		l, _ := c.List(lead)
		var out []string
		for _, n := range l {
			out = append(out, n.ID)
		}
		return strings.Join(out, ",")
	}
	want := mine.ID + "," + first.ID
	waitUntil(t, "both servers to keep the topic's first", func() bool { return ids(late) == want && ids(a.c) == want })
	time.Sleep(200 * time.Millisecond)
	if ids(a.c) != want || ids(b.c) != want || ids(late) != want {
		t.Fatalf("a %s, b %s, late %s; want %s everywhere", ids(a.c), ids(b.c), ids(late), want)
	}
}
