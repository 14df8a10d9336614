package app_test

import (
	"context"
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"github.com/agentpulse/agentpulse/auth"
	"github.com/agentpulse/agentpulse/server/app/apptest"
	"github.com/agentpulse/agentpulse/server/notify"
)

// TestFeedStalledNotifiesAdmins: once the tenant's updates stop for
// StallAfter, its admins (not its team leaders) have a feed_stalled
// notification.
func TestFeedStalledNotifiesAdmins(t *testing.T) {
	p := apptest.Start(t, apptest.Options{Agents: 8, TeamSize: 4, Days: 2, StallAfter: 1500 * time.Millisecond})
	list := func(c auth.Claims) []notify.Notification {
		req, _ := http.NewRequest("GET", p.URL+"/v1/notifications", nil)
		req.Header.Set("Authorization", "Bearer "+p.Token(t, c))
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var out struct{ Notifications []notify.Notification }
		if resp.StatusCode != 200 || json.NewDecoder(resp.Body).Decode(&out) != nil {
			t.Fatalf("GET /v1/notifications: %s", resp.Status)
		}
		return out.Notifications
	}
	admin := auth.Claims{Subject: "boss", Role: auth.RoleAdmin}
	deadline := time.Now().Add(15 * time.Second)
	for {
		ns := list(admin)
		if len(ns) > 0 {
			if ns[0].Kind != notify.KindFeedStalled || !ns[0].Audience.Admins {
				t.Fatalf("admin's notifications %+v", ns)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("no feed_stalled notification for the admin")
		}
		time.Sleep(200 * time.Millisecond)
	}
	if ns := list(auth.Claims{Subject: "lead", Role: auth.RoleSupervisor, Teams: []string{"team-01"}}); len(ns) != 0 {
		t.Errorf("a team leader sees %+v", ns)
	}

	// The server keeps its notifications on the broker: another server
	// (a Center on the same brokers, as a second `serve` or this one
	// restarted) lists the same one, and one it raises reaches this
	// server's list.
	other, err := notify.New(notify.Config{Brokers: p.Brokers})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); _ = other.Run(ctx) }()
	defer func() { cancel(); <-done }()
	stalled := list(admin)[0]
	admin.Tenant = p.Tenant
	for other.Ready(ctx) != nil || len(first(other.List(admin))) == 0 {
		if time.Now().After(deadline.Add(10 * time.Second)) {
			t.Fatal("another server never listed the notification")
		}
		time.Sleep(50 * time.Millisecond)
	}
	if got := first(other.List(admin)); got[len(got)-1].ID != stalled.ID {
		t.Fatalf("another server lists %+v, want %s first raised", got, stalled.ID)
	}
	raised := other.Notify(ctx, p.Tenant, notify.Notification{Kind: notify.KindFeedStalled, Audience: notify.Audience{Admins: true}, Title: "from the other server"})
	for list(admin)[0].ID != raised.ID {
		if time.Now().After(deadline.Add(20 * time.Second)) {
			t.Fatal("a notification raised on another server never reached this one")
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func first(l []notify.Notification, _ int) []notify.Notification { return l }
