package retention

import (
	"context"
	"fmt"
	"net/http"

	"github.com/agentpulse/agentpulse/processor/store"
	"github.com/agentpulse/agentpulse/views"
)

// Coaching plans of an erased agent. A plan in progress is still worked
// on (the plan service re-puts it as figures change and when it falls
// due), so an erasure is refused while the agent has one; a finished
// plan is never written again by the service, so its erasure is a new
// state (Version + 1) with the agent id replaced by the pseudonym and
// the free text the agent or their coaches wrote (actions, comments)
// blanked; the figures, dates, statuses and catalogue items stay.

// checkPlans refuses (409) an agent with a plan in progress.
func (r *Runner) checkPlans(ctx context.Context, tenant, agent string) error {
	if r.Plans == nil {
		return nil
	}
	recs, err := r.Plans.Plans(ctx, store.PlanQuery{Tenant: tenant, Agent: agent, Status: views.PlanInProgress})
	if err != nil {
		return err
	}
	if len(recs) > 0 {
		return &RequestError{Status: http.StatusConflict, Field: "agent_id", Msg: fmt.Sprintf(
			"agent_id: the agent has %d coaching plans in progress (first %s); cancel them before the erasure", len(recs), recs[0].Plan.ID)}
	}
	return nil
}

// erasePlans writes the erased state of every plan of the agent and
// returns how many.
func (r *Runner) erasePlans(ctx context.Context, tenant, agent, pseudonym string) (int64, error) {
	if r.Plans == nil {
		return 0, nil
	}
	recs, err := r.Plans.Plans(ctx, store.PlanQuery{Tenant: tenant, Agent: agent})
	if err != nil {
		return 0, err
	}
	var n int64
	for _, rec := range recs {
		rec.Plan = erasedPlan(rec.Plan, agent, pseudonym)
		rec.Version++
		if err := r.Plans.PutPlan(ctx, rec); err != nil {
			return n, fmt.Errorf("erase plan %s: %w", rec.Plan.ID, err)
		}
		n++
	}
	return n, nil
}

// erasedPlan is p with agent replaced by pseudonym and its free text
// blanked.
func erasedPlan(p views.Plan, agent, pseudonym string) views.Plan {
	p.AgentID = pseudonym
	acts := make([]views.PlanAction, len(p.Actions))
	for i, a := range p.Actions {
		acts[i] = views.PlanAction{Text: "", Done: a.Done}
	}
	p.Actions = acts
	comments := make([]views.PlanComment, len(p.Comments))
	for i, c := range p.Comments {
		c.Text = ""
		if c.By == agent {
			c.By = pseudonym
		}
		comments[i] = c
	}
	p.Comments = comments
	for _, a := range []*views.PlanActor{p.CreatedBy, p.CancelledBy} {
		if a != nil && a.Subject == agent {
			a.Subject = pseudonym
		}
	}
	return p
}
