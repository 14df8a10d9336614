package plans

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/agentpulse/agentpulse/auth"
	"github.com/agentpulse/agentpulse/processor/store"
	"github.com/agentpulse/agentpulse/views"
)

// InboxItem is one plan's asks for help as a team leader's inbox shows
// them.
type InboxItem struct {
	PlanID         string             `json:"plan_id"`
	AgentID        string             `json:"agent_id"`
	TeamID         string             `json:"team_id"`
	Model          string             `json:"model"`
	Inquiry        string             `json:"inquiry"`
	Metric         views.Metric       `json:"metric"`
	ImprovementPct float64            `json:"improvement_pct"`
	TargetDate     string             `json:"target_date"`
	Status         views.PlanStatus   `json:"status"`
	CreatedAt      time.Time          `json:"created_at"`
	Assistance     []string           `json:"assistance"`
	HelpAck        *views.PlanAck     `json:"help_ack"`
	Comments       int                `json:"comments"`
	LastComment    *views.PlanComment `json:"last_comment"`
}

// Inbox is GET /v1/inbox: the asks for help of the plans in progress the
// caller may see, the ones nobody took up yet first, newest first within;
// Unacknowledged counts those (the dashboard's badge).
type Inbox struct {
	Items          []InboxItem `json:"items"`
	Unacknowledged int         `json:"unacknowledged"`
}

// visibleInProgress returns the stored in-progress plans of the tenant
// the caller may see, each with its agent's current team: a supervisor
// the agents of the teams they lead, an admin every agent, an agent their
// own plans.
func (s *Service) visibleInProgress(ctx context.Context, c auth.Claims) ([]store.PlanRecord, map[string]string, error) {
	q := store.PlanQuery{Tenant: c.Tenant, Status: views.PlanInProgress}
	switch c.Role {
	case auth.RoleAgent:
		q.Agent = c.Subject
	case auth.RoleSupervisor, auth.RoleAdmin:
	default:
		return nil, nil, forbidden("role", "role %s may not use coaching plans", c.Role)
	}
	recs, err := s.cfg.Plans.Plans(ctx, q)
	if err != nil {
		return nil, nil, fmt.Errorf("list plans: %w", err)
	}
	teams := map[string]string{}
	out := recs[:0]
	for _, r := range recs {
		agent := r.Plan.AgentID
		team, seen := teams[agent]
		if !seen {
			t, ok, err := s.cfg.Views.TeamOf(ctx, c.Tenant, agent)
			if err != nil {
				return nil, nil, fmt.Errorf("team of agent %q: %w", agent, err)
			}
			if ok {
				team = t
			}
			teams[agent] = team
		}
		if c.Role == auth.RoleSupervisor && (team == "" || !c.Leads(team)) {
			continue
		}
		out = append(out, r)
	}
	return out, teams, nil
}

// Inbox returns the asks for help the caller answers (see Inbox): a
// supervisor's teams, an admin's tenant; an agent sees their own plans'
// asks and whether they were taken up.
func (s *Service) Inbox(ctx context.Context, c auth.Claims) (Inbox, error) {
	recs, teams, err := s.visibleInProgress(ctx, c)
	if err != nil {
		return Inbox{}, err
	}
	in := Inbox{Items: []InboxItem{}}
	for _, r := range recs {
		p := &r.Plan
		if len(p.Assistance) == 0 {
			continue
		}
		it := InboxItem{PlanID: p.ID, AgentID: p.AgentID, TeamID: teams[p.AgentID], Model: p.Model, Inquiry: p.Inquiry,
			Metric: p.Metric, ImprovementPct: p.ImprovementPct, TargetDate: p.TargetDate, Status: p.Status,
			CreatedAt: p.CreatedAt, Assistance: slices.Clone(p.Assistance), HelpAck: p.HelpAck, Comments: len(p.Comments)}
		if n := len(p.Comments); n > 0 {
			last := p.Comments[n-1]
			it.LastComment = &last
		}
		if it.HelpAck == nil {
			in.Unacknowledged++
		}
		in.Items = append(in.Items, it)
	}
	slices.SortStableFunc(in.Items, func(a, b InboxItem) int {
		return cmp.Or(cmp.Compare(boolInt(a.HelpAck != nil), boolInt(b.HelpAck != nil)), b.CreatedAt.Compare(a.CreatedAt), cmp.Compare(a.PlanID, b.PlanID))
	})
	return in, nil
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// AtRisk returns the plans in progress the caller may see that are at
// risk (views.AtRisk) as of now, each re-evaluated first, the nearest
// target date first.
func (s *Service) AtRisk(ctx context.Context, c auth.Claims) ([]views.Plan, error) {
	recs, _, err := s.visibleInProgress(ctx, c)
	if err != nil {
		return nil, err
	}
	now := s.cfg.Now()
	out := []views.Plan{}
	for _, r := range recs {
		rec, err := s.refresh(ctx, c.Tenant, r.Plan.ID, nil)
		if errors.Is(err, ErrNotFound) {
			continue
		}
		if err != nil {
			return nil, err
		}
		if views.AtRisk(&rec.Plan, now) {
			out = append(out, rec.Plan)
		}
	}
	slices.SortStableFunc(out, func(a, b views.Plan) int {
		return cmp.Or(cmp.Compare(a.TargetDate, b.TargetDate), cmp.Compare(a.AgentID, b.AgentID), cmp.Compare(a.ID, b.ID))
	})
	return out, nil
}

// Acknowledge records that the caller, a team leader of the plan's agent
// or an admin, took up the plan's asks for help. The first
// acknowledgement stays; a later one changes nothing. An agent gets 403.
func (s *Service) Acknowledge(ctx context.Context, c auth.Claims, id string) (views.Plan, error) {
	if c.Role != auth.RoleSupervisor && c.Role != auth.RoleAdmin {
		return views.Plan{}, forbidden("role", "only the agent's team leader or an admin acknowledges an ask for help")
	}
	if _, err := s.loadVisible(ctx, c, id); err != nil {
		return views.Plan{}, err
	}
	at := s.cfg.Now().UTC()
	rec, err := s.refresh(ctx, c.Tenant, id, func(rec *store.PlanRecord) error {
		if rec.Plan.HelpAck == nil {
			rec.Plan.HelpAck = &views.PlanAck{By: c.Subject, At: at}
		}
		return nil
	})
	return rec.Plan, err
}

// Comment adds the caller's comment to the plan's conversation: the
// agent on their own plan, a team leader of the agent, an admin. A plan
// holding views.MaxPlanComments comments refuses more (409).
func (s *Service) Comment(ctx context.Context, c auth.Claims, id, text string) (views.Plan, error) {
	if _, err := s.loadVisible(ctx, c, id); err != nil {
		return views.Plan{}, err
	}
	at := s.cfg.Now().UTC()
	rec, err := s.refresh(ctx, c.Tenant, id, func(rec *store.PlanRecord) error {
		if len(rec.Plan.Comments) >= views.MaxPlanComments {
			return conflict("text", "the plan already has %d comments, the most it keeps", views.MaxPlanComments)
		}
		rec.Plan.Comments = append(slices.Clone(rec.Plan.Comments), views.PlanComment{By: c.Subject, Role: string(c.Role), At: at, Text: text})
		return nil
	})
	return rec.Plan, err
}
