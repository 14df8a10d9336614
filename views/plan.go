package views

import (
	"fmt"
	"time"
)

// PlanStatus is the state of a coaching plan.
type PlanStatus string

// The plan states. in_progress is the only non-terminal one.
const (
	PlanInProgress PlanStatus = "in_progress"
	PlanAchieved   PlanStatus = "achieved"
	PlanMissed     PlanStatus = "missed"
	PlanCancelled  PlanStatus = "cancelled"
)

// Terminal reports whether no transition leaves s: achieved, missed and
// cancelled are terminal.
func (s PlanStatus) Terminal() bool {
	return s == PlanAchieved || s == PlanMissed || s == PlanCancelled
}

// Transition checks a status change against the status machine:
//
//	in_progress → achieved | missed   (when the UTC date reaches target_date; see Settle)
//	in_progress → cancelled           (by the agent or a supervisor)
//
// Every other change, including a terminal state to anything and a state to
// itself, returns an error wrapping ErrInvalidTransition.
func Transition(from, to PlanStatus) error {
	if from == PlanInProgress && (to == PlanAchieved || to == PlanMissed || to == PlanCancelled) {
		return nil
	}
	return fmt.Errorf("plan status %q cannot change to %q: %w", from, to, ErrInvalidTransition)
}

// Plan is a coaching plan as API.md shows it (POST/GET plans). TenantID is
// an extension of API.md.
//
// Now (NowValue, NowVolume) is the coaching Now, an extension of DESIGN.md
// §1's rule so that a plan does not read as a failure on day one: of the
// agent's NowWindowSize most recent interactions on the model and inquiry,
// only those that ended at or after the commit (CreatedAt) count ("7 of 20
// since you started"); NowValue is null and NowVolume 0 until there is
// one, and the dashboard shows Start as the baseline meanwhile. On track
// and the settlement use this Now. RecentValue and RecentVolume keep
// DESIGN.md's literal figure: all NowWindowSize most recent interactions,
// whenever they ended.
type Plan struct {
	ID             string       `json:"id"`
	TenantID       string       `json:"tenant_id"`
	AgentID        string       `json:"agent_id"`
	Model          string       `json:"model"`
	Inquiry        string       `json:"inquiry"`
	Metric         Metric       `json:"metric"`
	ImprovementPct float64      `json:"improvement_pct"`
	StartValue     float64      `json:"start_value"`
	TargetValue    float64      `json:"target_value"`
	NowValue       *float64     `json:"now_value"`
	NowVolume      int64        `json:"now_volume"`
	RecentValue    *float64     `json:"recent_value"`
	RecentVolume   int64        `json:"recent_volume"`
	TargetDate     string       `json:"target_date"` // civil date YYYY-MM-DD (UTC)
	Status         PlanStatus   `json:"status"`
	OnTrack        bool         `json:"on_track"`
	CreatedAt      time.Time    `json:"created_at"`
	Actions        []PlanAction `json:"actions"`
	Assistance     []string     `json:"assistance"`
	Warnings       []string     `json:"warnings"`
	History        []DayValue   `json:"history"`
	// CreatedBy is who created the plan; nil on plans stored before
	// actors were recorded.
	CreatedBy *PlanActor `json:"created_by,omitempty"`
	// CancelledBy is who cancelled the plan; nil unless it was cancelled
	// (and on plans stored before actors were recorded).
	CancelledBy *PlanActor `json:"cancelled_by,omitempty"`
	// HelpAck is who of the agent's team leaders (or an admin) took up the
	// plan's asks for help, and when; null until one does.
	HelpAck *PlanAck `json:"help_ack"`
	// Comments is the conversation on the plan between the agent and
	// their team leaders, oldest first (at most MaxPlanComments).
	Comments []PlanComment `json:"comments"`
}

// PlanActor is who changed a plan: the subject and role of their token.
type PlanActor struct {
	Subject string `json:"sub"`
	Role    string `json:"role"`
}

// PlanAck records that a team leader took up a plan's asks for help.
type PlanAck struct {
	By string    `json:"by"`
	At time.Time `json:"at"`
}

// PlanComment is one message on a plan.
type PlanComment struct {
	By   string    `json:"by"`
	Role string    `json:"role"`
	At   time.Time `json:"at"`
	Text string    `json:"text"`
}

// PlanAction is one of the agent's own actions; Done is ticked by the agent.
type PlanAction struct {
	Text string `json:"text"`
	Done bool   `json:"done"`
}

// DayValue is one point of a plan's daily history: Now as of the end of
// that UTC day.
type DayValue struct {
	Date  string  `json:"date"` // YYYY-MM-DD
	Value float64 `json:"value"`
}

// PlanProgress is a plan's figures at one instant.
type PlanProgress struct {
	// StartValue is the agent's value over StartWindow; null without data.
	StartValue *float64 `json:"start_value"`
	// TargetValue is PlanTarget of the start; null without a start.
	TargetValue *float64 `json:"target_value"`
	// NowValue is the value over those of the NowWindowSize most recent
	// interactions that ended at or after the plan's commit (SinceCommit).
	NowValue  *float64 `json:"now_value"`
	NowVolume int64    `json:"now_volume"`
	// RecentValue is the value over all NowWindowSize most recent
	// interactions (DESIGN.md's literal Now).
	RecentValue  *float64 `json:"recent_value"`
	RecentVolume int64    `json:"recent_volume"`
	// OnTrack reports whether Now meets the target (false without Now).
	OnTrack bool `json:"on_track"`
	// Status is the plan's status at that instant: an in-progress plan whose
	// due time has passed is settled as achieved or missed.
	Status PlanStatus `json:"status"`
}
