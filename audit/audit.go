package audit

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/agentpulse/agentpulse/auth"
	"github.com/agentpulse/agentpulse/internal/topiclog"
)

// Defaults.
const (
	DefaultTopic        = "audit"
	DefaultRetention    = 400 * 24 * time.Hour
	DefaultMaxPerTenant = 10_000
)

// Actions.
const (
	SignIn         = "sign_in"
	SignInRefused  = "sign_in_refused"
	SessionEnded   = "session_refused"
	APIKeyCreated  = "api_key_created"
	APIKeyRevoked  = "api_key_revoked"
	APIKeyRotated  = "api_key_rotated"
	PlanCreated    = "plan_created"
	PlanCancelled  = "plan_cancelled"
	CatalogChanged = "catalog_changed"
	// Roster changes (auth/roster): a person added or their role or
	// teams changed, their display name changed, a person removed, the
	// tenant's roster mode changed.
	RoleChanged       = "role_changed"
	NameChanged       = "name_changed"
	PersonRemoved     = "person_removed"
	RosterModeChanged = "roster_mode_changed"
	// RosterImported: a bulk import (POST /v1/roster/import), with its
	// counts; every person it added with more than an agent's rights and
	// every role or team change it made is also a role_changed event.
	RosterImported = "roster_imported"
	// DisplayNameChanged: the display name of a team, inquiry or model
	// set, changed or removed (PUT /v1/names); target "teams team-01".
	DisplayNameChanged = "display_name_changed"
)

// Event is one audited action.
type Event struct {
	Time   time.Time `json:"time"`
	Tenant string    `json:"tenant"`
	// Actor and Role are who acted (the subject and role of their token).
	Actor  string `json:"actor"`
	Role   string `json:"role,omitempty"`
	Action string `json:"action"`
	// Target is what was acted on: an API key id, a plan id, an agent.
	Target string `json:"target,omitempty"`
	// Detail says more, for people (never a secret).
	Detail string `json:"detail,omitempty"`
}

// By returns an Event of action by the holder of c.
func By(c auth.Claims, action, target, detail string) Event {
	return Event{Tenant: c.Tenant, Actor: c.Subject, Role: string(c.Role), Action: action, Target: target, Detail: detail}
}

// Config configures Open.
type Config struct {
	Brokers      []string
	Topic        string
	Opts         []kgo.Opt
	MaxPerTenant int
	Now          func() time.Time
	Logger       *slog.Logger
}

// Log appends events to the topic and keeps the newest per tenant.
type Log struct {
	cfg    Config
	log    *topiclog.Log
	failed atomic.Int64

	mu       sync.Mutex
	byTenant map[string][]Event // oldest first, at most MaxPerTenant
}

// New returns a Log that has not read the topic yet (Run does).
func New(cfg Config) (*Log, error) {
	if cfg.Topic == "" {
		cfg.Topic = DefaultTopic
	}
	if cfg.MaxPerTenant <= 0 {
		cfg.MaxPerTenant = DefaultMaxPerTenant
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	l := &Log{cfg: cfg, byTenant: map[string][]Event{}}
	retention := strconv.FormatInt(DefaultRetention.Milliseconds(), 10)
	tl, err := topiclog.New(topiclog.Config{Brokers: cfg.Brokers, Opts: cfg.Opts, Topic: cfg.Topic, Name: "audit",
		TopicConfig: map[string]*string{"retention.ms": &retention}, Apply: l.apply, SkipBad: true, Logger: cfg.Logger})
	if err != nil {
		return nil, err
	}
	l.log = tl
	return l, nil
}

// Record appends e (its Time set now when zero). A failure is logged and
// counted (Failed), not returned: see the package comment.
func (l *Log) Record(ctx context.Context, e Event) {
	if l == nil {
		return
	}
	if e.Time.IsZero() {
		e.Time = l.cfg.Now().UTC()
	}
	b, _ := json.Marshal(e)
	if err := l.log.Append(ctx, e.Tenant, b); err != nil {
		l.failed.Add(1)
		l.cfg.Logger.Error("audit event not recorded", "tenant", e.Tenant, "actor", e.Actor, "action", e.Action, "target", e.Target, "err", err)
	}
}

// Failed is how many events could not be recorded.
func (l *Log) Failed() int64 { return l.failed.Load() }

// Ready is nil once the topic has been replayed.
func (l *Log) Ready(ctx context.Context) error { return l.log.Ready(ctx) }

// Run creates the topic when missing and replays it (retrying while the
// broker is away), then tails it into the per-tenant view until ctx ends.
// It returns nil.
func (l *Log) Run(ctx context.Context) error { return l.log.Run(ctx) }

// apply keeps one event of the topic.
func (l *Log) apply(r *kgo.Record, _ bool) error {
	var e Event
	if err := json.Unmarshal(r.Value, &e); err != nil {
		return fmt.Errorf("decode audit event: %w", err)
	}
	if e.Tenant == "" {
		return errors.New("audit event without a tenant")
	}
	l.keep(e)
	return nil
}

func (l *Log) keep(e Event) {
	l.mu.Lock()
	defer l.mu.Unlock()
	evs := append(l.byTenant[e.Tenant], e)
	if len(evs) > l.cfg.MaxPerTenant {
		evs = slices.Delete(evs, 0, len(evs)-l.cfg.MaxPerTenant)
	}
	l.byTenant[e.Tenant] = evs
}

// Query returns the tenant's newest events first, at most limit, of
// action when not empty, not older than since when not zero.
func (l *Log) Query(tenant, action string, since time.Time, limit int) []Event {
	l.mu.Lock()
	defer l.mu.Unlock()
	evs := l.byTenant[tenant]
	out := []Event{}
	for i := len(evs) - 1; i >= 0 && len(out) < limit; i-- {
		e := evs[i]
		if (action == "" || e.Action == action) && (since.IsZero() || !e.Time.Before(since)) {
			out = append(out, e)
		}
	}
	return out
}

// Close closes the broker clients.
func (l *Log) Close() { l.log.Close() }
