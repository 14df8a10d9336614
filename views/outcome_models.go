package views

import "github.com/agentpulse/agentpulse/outcomes"

// OutcomeModels is the answer of GET /v1/outcome-models?model= (admin):
// per target, what the tenant's learner of the model has seen and how its
// predictions validate against the base rate.
type OutcomeModels struct {
	Model   string          `json:"model"`
	Targets []OutcomeTarget `json:"targets"`
}

// OutcomeTarget is one target (satisfaction, resolution) of OutcomeModels.
type OutcomeTarget struct {
	outcomes.TargetStats
	// Pending counts interactions whose label is not known yet (resolution
	// within N days of the watermark).
	Pending int64 `json:"pending"`
	// Serving is what the figures use now: "model", "base_rate", or "none"
	// before the first label.
	Serving string `json:"serving"`
}

// Serving values.
const (
	ServingModel    = "model"
	ServingBaseRate = "base_rate"
	ServingNone     = "none"
)

// NewOutcomeTarget completes a learner's stats for target tg with the
// pending count; l may be nil (no label yet).
func NewOutcomeTarget(l *outcomes.Learner, tg outcomes.Target, pending int64) OutcomeTarget {
	if l == nil {
		return OutcomeTarget{TargetStats: outcomes.TargetStats{Target: tg.String()}, Pending: pending, Serving: ServingNone}
	}
	ot := OutcomeTarget{TargetStats: l.Stats(tg), Pending: pending, Serving: ServingBaseRate}
	switch {
	case ot.Labels == 0:
		ot.Serving = ServingNone
	case ot.Served:
		ot.Serving = ServingModel
	}
	return ot
}
