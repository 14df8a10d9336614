package app_test

import (
	"fmt"
	"maps"
	"slices"
	"testing"
	"time"

	"github.com/agentpulse/agentpulse/auth"
	"github.com/agentpulse/agentpulse/server/app/apptest"
	"github.com/agentpulse/agentpulse/views/reference"
)

type dirAgents struct {
	Agents []struct {
		AgentID string   `json:"agent_id"`
		Team    string   `json:"team"`
		Models  []string `json:"models"`
	} `json:"agents"`
	Next string `json:"next"`
}

type dirTeams struct {
	Teams []struct {
		Team       string `json:"team"`
		AgentCount int    `json:"agent_count"`
	} `json:"teams"`
}

// directoryOf is the directory as the reference says: "agent team models"
// lines sorted by agent, and "team count" lines sorted by team.
func directoryOf(ref *reference.Dataset, tenant string, agents []string) (as, ts []string) {
	counts := map[string]int{}
	for _, a := range agents {
		team, ok := ref.TeamOf(tenant, a)
		if !ok {
			continue
		}
		var ms []string
		for _, m := range ref.Models(tenant, a) {
			ms = append(ms, m.Model)
		}
		slices.Sort(ms)
		as = append(as, fmt.Sprint(a, " ", team, " ", ms))
		counts[team]++
	}
	for _, t := range slices.Sorted(maps.Keys(counts)) {
		ts = append(ts, fmt.Sprint(t, " ", counts[t]))
	}
	return as, ts
}

// TestDirectoryFollowsTheFeed runs the product on each store and checks
// GET /v1/agents and GET /v1/teams against the reference, then moves an
// agent to another team with a new interaction and a new agent appears:
// the directory (kept in memory from the updates' roster parts) shows
// both without a restart. GET /v1/inquiries lists the new inquiry too.
func TestDirectoryFollowsTheFeed(t *testing.T) {
	for _, store := range []string{"embedded", "clickhouse"} {
		t.Run(store, func(t *testing.T) {
			p := apptest.Start(t, apptest.Options{Agents: 8, TeamSize: 4, Days: 3, ClickHouse: store == "clickhouse"})
			admin := p.Token(t, auth.Claims{Subject: "boss", Role: auth.RoleAdmin})
			read := func() (as, ts []string) {
				t.Helper()
				var page dirAgents
				for after := ""; ; after = page.Next {
					page = dirAgents{}
					if s := call(t, p, admin, "GET", "/v1/agents?limit=3&after="+after, nil, &page); s != 200 {
						t.Fatalf("GET /v1/agents: %d", s)
					}
					for _, a := range page.Agents {
						as = append(as, fmt.Sprint(a.AgentID, " ", a.Team, " ", a.Models))
					}
					if page.Next == "" {
						break
					}
				}
				var teams dirTeams
				if s := call(t, p, admin, "GET", "/v1/teams", nil, &teams); s != 200 {
					t.Fatalf("GET /v1/teams: %d", s)
				}
				for _, tm := range teams.Teams {
					ts = append(ts, fmt.Sprint(tm.Team, " ", tm.AgentCount))
				}
				return as, ts
			}
			agents := func() []string {
				var out []string
				for _, it := range p.History {
					if it.TenantID == p.Tenant && !slices.Contains(out, it.AgentID) {
						out = append(out, it.AgentID)
					}
				}
				slices.Sort(out)
				return out
			}
			check := func(step string, wait bool) {
				t.Helper()
				wantA, wantT := directoryOf(p.Reference(), p.Tenant, agents())
				deadline := time.Now().Add(15 * time.Second)
				for {
					gotA, gotT := read()
					if slices.Equal(gotA, wantA) && slices.Equal(gotT, wantT) {
						return
					}
					if !wait || time.Now().After(deadline) {
						t.Fatalf("%s:\nagents %q\n  want %q\nteams %q\n want %q", step, gotA, wantA, gotT, wantT)
					}
					time.Sleep(50 * time.Millisecond)
				}
			}
			check("at start", false)
			moved := "agent-0001"
			from, _ := p.Reference().TeamOf(p.Tenant, moved)
			to := "team-02"
			if from == to {
				to = "team-01"
			}
			p.Produce(t, p.NewInteraction(moved, to, "voice", "a new inquiry", 300),
				p.NewInteraction("agent-0999", "team-09", "chat", "billing", 200))
			check("after a move and a new agent", true)
			var inq struct {
				Inquiries []struct{ Inquiry string }
			}
			if s := call(t, p, admin, "GET", "/v1/inquiries?model=voice", nil, &inq); s != 200 || !slices.ContainsFunc(inq.Inquiries, func(x struct{ Inquiry string }) bool { return x.Inquiry == "a new inquiry" }) {
				t.Errorf("GET /v1/inquiries?model=voice: %d %+v", s, inq)
			}
		})
	}
}
