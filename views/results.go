package views

import (
	"time"

	"github.com/agentpulse/agentpulse/outcomes"
	"github.com/agentpulse/agentpulse/schemas"
)

// The result types below are the JSON answers of API.md. The reference
// and every store-backed view return them, so tests compare the two with
// ApproxDiff and the server serves them as they are. Slices are never nil
// (they encode as []).

// ModelSummary is one element of GET /v1/agents/{agent}/models.
type ModelSummary struct {
	Model string `json:"model"`
	// Volume is the agent's volume in the model over the default range
	// (3m, anchored at the model's latest data): what the performance page
	// shows first.
	Volume int64 `json:"volume"`
	// Latest is the model's latest available data: where ranges end.
	Latest time.Time `json:"latest"`
	// AgentLatest is the newest ended_at of the agent's own interactions in
	// the model (an extension of API.md).
	AgentLatest time.Time `json:"agent_latest"`
}

// MetricFigure is one metric of an InquiryPerf.
type MetricFigure struct {
	// Value is the agent's figure; null when the agent has no value (no
	// interactions, or none with the prediction).
	Value *float64 `json:"value"`
	// Label is the agent's quartile label in the population; null when the
	// agent is below MinVolume or has no value.
	Label *Label `json:"label"`
	// Team is the figure over every interaction of the range, model and
	// inquiry whose team_id is the agent's current team; null when there
	// is none with a value.
	Team *float64 `json:"team"`
	// Top is the top agent's figure; null when the population is empty or
	// the top agent has no value.
	Top *float64 `json:"top"`
	// Basis says where the agent's psat/pres value comes from: "feed"
	// (the feed's predictions, used as given), "learned" (learned
	// predictions blended with the agent's outcome labels: an estimate) or
	// "none" (no value). Absent for aes and aht.
	Basis outcomes.Basis `json:"basis,omitempty"`
	// Labels is how many outcome labels (surveys for psat, resolved or
	// repeated contacts for pres) stand behind a learned value; absent
	// otherwise.
	Labels int64 `json:"labels,omitempty"`
}

// InquiryPerf is an agent's figures on one inquiry over a range.
type InquiryPerf struct {
	Inquiry string `json:"inquiry"`
	Volume  int64  `json:"volume"`
	// Impact is null when the agent is below MinVolume on the inquiry:
	// figures that rank or judge the agent (label, impact) need the
	// minimum volume; raw figures (value, team, top) are always given.
	Impact *float64     `json:"impact"`
	AES    MetricFigure `json:"aes"`
	AHT    MetricFigure `json:"aht"`
	// PSAT and PRES are null when the model has no such predictions
	// (email).
	PSAT *MetricFigure `json:"psat"`
	PRES *MetricFigure `json:"pres"`
	// TopAgent is who the top agent (the "top" figures) is: shown to
	// supervisors and admins, hidden from agents (HideTopAgent), absent
	// when the inquiry has no population.
	TopAgent *string `json:"top_agent,omitempty"`
}

// HideTopAgent removes who the top agent is, for an agent's eyes: they
// see the top agent's figures, not their name.
func (p *InquiryPerf) HideTopAgent() { p.TopAgent = nil }

// HideTopAgents hides the top agent of every inquiry of p (HideTopAgent).
func (p *Performance) HideTopAgents() {
	for _, l := range [][]InquiryPerf{p.TopInquiries, p.WorkOn, p.Inquiries} {
		for i := range l {
			l[i].HideTopAgent()
		}
	}
}

// Figure returns the MetricFigure of m, or nil when the model lacks m.
func (p *InquiryPerf) Figure(m Metric) *MetricFigure {
	switch m {
	case MetricAES:
		return &p.AES
	case MetricAHT:
		return &p.AHT
	case MetricPSAT:
		return p.PSAT
	case MetricPRES:
		return p.PRES
	}
	return nil
}

// Performance is GET /v1/agents/{agent}/performance.
type Performance struct {
	Model string `json:"model"`
	Range
	Overall      Figures       `json:"overall"`
	TopInquiries []InquiryPerf `json:"top_inquiries"`
	WorkOn       []InquiryPerf `json:"work_on"`
	Inquiries    []InquiryPerf `json:"inquiries"`
}

// InquiryDetail is GET /v1/agents/{agent}/inquiries/{inquiry}: the
// InquiryPerf plus the focus metric, the population size and the agent's
// most recent interactions on the inquiry in the range, newest first.
type InquiryDetail struct {
	InquiryPerf
	Model             string                `json:"model"`
	From              time.Time             `json:"from"`
	To                time.Time             `json:"to"`
	RecommendedMetric Metric                `json:"recommended_metric"`
	Population        int                   `json:"population"`
	Recent            []schemas.Interaction `json:"recent"`
}

// TeamAgent is one element of GET /v1/teams/{team}/agents.
type TeamAgent struct {
	AgentID string `json:"agent_id"`
	Figures
	// Label is the agent's overall AES label among every agent of the
	// tenant with at least MinVolume interactions in the model over the
	// range; null below MinVolume.
	Label *Label `json:"label"`
}
