package notify_test

import (
	"testing"

	"github.com/twmb/franz-go/pkg/kfake"

	"github.com/agentpulse/agentpulse/server/notify"
)

// TestMarkAllRead: "mark all read" on one server marks every notification
// the caller had unread, for them only, on both servers and after a
// restart; one raised afterwards is unread; with nothing unread it marks
// nothing and writes nothing.
func TestMarkAllRead(t *testing.T) {
	c, err := kfake.NewCluster(kfake.NumBrokers(1))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	a := start(t, c.ListenAddrs(), nil)
	b := start(t, c.ListenAddrs(), nil)
	ctx := t.Context()
	first := a.c.Notify(ctx, "acme", teamNote("one"))
	a.c.Notify(ctx, "acme", teamNote("two"))
	a.c.Notify(ctx, "acme", teamNote("three"))
	a.c.Notify(ctx, "acme", notify.Notification{Kind: notify.KindHelpAsked, Audience: notify.Audience{Team: "team-02"}, Title: "other team"})
	waitUntil(t, "the notifications on the other server", func() bool { l, _ := b.c.List(lead); return len(l) == 3 })
	if _, err := b.c.MarkRead(ctx, lead, first.ID); err != nil {
		t.Fatal(err)
	}
	n, err := b.c.MarkAllRead(ctx, lead)
	if err != nil || n != 2 {
		t.Fatalf("mark all read: %d, %v; want the 2 unread", n, err)
	}
	if l, u := b.c.List(lead); u != 0 || titles(l) != "three*,two*,one*" {
		t.Fatalf("after mark all read here: %s, %d unread", titles(l), u)
	}
	waitUntil(t, "the marks on the other server", func() bool { _, u := a.c.List(lead); return u == 0 })
	if _, u := a.c.List(lead2); u != 3 {
		t.Fatalf("another leader of the team has %d unread, want 3 (marks are per person)", u)
	}
	if n, err := b.c.MarkAllRead(ctx, lead); err != nil || n != 0 {
		t.Fatalf("again: %d, %v; want 0", n, err)
	}
	a.c.Notify(ctx, "acme", teamNote("four"))
	waitUntil(t, "the new one unread on the other server", func() bool { l, u := b.c.List(lead); return u == 1 && titles(l) == "four,three*,two*,one*" })

	a.stop()
	b.stop()
	r := start(t, c.ListenAddrs(), nil)
	if l, u := r.c.List(lead); u != 1 || titles(l) != "four,three*,two*,one*" {
		t.Fatalf("after a restart: %s, %d unread", titles(l), u)
	}
}
