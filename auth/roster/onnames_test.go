package roster_test

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"github.com/agentpulse/agentpulse/auth"
	"github.com/agentpulse/agentpulse/auth/roster"
)

// namesSeen records OnNames calls as "tenant kind id=name" lines.
type namesSeen struct {
	mu  sync.Mutex
	got []string
}

func (s *namesSeen) add(tenant string, n roster.Names) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for kind, m := range map[string]map[string]string{"people": n.People, "teams": n.Teams, "inquiries": n.Inquiries, "models": n.Models} {
		for id, name := range m {
			s.got = append(s.got, fmt.Sprintf("%s %s %s=%s", tenant, kind, id, name))
		}
	}
}

func (s *namesSeen) lines() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.got...)
}

// TestOnNames: every shown display name that changes is told to OnNames,
// on the server that made the change and on another tailing the topic,
// once each: a label set, renamed and removed; a person named, renamed,
// given another role only (no call) and removed. A label or person
// written again unchanged makes no call.
func TestOnNames(t *testing.T) {
	brokers := startCluster(t)
	ctx := context.Background()
	a, _ := openLog(t, brokers)
	b, _ := openLog(t, brokers)
	if err := a.Ready(ctx); err != nil {
		t.Fatal(err)
	}
	if err := b.Ready(ctx); err != nil {
		t.Fatal(err)
	}
	var onA, onB namesSeen
	a.Roster().OnNames(onA.add)
	b.Roster().OnNames(onB.add)
	set := func(kind roster.NameKind, id, name string) {
		t.Helper()
		if _, err := a.SetNames(ctx, "acme", []roster.Label{{Kind: kind, ID: id, Name: name}}, "boss"); err != nil {
			t.Fatal(err)
		}
	}
	put := func(p roster.Person) {
		t.Helper()
		if _, _, err := a.Put(ctx, "acme", p, boss); err != nil {
			t.Fatal(err)
		}
	}
	set(roster.KindTeam, "team-01", "Front line")
	set(roster.KindTeam, "team-01", "Front line") // unchanged: not written, no call
	set(roster.KindInquiry, "billing", "Bills")
	set(roster.KindTeam, "team-01", "Billing East")
	set(roster.KindTeam, "team-01", "")
	put(roster.Person{Subject: "agent-0001", Name: "Bo", Role: auth.RoleAgent})
	put(roster.Person{Subject: "agent-0001", Name: "Bo", Role: auth.RoleSupervisor, Teams: []string{"team-01"}}) // no name change
	put(roster.Person{Subject: "agent-0001", Name: "Bo Ferreira", Role: auth.RoleSupervisor, Teams: []string{"team-01"}})
	put(roster.Person{Subject: "agent-0002", Role: auth.RoleAgent}) // listed without a name: none shown before or after
	if _, err := a.Remove(ctx, "acme", "agent-0001", boss); err != nil {
		t.Fatal(err)
	}
	// A last change, read back by both: anything told twice would come
	// before it (one partition, in order).
	set(roster.KindModel, "chat", "Web chat")
	want := []string{
		"acme teams team-01=Front line",
		"acme inquiries billing=Bills",
		"acme teams team-01=Billing East",
		"acme teams team-01=",
		"acme people agent-0001=Bo",
		"acme people agent-0001=Bo Ferreira",
		"acme people agent-0001=",
		"acme models chat=Web chat",
	}
	for name, s := range map[string]*namesSeen{"the writer": &onA, "another server": &onB} {
		waitUntil(t, name+" told every change", func() bool {
			l := s.lines()
			return len(l) > 0 && l[len(l)-1] == want[len(want)-1]
		})
		got := s.lines()
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("%s was told\n%q\nwant\n%q", name, got, want)
		}
	}
}
