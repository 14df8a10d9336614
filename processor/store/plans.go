package store

import (
	"cmp"
	"context"
	"errors"
	"slices"
	"time"

	"github.com/agentpulse/agentpulse/views"
)

// ErrPlanNotFound is returned by PlanStore.Plan when the tenant has no plan
// with that id.
var ErrPlanNotFound = errors.New("plan not found")

// PlanRecord is one stored state of a coaching plan.
//
// Writes are full states, never patches: the state with the higher Version
// wins, and writing a state with a Version already stored changes nothing
// (idempotent redelivery). Versions are chosen by the writer (the plan
// service uses a counter above the previous version and the write's unix
// nanoseconds), so two servers writing the same plan converge on the last
// writer's state.
type PlanRecord struct {
	// Plan is the plan as the API shows it (History holds the sealed days
	// only; see Sealed).
	Plan views.Plan `json:"plan"`
	// Sealed is midnight UTC of the first day whose history point is not
	// final yet: the points of Plan.History before it are Now as of the
	// end of their day and need no recomputation. Zero: no day sealed.
	Sealed time.Time `json:"sealed"`
	// Version orders the states of one plan; higher wins.
	Version int64 `json:"version"`
}

// PlanQuery selects plans. Empty fields match every value.
type PlanQuery struct {
	// Tenant restricts to one tenant; empty means every tenant (the
	// settlement sweeper), which an API request never asks for.
	Tenant string
	// Agent restricts to one agent.
	Agent string
	// Status restricts to the plans whose newest state has this status.
	Status views.PlanStatus
}

// PlanStore keeps coaching plans and each tenant's assistance catalogue.
// Implementations are safe for concurrent use.
type PlanStore interface {
	// PutPlan stores a plan state unless a state of the same plan (tenant
	// and id) with a higher or equal Version is stored.
	PutPlan(ctx context.Context, rec PlanRecord) error
	// Plan returns the newest state of the tenant's plan id, or an error
	// wrapping ErrPlanNotFound.
	Plan(ctx context.Context, tenant, id string) (PlanRecord, error)
	// Plans returns the newest state of every plan q selects, newest
	// created first (created_at, then id, descending).
	Plans(ctx context.Context, q PlanQuery) ([]PlanRecord, error)
	// AssistanceCatalog returns the tenant's catalogue; ok is false when
	// the tenant never stored one (callers then use a default).
	AssistanceCatalog(ctx context.Context, tenant string) (items []string, ok bool, err error)
	// PutAssistanceCatalog replaces the tenant's catalogue unless one with
	// a higher or equal version is stored.
	PutAssistanceCatalog(ctx context.Context, tenant string, items []string, version int64) error
}

// SortPlans sorts plan records in the order of PlanStore.Plans: newest
// created first (created_at, then tenant and id, descending).
func SortPlans(recs []PlanRecord) {
	slices.SortFunc(recs, func(a, b PlanRecord) int {
		return cmp.Or(b.Plan.CreatedAt.Compare(a.Plan.CreatedAt), cmp.Compare(b.Plan.TenantID, a.Plan.TenantID), cmp.Compare(b.Plan.ID, a.Plan.ID))
	})
}
