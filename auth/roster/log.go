package roster

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/agentpulse/agentpulse/auth"
	"github.com/agentpulse/agentpulse/internal/topiclog"
)

// DefaultTopic is the compacted topic the roster is kept on.
const DefaultTopic = "roster"

// DefaultMaxPerTenant bounds the people one tenant lists.
const DefaultMaxPerTenant = 100_000

// Kinds of records.
const (
	kindPerson = "person"
	kindMode   = "mode"
	kindName   = "name" // the display name of a team, inquiry or model (names.go)
)

// record is one record of the topic: the newest state of one person
// (key tenant/person/sub), of the tenant's mode (key tenant/mode) or of
// one display name (key tenant/name/kind/id).
type record struct {
	Kind    string  `json:"kind"`
	Tenant  string  `json:"tenant"`
	Person  *Person `json:"person,omitempty"`
	Removed bool    `json:"removed,omitempty"`
	Mode    Mode    `json:"mode,omitempty"`
	Label   *Label  `json:"label,omitempty"`
	Version int64   `json:"version"`
}

func (r record) key() string {
	switch r.Kind {
	case kindMode:
		return r.Tenant + "/mode"
	case kindName:
		return r.Tenant + "/name/" + string(r.Label.Kind) + "/" + r.Label.ID
	}
	return r.Tenant + "/person/" + r.Person.Subject
}

// Config configures New.
type Config struct {
	// Brokers are the seed brokers; required.
	Brokers []string
	// Topic keeps the roster. Default DefaultTopic, created compacted
	// with one partition when missing.
	Topic string
	// Opts are extra franz-go options (TLS, SASL).
	Opts []kgo.Opt
	// MaxPerTenant bounds the people of one tenant. Default
	// DefaultMaxPerTenant.
	MaxPerTenant int
	// MaxNames bounds the display names of one kind (teams, inquiries,
	// models) of one tenant. Default DefaultMaxNames.
	MaxNames int
	// Now is the clock. Default time.Now.
	Now func() time.Time
	// Logger receives the replay summary and tailing errors. Nil: discard.
	Logger *slog.Logger
}

// Log keeps the roster on the topic and in a Roster.
type Log struct {
	cfg    Config
	roster *Roster
	t      *topiclog.Log
	mu     sync.Mutex // serialises this process's changes (the lockout checks)
}

// Errors of Put, Remove and SetMode.
var (
	ErrNotFound = errors.New("no such person in this tenant's roster")
	ErrTooMany  = errors.New("the tenant's roster holds the most people allowed")
	// ErrLockout refuses a change that would leave the acting admin (or
	// the tenant) without an admin.
	ErrLockout = errors.New("the change would lock administrators out")
)

// New returns a Log that has not read the topic yet: Run replays it, then
// tails it. Until then Ready fails and the roster is empty.
func New(cfg Config) (*Log, error) {
	if len(cfg.Brokers) == 0 {
		return nil, errors.New("roster: Config.Brokers is required")
	}
	if cfg.Topic == "" {
		cfg.Topic = DefaultTopic
	}
	if cfg.MaxPerTenant <= 0 {
		cfg.MaxPerTenant = DefaultMaxPerTenant
	}
	if cfg.MaxNames <= 0 {
		cfg.MaxNames = DefaultMaxNames
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	l := &Log{cfg: cfg, roster: NewRoster()}
	t, err := topiclog.New(topiclog.Config{Brokers: cfg.Brokers, Opts: cfg.Opts, Topic: cfg.Topic,
		TopicConfig: topiclog.Compacted(), Apply: l.applyRecord, SkipBad: true,
		Name: "roster", Logger: cfg.Logger})
	if err != nil {
		return nil, fmt.Errorf("roster: %w", err)
	}
	l.t = t
	return l, nil
}

// Open is New, then the replay.
func Open(ctx context.Context, cfg Config) (*Log, error) {
	l, err := New(cfg)
	if err != nil {
		return nil, err
	}
	if err := l.t.Load(ctx); err != nil {
		l.Close()
		return nil, err
	}
	return l, nil
}

// Run replays the topic when Open did not, then tails it until ctx ends,
// so that changes made by any server take effect here. It returns nil.
func (l *Log) Run(ctx context.Context) error {
	if err := l.t.Run(ctx); err != nil && ctx.Err() == nil {
		return err
	}
	return nil
}

// Ready is nil once the topic has been replayed.
func (l *Log) Ready(ctx context.Context) error {
	return l.t.Ready(ctx)
}

// Roster returns the roster the verifier reads.
func (l *Log) Roster() *Roster { return l.roster }

// Close closes the broker clients.
func (l *Log) Close() { l.t.Close() }

// applyRecord keeps one record of the topic; one that does not decode is
// refused (topiclog logs its offset and skips it).
func (l *Log) applyRecord(r *kgo.Record, _ bool) error {
	var rec record
	if err := json.Unmarshal(r.Value, &rec); err != nil || rec.Tenant == "" ||
		(rec.Kind == kindPerson && (rec.Person == nil || rec.Person.Subject == "")) ||
		(rec.Kind == kindMode && !rec.Mode.Valid()) ||
		(rec.Kind == kindName && (rec.Label == nil || rec.Label.Kind.checkID(rec.Label.ID) != "")) ||
		(rec.Kind != kindPerson && rec.Kind != kindMode && rec.Kind != kindName) {
		return errors.New("roster: undecodable record")
	}
	l.roster.apply(rec)
	return nil
}

// write produces rec and keeps it here.
func (l *Log) write(ctx context.Context, rec record) error {
	b, err := json.Marshal(rec)
	if err != nil {
		return fmt.Errorf("encode roster record: %w", err)
	}
	if err := l.t.Append(ctx, rec.key(), b); err != nil {
		return err
	}
	l.roster.apply(rec)
	return nil
}

// Put adds or changes the tenant's person p on behalf of actor, and
// returns the previous state (ok false when p is new). p must pass Check.
// An admin may not take away their own admin role (ErrLockout).
func (l *Log) Put(ctx context.Context, tenant string, p Person, actor auth.Claims) (prev Person, existed bool, err error) {
	if err := l.Ready(ctx); err != nil {
		return Person{}, false, err
	}
	if field, msg := p.Check(); field != "" {
		return Person{}, false, fmt.Errorf("%s: %s", field, msg)
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	prev, existed = l.roster.Get(tenant, p.Subject)
	if !existed && len(l.roster.List(tenant)) >= l.cfg.MaxPerTenant {
		return Person{}, false, fmt.Errorf("%w (%d)", ErrTooMany, l.cfg.MaxPerTenant)
	}
	if p.Subject == actor.Subject && actor.Role == auth.RoleAdmin && p.Role != auth.RoleAdmin {
		return Person{}, false, fmt.Errorf("%w: you may not take away your own admin role; another admin can", ErrLockout)
	}
	now := l.cfg.Now().UTC()
	p.UpdatedAt, p.UpdatedBy, p.Teams = now, actor.Subject, slices.Clone(p.Teams)
	rec := record{Kind: kindPerson, Tenant: tenant, Person: &p, Version: max(l.roster.version(tenant, p.Subject)+1, now.UnixNano())}
	return prev, existed, l.write(ctx, rec)
}

// Remove takes the tenant's person sub off the roster on behalf of actor
// and returns who it was. An admin may not remove themselves.
func (l *Log) Remove(ctx context.Context, tenant, sub string, actor auth.Claims) (Person, error) {
	if err := l.Ready(ctx); err != nil {
		return Person{}, err
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	p, ok := l.roster.Get(tenant, sub)
	if !ok {
		return Person{}, ErrNotFound
	}
	if sub == actor.Subject && actor.Role == auth.RoleAdmin {
		return Person{}, fmt.Errorf("%w: you may not remove yourself from the roster; another admin can", ErrLockout)
	}
	now := l.cfg.Now().UTC()
	gone := p
	gone.UpdatedAt, gone.UpdatedBy = now, actor.Subject
	rec := record{Kind: kindPerson, Tenant: tenant, Person: &gone, Removed: true, Version: max(l.roster.version(tenant, sub)+1, now.UnixNano())}
	return p, l.write(ctx, rec)
}

// SetMode sets the tenant's mode on behalf of actor and returns the
// previous one. ModeRoster needs the actor listed as an admin (otherwise
// the change would lock them out: ErrLockout).
func (l *Log) SetMode(ctx context.Context, tenant string, m Mode, actor auth.Claims) (Mode, error) {
	if err := l.Ready(ctx); err != nil {
		return "", err
	}
	if !m.Valid() {
		return "", fmt.Errorf("mode must be idp, override or roster")
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	prev := l.roster.Mode(tenant)
	if m == ModeRoster {
		if p, ok := l.roster.Get(tenant, actor.Subject); !ok || p.Role != auth.RoleAdmin {
			return "", fmt.Errorf("%w: only the roster's people could sign in, and it does not list you (%s) as an admin; add yourself as admin first", ErrLockout, actor.Subject)
		}
	}
	now := l.cfg.Now().UTC()
	rec := record{Kind: kindMode, Tenant: tenant, Mode: m, Version: max(l.roster.modeVersion(tenant)+1, now.UnixNano())}
	return prev, l.write(ctx, rec)
}
