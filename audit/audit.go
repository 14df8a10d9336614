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

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/agentpulse/agentpulse/auth"
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
	cl, rd *kgo.Client
	ready  atomic.Bool
	failed atomic.Int64

	mu       sync.Mutex
	byTenant map[string][]Event // oldest first, at most MaxPerTenant
}

// New returns a Log that has not read the topic yet (Run does).
func New(cfg Config) (*Log, error) {
	if len(cfg.Brokers) == 0 {
		return nil, errors.New("audit: Config.Brokers is required")
	}
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
	base := append([]kgo.Opt{kgo.SeedBrokers(cfg.Brokers...)}, cfg.Opts...)
	cl, err := kgo.NewClient(append(slices.Clone(base), kgo.DefaultProduceTopic(cfg.Topic), kgo.RequiredAcks(kgo.AllISRAcks()))...)
	if err != nil {
		return nil, fmt.Errorf("audit client: %w", err)
	}
	rd, err := kgo.NewClient(append(slices.Clone(base), kgo.ConsumeTopics(cfg.Topic),
		kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()), kgo.FetchMaxWait(time.Second))...)
	if err != nil {
		cl.Close()
		return nil, fmt.Errorf("audit reader: %w", err)
	}
	return &Log{cfg: cfg, cl: cl, rd: rd, byTenant: map[string][]Event{}}, nil
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
	if err := l.cl.ProduceSync(ctx, &kgo.Record{Key: []byte(e.Tenant), Value: b}).FirstErr(); err != nil {
		l.failed.Add(1)
		l.cfg.Logger.Error("audit event not recorded", "tenant", e.Tenant, "actor", e.Actor, "action", e.Action, "target", e.Target, "err", err)
	}
}

// Failed is how many events could not be recorded.
func (l *Log) Failed() int64 { return l.failed.Load() }

// ensureTopic creates the topic (one partition, DefaultRetention).
func (l *Log) ensureTopic(ctx context.Context) error {
	retention := strconv.FormatInt(DefaultRetention.Milliseconds(), 10)
	resp, err := kadm.NewClient(l.cl).CreateTopic(ctx, 1, -1, map[string]*string{"retention.ms": &retention}, l.cfg.Topic)
	if err != nil && !errors.Is(err, kerr.TopicAlreadyExists) && !errors.Is(resp.Err, kerr.TopicAlreadyExists) {
		return fmt.Errorf("create topic %q: %w", l.cfg.Topic, err)
	}
	return nil
}

// Run creates the topic when missing (retrying while the broker is away)
// and then reads it, from the start, into the per-tenant view until ctx
// ends. It returns nil.
func (l *Log) Run(ctx context.Context) error {
	for {
		err := l.ensureTopic(ctx)
		if err == nil {
			break
		}
		l.cfg.Logger.Warn("audit: cannot create the topic yet, retrying", "err", err)
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(time.Second):
		}
	}
	l.ready.Store(true)
	for {
		fs := l.rd.PollFetches(ctx)
		if ctx.Err() != nil {
			return nil
		}
		fs.EachError(func(t string, p int32, err error) {
			l.cfg.Logger.Warn("audit: fetch failed", "topic", t, "partition", p, "err", err)
		})
		fs.EachRecord(func(r *kgo.Record) {
			var e Event
			if json.Unmarshal(r.Value, &e) != nil || e.Tenant == "" {
				l.cfg.Logger.Warn("audit: undecodable record skipped", "offset", r.Offset)
				return
			}
			l.keep(e)
		})
	}
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
func (l *Log) Close() {
	l.cl.Close()
	l.rd.Close()
}
