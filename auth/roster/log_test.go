package roster_test

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/agentpulse/agentpulse/auth"
	"github.com/agentpulse/agentpulse/auth/roster"
)

// TestRosterDurableAndShared: a change made through one server reaches
// another (both tail the topic) within moments, and a server started
// after every other stopped replays the whole roster: people, removals
// and the mode.
func TestRosterDurableAndShared(t *testing.T) {
	brokers := startCluster(t)
	ctx := context.Background()
	a, stopA := openLog(t, brokers)
	b, stopB := openLog(t, brokers)
	changed := make(chan string, 10)
	b.Roster().OnChange(func(tenant string) { changed <- tenant })

	lead := roster.Person{Subject: "lead-01", Name: "Ana Lima", Role: auth.RoleSupervisor, Teams: []string{"team-01"}}
	start := time.Now()
	if _, existed, err := a.Put(ctx, "acme", lead, boss); err != nil || existed {
		t.Fatalf("put: existed %v, %v", existed, err)
	}
	waitUntil(t, "the other server sees the new person", func() bool {
		p, ok := b.Roster().Get("acme", "lead-01")
		return ok && p.Name == "Ana Lima" && slices.Equal(p.Teams, []string{"team-01"})
	})
	t.Logf("roster change reached the other server %s after the put began", time.Since(start))
	if tenant := <-changed; tenant != "acme" {
		t.Fatalf("OnChange got %q", tenant)
	}
	if _, _, err := a.Put(ctx, "acme", roster.Person{Subject: "agent-0007", Name: "Bo", Role: auth.RoleAgent}, boss); err != nil {
		t.Fatal(err)
	}
	if _, err := a.Remove(ctx, "acme", "agent-0007", boss); err != nil {
		t.Fatal(err)
	}
	if _, _, err := a.Put(ctx, "acme", roster.Person{Subject: "boss", Role: auth.RoleAdmin}, boss); err != nil {
		t.Fatal(err)
	}
	if _, err := a.SetMode(ctx, "acme", roster.ModeRoster, boss); err != nil {
		t.Fatal(err)
	}
	if _, _, err := a.Put(ctx, "globex", roster.Person{Subject: "lead-01", Role: auth.RoleAgent}, auth.Claims{Tenant: "globex", Subject: "x", Role: auth.RoleAdmin}); err != nil {
		t.Fatal(err)
	}
	waitUntil(t, "the other server sees the mode", func() bool { return b.Roster().Mode("acme") == roster.ModeRoster })
	stopA()
	stopB()

	c, _ := openLog(t, brokers)
	ro := c.Roster()
	if got := ro.Mode("acme"); got != roster.ModeRoster {
		t.Fatalf("mode after restart %q", got)
	}
	if got := ro.Mode("globex"); got != roster.DefaultMode {
		t.Fatalf("globex mode %q, want the default", got)
	}
	people := ro.List("acme")
	if len(people) != 2 || people[0].Subject != "boss" || people[1].Subject != "lead-01" || people[1].UpdatedBy != "boss" {
		t.Fatalf("people after restart %+v, want boss and lead-01 (agent-0007 removed)", people)
	}
	if names := ro.Names("acme"); len(names) != 1 || names["lead-01"] != "Ana Lima" {
		t.Fatalf("names %v", names)
	}
	if p, _ := ro.Get("globex", "lead-01"); p.Role != auth.RoleAgent {
		t.Fatalf("globex's lead-01 = %+v: tenants are separate", p)
	}
}

// TestLockout: an admin may not demote or remove themselves, and may not
// switch to roster mode unless the roster lists them as admin.
func TestLockout(t *testing.T) {
	l, _ := openLog(t, startCluster(t))
	ctx := context.Background()
	if _, err := l.SetMode(ctx, "acme", roster.ModeRoster, boss); !errors.Is(err, roster.ErrLockout) {
		t.Fatalf("roster mode without being listed: %v", err)
	}
	if _, _, err := l.Put(ctx, "acme", roster.Person{Subject: "boss", Role: auth.RoleAgent}, boss); !errors.Is(err, roster.ErrLockout) {
		t.Fatalf("self-demotion: %v", err)
	}
	if _, _, err := l.Put(ctx, "acme", roster.Person{Subject: "boss", Role: auth.RoleAdmin, Name: "The Boss"}, boss); err != nil {
		t.Fatal(err)
	}
	if _, err := l.Remove(ctx, "acme", "boss", boss); !errors.Is(err, roster.ErrLockout) {
		t.Fatalf("self-removal: %v", err)
	}
	if _, err := l.Remove(ctx, "acme", "nobody", boss); !errors.Is(err, roster.ErrNotFound) {
		t.Fatalf("removing nobody: %v", err)
	}
	if _, err := l.SetMode(ctx, "acme", roster.ModeRoster, boss); err != nil {
		t.Fatal(err)
	}
	other := auth.Claims{Tenant: "acme", Subject: "boss2", Role: auth.RoleAdmin}
	if _, _, err := l.Put(ctx, "acme", roster.Person{Subject: "boss", Role: auth.RoleAgent}, other); err != nil {
		t.Fatalf("another admin demotes boss: %v", err)
	}
}
