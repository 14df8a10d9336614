package plans

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"github.com/agentpulse/agentpulse/audit"
	"github.com/agentpulse/agentpulse/auth"
	"github.com/agentpulse/agentpulse/processor/store"
	"github.com/agentpulse/agentpulse/views/storeview"
)

// Publisher pushes a message to the subscribers of a channel of a tenant.
// The websocket hub implements it. Publish must not block for long; it is
// called with the plan's new state after every change.
type Publisher interface {
	Publish(tenant, channel, typ string, data any)
}

// Interactions is what the service reads from the interaction store: a
// store.Store is one.
type Interactions interface {
	store.Reader
	// Checkpoint is store.Writer's: the next offset to consume of a
	// partition of the interactions topic.
	Checkpoint(ctx context.Context, partition int32) (int64, error)
}

// Defaults of Config.
const (
	DefaultMaxBodyBytes  = 64 << 10
	DefaultSweepInterval = time.Minute
	DefaultUpdateWait    = 2 * time.Second
	DefaultQueueSize     = 1024
	DefaultWorkers       = 4
	// DefaultMaxActivePerAgent bounds the plans in progress of one agent.
	DefaultMaxActivePerAgent = 25
)

// Config configures New. Plans, Store, Views and Verifier are required.
type Config struct {
	// Plans keeps the plans and catalogues; required.
	Plans store.PlanStore
	// Store answers Now (RecentBefore) and, for OnUpdate, whether it holds
	// an update yet (Checkpoint); required.
	Store Interactions
	// Views answers Start, the model's metrics and an agent's team;
	// required.
	Views *storeview.Views
	// Verifier checks bearer tokens; required.
	Verifier auth.TokenVerifier
	// Publisher receives every plan change as Publish(tenant, "plan:"+id,
	// "plan", views.Plan). Nil: no push.
	Publisher Publisher
	// Events, when not nil, is told of what people are notified about:
	// an ask for help (a plan created with asks), a plan achieved or
	// missed, a plan at risk (once per plan and process). It must not
	// block for long.
	Events func(ctx context.Context, e Event)
	// Now is the clock. Default time.Now.
	Now func() time.Time
	// MaxBodyBytes bounds a request body; larger bodies get 413. Default
	// DefaultMaxBodyBytes (64 KiB); zero means the default.
	MaxBodyBytes int64
	// SweepInterval is how often Run settles due plans, seals finished
	// days and reloads the in-progress plans OnUpdate looks for. Default
	// DefaultSweepInterval (1 minute); zero means the default.
	SweepInterval time.Duration
	// UpdateWait bounds how long a worker waits for the store to hold an
	// update (its partition's checkpoint past the update's offset) before
	// re-evaluating anyway. Default DefaultUpdateWait (2 s).
	UpdateWait time.Duration
	// QueueSize bounds the work OnUpdate queues for Run's workers.
	// Default DefaultQueueSize (1024).
	QueueSize int
	// Workers is how many goroutines of Run re-evaluate plans after
	// updates. Default DefaultWorkers (4).
	Workers int
	// MaxActivePerAgent bounds the plans in progress of one agent: a
	// create past it is refused with 409 naming agent. Default
	// DefaultMaxActivePerAgent.
	MaxActivePerAgent int
	// Audit records plans created and cancelled and catalogue changes
	// (who, what, when); nil: none.
	Audit *audit.Log
	// Hold, when it returns an error, keeps the sweeper from settling or
	// sealing plans: the store is catching up with the log and a plan
	// judged now would be judged on part of the history (server/catchup's
	// Gate.Err). Nil: never held.
	Hold func() error
	// Logger receives store failures and dropped work. Nil: discard.
	Logger *slog.Logger
}

func (c Config) withDefaults() (Config, error) {
	if c.Plans == nil || c.Store == nil || c.Views == nil || c.Verifier == nil {
		return c, errors.New("plans.New: Config.Plans, Store, Views and Verifier are required")
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	if c.MaxBodyBytes <= 0 {
		c.MaxBodyBytes = DefaultMaxBodyBytes
	}
	if c.SweepInterval <= 0 {
		c.SweepInterval = DefaultSweepInterval
	}
	if c.UpdateWait <= 0 {
		c.UpdateWait = DefaultUpdateWait
	}
	if c.QueueSize <= 0 {
		c.QueueSize = DefaultQueueSize
	}
	if c.Workers <= 0 {
		c.Workers = DefaultWorkers
	}
	if c.MaxActivePerAgent <= 0 {
		c.MaxActivePerAgent = DefaultMaxActivePerAgent
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	return c, nil
}
