package plans

import (
	"context"

	"github.com/agentpulse/agentpulse/views"
)

// The kinds of Event.
const (
	EventHelpAsked = "help_asked"
	EventAchieved  = "plan_achieved"
	EventMissed    = "plan_missed"
	EventAtRisk    = "plan_at_risk"
)

// Event is something about a plan that people are told (Config.Events):
// Team is the agent's current team ("" when unknown).
type Event struct {
	Kind string
	Plan views.Plan
	Team string
}

// emit tells Config.Events of kind about p.
func (s *Service) emit(ctx context.Context, kind string, p views.Plan) {
	if s.cfg.Events == nil {
		return
	}
	team, _, err := s.cfg.Views.TeamOf(ctx, p.TenantID, p.AgentID)
	if err != nil {
		s.cfg.Logger.Warn("team of a plan's agent for a notification", "plan", p.ID, "error", err)
	}
	s.cfg.Events(ctx, Event{Kind: kind, Plan: p, Team: team})
}

// emitSettled tells of a plan that was in progress and is now achieved
// or missed.
func (s *Service) emitSettled(ctx context.Context, before views.PlanStatus, p views.Plan) {
	if before != views.PlanInProgress {
		return
	}
	switch p.Status {
	case views.PlanAchieved:
		s.emit(ctx, EventAchieved, p)
	case views.PlanMissed:
		s.emit(ctx, EventMissed, p)
	}
}

// checkAtRisk tells, once per plan and process, of an in-progress plan
// at risk (views.AtRisk) as of now.
func (s *Service) checkAtRisk(ctx context.Context, p views.Plan) {
	if !views.AtRisk(&p, s.cfg.Now()) {
		return
	}
	if _, told := s.riskTold.LoadOrStore(p.TenantID+"/"+p.ID, true); told {
		return
	}
	s.emit(ctx, EventAtRisk, p)
}
