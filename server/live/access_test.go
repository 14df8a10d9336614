package live_test

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/agentpulse/agentpulse/auth"
	"github.com/agentpulse/agentpulse/ingest/simulator"
	"github.com/agentpulse/agentpulse/processor/store/embedded"
	"github.com/agentpulse/agentpulse/processor/store/storetest"
	"github.com/agentpulse/agentpulse/server/api"
	"github.com/agentpulse/agentpulse/server/live"
	"github.com/agentpulse/agentpulse/server/ws"
	"github.com/agentpulse/agentpulse/views"
	"github.com/agentpulse/agentpulse/views/reference"
	"github.com/agentpulse/agentpulse/views/storeview"
)

// accessEnv is the channel rules over the embedded store filled with a
// simulated tenant, and the reference over the same interactions.
type accessEnv struct {
	rules  *live.Live
	ref    *reference.Dataset
	tenant string
	agent  string // an agent with data
	other  string // an agent of another current team
	team   string // agent's current team
	oteam  string // other's current team
}

func newAccessEnv(t *testing.T, plan live.PlanFunc) *accessEnv {
	t.Helper()
	cfg := simulator.DefaultConfig(time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC))
	cfg.Agents, cfg.Days, cfg.Tenants, cfg.Seed, cfg.TeamSize = 8, 3, 1, 5, 4
	g, err := simulator.New(cfg, 1)
	if err != nil {
		t.Fatal(err)
	}
	its, err := g.All(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	st := embedded.New()
	storetest.Fill(t, st, its, 2, 500)
	p := views.Params{MinVolume: 3}
	sv := storeview.New(st, p)
	a := api.New(api.Config{Views: sv, Verifier: auth.Verifier{Secret: secret}})
	rules, err := live.New(live.Config{Views: sv, API: a, Plan: plan})
	if err != nil {
		t.Fatal(err)
	}
	e := &accessEnv{rules: rules, ref: reference.New(its, p), tenant: simulator.TenantIDs(1)[0]}
	var agents []string
	for _, it := range its {
		if !slices.Contains(agents, it.AgentID) {
			agents = append(agents, it.AgentID)
		}
	}
	slices.Sort(agents)
	e.agent = agents[0]
	e.team, _ = e.ref.TeamOf(e.tenant, e.agent)
	for _, o := range agents[1:] {
		if tm, _ := e.ref.TeamOf(e.tenant, o); tm != e.team {
			e.other, e.oteam = o, tm
			break
		}
	}
	if e.other == "" {
		t.Fatal("one team only")
	}
	return e
}

// TestChannelAccess asks Authorize for every channel kind as every
// caller: agent self and other, supervisor of the team and of another,
// admin, another tenant's admin, ingest.
func TestChannelAccess(t *testing.T) {
	plan := func(_ context.Context, c auth.Claims, id string) (any, error) {
		// The plans' own rule, stubbed: plan p1 belongs to agent "owner".
		if id != "p1" {
			return nil, ws.ErrNotFound
		}
		if c.Role == auth.RoleAdmin || c.Subject == "owner" {
			return map[string]string{"id": id}, nil
		}
		return nil, ws.ErrForbidden
	}
	e := newAccessEnv(t, plan)
	callers := map[string]auth.Claims{
		"agent self":         {Tenant: e.tenant, Subject: e.agent, Role: auth.RoleAgent},
		"agent other":        {Tenant: e.tenant, Subject: e.other, Role: auth.RoleAgent},
		"plan owner":         {Tenant: e.tenant, Subject: "owner", Role: auth.RoleAgent},
		"supervisor own":     {Tenant: e.tenant, Subject: "sup1", Role: auth.RoleSupervisor, Teams: []string{e.team}},
		"supervisor other":   {Tenant: e.tenant, Subject: "sup2", Role: auth.RoleSupervisor, Teams: []string{e.oteam}},
		"admin":              {Tenant: e.tenant, Subject: "boss", Role: auth.RoleAdmin},
		"other tenant admin": {Tenant: "initech", Subject: "boss", Role: auth.RoleAdmin},
		"ingest":             {Tenant: e.tenant, Subject: "feed", Role: auth.RoleIngest},
	}
	const ok, forbidden, notFound = "ok", "forbidden", "not_found"
	want := map[string]map[string]string{
		"agent:" + e.agent: {"agent self": ok, "agent other": forbidden, "plan owner": forbidden, "supervisor own": ok,
			"supervisor other": forbidden, "admin": ok, "other tenant admin": notFound, "ingest": forbidden},
		// Channels only for what exists (the security test's HIGH
		// finding: made-up ids grew the hub's channel table).
		"agent:made-up":     {"agent self": forbidden, "supervisor own": forbidden, "admin": notFound, "ingest": forbidden},
		"wallboard:made-up": {"agent self": forbidden, "supervisor own": notFound, "admin": notFound, "ingest": forbidden},
		"team:" + e.team: {"agent self": forbidden, "agent other": forbidden, "plan owner": forbidden, "supervisor own": ok,
			"supervisor other": forbidden, "admin": ok, "other tenant admin": ok, "ingest": forbidden},
		"wallboard:voice": {"agent self": forbidden, "agent other": forbidden, "plan owner": forbidden, "supervisor own": ok,
			"supervisor other": ok, "admin": ok, "other tenant admin": notFound, "ingest": forbidden},
		"plan:p1": {"agent self": forbidden, "agent other": forbidden, "plan owner": ok, "supervisor own": forbidden,
			"supervisor other": forbidden, "admin": ok, "other tenant admin": ok, "ingest": forbidden},
		"plan:nope": {"agent self": notFound, "agent other": notFound, "plan owner": notFound, "supervisor own": notFound,
			"supervisor other": notFound, "admin": notFound, "other tenant admin": notFound, "ingest": forbidden},
	}
	for name, byCaller := range want {
		ch, err := ws.ParseChannel(name)
		if err != nil {
			t.Fatal(err)
		}
		for caller, w := range byCaller {
			t.Run(name+"/"+caller, func(t *testing.T) {
				err := e.rules.Authorize(context.Background(), callers[caller], ch)
				got := ok
				switch {
				case errors.Is(err, ws.ErrForbidden):
					got = forbidden
				case errors.Is(err, ws.ErrNotFound):
					got = notFound
				case err != nil:
					t.Fatalf("unexpected error %v", err)
				}
				if got != w {
					t.Fatalf("Authorize = %s (%v), want %s", got, err, w)
				}
			})
		}
	}
	// Another tenant's snapshot of the same name holds nothing of this
	// tenant.
	s, err := e.rules.Snapshot(context.Background(), callers["other tenant admin"], ws.Channel{Kind: ws.KindAgent, ID: e.agent})
	if err != nil {
		t.Fatal(err)
	}
	if as := s.(live.AgentSnapshot); len(as.Models) != 0 || len(as.Performance) != 0 {
		t.Fatalf("another tenant sees %+v", as)
	}
}

// TestSnapshots compares each snapshot with the reference and checks that
// a supervisor's wallboard holds only their teams (with their agents) and
// an admin's every team without agents.
func TestSnapshots(t *testing.T) {
	e := newAccessEnv(t, nil)
	ctx := context.Background()
	adminC := auth.Claims{Tenant: e.tenant, Subject: "boss", Role: auth.RoleAdmin}
	s, err := e.rules.Snapshot(ctx, adminC, ws.Channel{Kind: ws.KindAgent, ID: e.agent})
	if err != nil {
		t.Fatal(err)
	}
	as := s.(live.AgentSnapshot)
	if len(as.Models) == 0 {
		t.Fatal("agent snapshot without models")
	}
	for _, m := range as.Models {
		want, err := e.ref.AgentPerformance(e.tenant, e.agent, m.Model, views.RangeSpec{}, views.SortSpec{})
		if err != nil {
			t.Fatal(err)
		}
		if d := views.ExactDiff(as.Performance[m.Model], want); len(d) > 0 {
			t.Errorf("agent snapshot %s differs from the reference: %v", m.Model, d)
		}
	}
	s, err = e.rules.Snapshot(ctx, adminC, ws.Channel{Kind: ws.KindTeam, ID: e.team})
	if err != nil {
		t.Fatal(err)
	}
	ts := s.(live.TeamSnapshot)
	want, err := e.ref.TeamAgents(e.tenant, e.team, "voice", views.RangeSpec{})
	if err != nil {
		t.Fatal(err)
	}
	if d := views.ExactDiff(ts.Agents["voice"], want); len(d) > 0 {
		t.Errorf("team snapshot differs from the reference: %v", d)
	}
	sup := auth.Claims{Tenant: e.tenant, Subject: "sup", Role: auth.RoleSupervisor, Teams: []string{e.team}}
	for _, c := range []auth.Claims{adminC, sup} {
		s, err = e.rules.Snapshot(ctx, c, ws.Channel{Kind: ws.KindWallboard, ID: "voice"})
		if err != nil {
			t.Fatal(err)
		}
		wb := s.(storeview.Wallboard)
		teams := []string{}
		for _, tm := range wb.Teams {
			teams = append(teams, tm.Team)
			want, err := e.ref.TeamAgents(e.tenant, tm.Team, "voice", views.RangeSpec{})
			if err != nil {
				t.Fatal(err)
			}
			if tm.AgentCount != len(want) {
				t.Errorf("wallboard team %s: agent_count %d, the reference has %d agents", tm.Team, tm.AgentCount, len(want))
			}
			var vol int64
			for _, a := range want {
				vol += a.Volume
			}
			if tm.Volume != vol {
				t.Errorf("wallboard team %s: volume %d, its agents' %d", tm.Team, tm.Volume, vol)
			}
			if c.Role == auth.RoleAdmin {
				if tm.Agents != nil {
					t.Errorf("admin's wallboard snapshot: team %s carries its agents", tm.Team)
				}
				continue // the teams alone: O(teams)
			}
			if d := views.ExactDiff(tm.Agents, want); len(d) > 0 {
				t.Errorf("wallboard team %s differs from the reference: %v", tm.Team, d)
			}
		}
		if c.Role == auth.RoleSupervisor && !slices.Equal(teams, []string{e.team}) {
			t.Errorf("supervisor of %s sees wallboard teams %v", e.team, teams)
		}
		if c.Role == auth.RoleAdmin && (len(teams) < 2 || !slices.Contains(teams, e.oteam)) {
			t.Errorf("admin sees wallboard teams %v", teams)
		}
	}
}
