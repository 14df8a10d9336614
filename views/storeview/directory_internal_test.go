package storeview

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/agentpulse/agentpulse/processor/store"
)

// TestDirIndexFollowsRoster applies random roster parts (new agents,
// moves between teams, newer and older parts, emptied parts) to a
// rosterBook whose directory index is kept by apply, and compares the
// index with one built from the roster after every step.
func TestDirIndexFollowsRoster(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 5))
	b := newRosterBook()
	tr := b.tenant("acme")
	tr.dir = newDirIndex(tr.agents)
	base := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	for step := range 5000 {
		p := store.RosterPart{Tenant: "acme", Agent: fmt.Sprintf("agent-%03d", rng.IntN(60)),
			Model: []string{"chat", "voice"}[rng.IntN(2)], Partition: int32(rng.IntN(3)),
			Team: fmt.Sprintf("team-%d", rng.IntN(6)), Version: int64(step)}
		if rng.IntN(10) > 0 { // else an emptied part (its interactions moved away)
			p.InteractionID = fmt.Sprintf("i%d", step)
			p.EndedAt = base.Add(time.Duration(rng.IntN(1000)) * time.Minute)
		}
		b.apply(p)
		want := newDirIndex(tr.agents)
		if !slices.Equal(tr.dir.ids, want.ids) || len(tr.dir.teams) != len(want.teams) {
			t.Fatalf("step %d: ids %v, want %v (%d teams, want %d)", step, tr.dir.ids, want.ids, len(tr.dir.teams), len(want.teams))
		}
		for team, ids := range want.teams {
			if !slices.Equal(tr.dir.teams[team], ids) {
				t.Fatalf("step %d: team %s %v, want %v", step, team, tr.dir.teams[team], ids)
			}
		}
	}
	if len(tr.dir.ids) < 50 {
		t.Fatalf("only %d agents at the end", len(tr.dir.ids))
	}
}

// directoryRoster is n agents in teams of 12, each with one part.
func directoryRoster(n int) rosterMap {
	m := rosterMap{}
	base := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	for i := range n {
		m.put(store.RosterPart{Tenant: "acme", Agent: fmt.Sprintf("agent-%06d", i), Model: "voice",
			Team: fmt.Sprintf("team-%05d", i/12), InteractionID: fmt.Sprint(i), EndedAt: base, Version: 1})
	}
	return m
}

// BenchmarkDirectoryPage measures a page of 100 agents of 50,000: the
// first page, one from the middle (the after cursor), one team's, and a
// search by substring that matches 1 in 10 and 1 in 50,000.
func BenchmarkDirectoryPage(b *testing.B) {
	const n = 50_000
	m := directoryRoster(n)
	d := newDirIndex(m)
	for _, c := range []struct {
		name string
		q    AgentQuery
	}{
		{"first", AgentQuery{Limit: 100}},
		{"after", AgentQuery{Limit: 100, After: "agent-025000"}},
		{"team", AgentQuery{Limit: 100, Teams: []string{"team-02000"}}},
		{"search_1_in_10", AgentQuery{Limit: 100, Match: func(a string) bool { return strings.HasSuffix(a, "7") }}},
		{"search_1_in_50000", AgentQuery{Limit: 100, Match: func(a string) bool { return strings.Contains(a, "049999") }}},
	} {
		b.Run(fmt.Sprintf("agents=%d/%s", n, c.name), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				page, _ := d.page(m, c.q)
				if len(page) == 0 {
					b.Fatal("empty page")
				}
			}
		})
	}
}

// BenchmarkDirectoryTeams measures every team (4,167) of 50,000 agents
// in teams of 12, sorted, and one supervisor's two teams.
func BenchmarkDirectoryTeams(b *testing.B) {
	d := newDirIndex(directoryRoster(50_000))
	for _, c := range []struct {
		name string
		only []string
	}{{"all", nil}, {"two", []string{"team-00007", "team-02000"}}} {
		b.Run("agents=50000/"+c.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if len(d.teamList(c.only)) == 0 {
					b.Fatal("no teams")
				}
			}
		})
	}
}
