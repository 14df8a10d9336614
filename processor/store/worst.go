package store

import (
	"context"
	"time"

	"github.com/agentpulse/agentpulse/schemas"
	"github.com/agentpulse/agentpulse/views"
)

// WorstQuery selects an agent's current interactions on a model and
// inquiry that ended in [From, To) and have a value for Metric (AES with
// Floor), for the coaching review list.
type WorstQuery struct {
	Tenant, Model, Agent, Inquiry string
	From, To                      time.Time
	Metric                        views.Metric
	Floor                         float64
	Limit                         int
}

// WorstReader is a Reader that sorts an agent's interactions by a metric
// itself, reading only the range's key range (both stores are).
type WorstReader interface {
	// Worst returns up to q.Limit interactions of q, poorest first
	// (views.CompareWorstFirst(q.Metric, q.Floor)); none for a limit ≤ 0
	// or an unknown metric.
	Worst(ctx context.Context, q WorstQuery) ([]schemas.Interaction, error)
}
