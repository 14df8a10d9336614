package retention

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

	"github.com/agentpulse/agentpulse/internal/topiclog"
)

// Defaults.
const (
	// DefaultTopic is the compacted topic of retention settings and
	// erasures.
	DefaultTopic = "data-policy"
	// DefaultDays is the retention of a tenant without a setting: 13
	// months (396 days) of event time.
	DefaultDays = 396
	// MaxDays bounds a setting: 10 years.
	MaxDays = 3660
)

// Setting is a tenant's retention as an admin set it.
type Setting struct {
	Tenant string    `json:"tenant"`
	Days   int       `json:"days"`
	By     string    `json:"updated_by"`
	At     time.Time `json:"updated_at"`
}

// Erasure is one erasure done on request. Subject is the keyed hash of
// the customer_key or agent id (subject.go: neither is ever kept) under
// the tenant's key named by KeyID; an erasure recorded before keyed
// subjects has no KeyID and a plain SHA-256.
type Erasure struct {
	ID      string    `json:"id"`
	Tenant  string    `json:"tenant"`
	Kind    string    `json:"kind"`
	Subject string    `json:"subject"`
	KeyID   string    `json:"key_id,omitempty"`
	By      string    `json:"requested_by"`
	Role    string    `json:"requested_role,omitempty"`
	At      time.Time `json:"requested_at"`
	// Pseudonym is, for an agent, the id their data now carries.
	Pseudonym string `json:"pseudonym,omitempty"`
	// Done is false while the erasure is under way (recorded first, so
	// that a crash leaves it to Runner.Reapply); Removed counts what it
	// removed or changed once done.
	Done    bool             `json:"done"`
	Removed map[string]int64 `json:"removed"`
}

// entry is one record of the topic: exactly one field is set. Keys:
// "retention/{tenant}" (newest wins), "erasure/{tenant}/{id}".
type entry struct {
	Retention *Setting `json:"retention,omitempty"`
	Erasure   *Erasure `json:"erasure,omitempty"`
	// SecretID names the erasure secret every erasure is made with
	// (key "erasure-secret"; subject.go), never the secret.
	SecretID string `json:"secret_id,omitempty"`
}

// Config configures NewPolicy.
type Config struct {
	Brokers []string
	// Topic is created compacted with one partition when missing.
	// Default DefaultTopic.
	Topic string
	// Opts are extra franz-go options (TLS, SASL).
	Opts []kgo.Opt
	// DefaultDays is the retention of a tenant without a setting.
	// Default DefaultDays.
	DefaultDays int
	Logger      *slog.Logger
}

// Policy holds every tenant's retention setting and erasures, read from
// the topic (replayed to its end before Ready, then tailed) so that every
// server agrees and a restart keeps them. Safe for concurrent use.
type Policy struct {
	cfg  Config
	t    *topiclog.Log
	wake chan struct{}

	mu       sync.Mutex
	changed  chan struct{} // closed (and replaced) when an erasure is added or changed
	seq      uint64        // counts those changes
	settings map[string]Setting
	erasures map[string][]Erasure // tenant → oldest first
	secretID string
}

// NewPolicy returns a Policy that has not read the topic yet (Run does).
func NewPolicy(cfg Config) (*Policy, error) {
	if len(cfg.Brokers) == 0 {
		return nil, errors.New("retention: Config.Brokers is required")
	}
	if cfg.Topic == "" {
		cfg.Topic = DefaultTopic
	}
	if cfg.DefaultDays <= 0 {
		cfg.DefaultDays = DefaultDays
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	p := &Policy{cfg: cfg, wake: make(chan struct{}, 1), changed: make(chan struct{}), settings: map[string]Setting{}, erasures: map[string][]Erasure{}}
	t, err := topiclog.New(topiclog.Config{Brokers: cfg.Brokers, Opts: cfg.Opts, Topic: cfg.Topic,
		TopicConfig: topiclog.Compacted(), Apply: p.applyRecord, SkipBad: true,
		Name: "data policy", Logger: cfg.Logger})
	if err != nil {
		return nil, fmt.Errorf("data policy: %w", err)
	}
	p.t = t
	return p, nil
}

// Close closes the broker clients (Run must have returned).
func (p *Policy) Close() { p.t.Close() }

// Ready is nil once the topic has been read to the end it had at start.
func (p *Policy) Ready(ctx context.Context) error { return p.t.Ready(ctx) }

// Days returns the tenant's retention in days and whether an admin set it.
func (p *Policy) Days(tenant string) (Setting, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	s, ok := p.settings[tenant]
	if !ok {
		return Setting{Tenant: tenant, Days: p.cfg.DefaultDays}, false
	}
	return s, true
}

// DefaultDays is the retention of a tenant without a setting.
func (p *Policy) DefaultDays() int { return p.cfg.DefaultDays }

// Tenants lists the tenants with a setting.
func (p *Policy) Tenants() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	out := make([]string, 0, len(p.settings))
	for t := range p.settings {
		out = append(out, t)
	}
	slices.Sort(out)
	return out
}

// Erasures returns the tenant's erasures, newest first.
func (p *Policy) Erasures(tenant string) []Erasure {
	p.mu.Lock()
	defer p.mu.Unlock()
	out := slices.Clone(p.erasures[tenant])
	slices.Reverse(out)
	return out
}

// SecretID returns the id of the erasure secret the deployment's
// erasures are made with ("" before the first server recorded it).
func (p *Policy) SecretID() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.secretID
}

// SetSecretID records the id of the erasure secret.
func (p *Policy) SetSecretID(ctx context.Context, id string) error {
	return p.put(ctx, "erasure-secret", entry{SecretID: id})
}

// AllErasures returns every tenant's erasures.
func (p *Policy) AllErasures() []Erasure {
	p.mu.Lock()
	defer p.mu.Unlock()
	var out []Erasure
	for _, es := range p.erasures {
		out = append(out, es...)
	}
	return out
}

// SetDays stores the tenant's retention and wakes the runner.
func (p *Policy) SetDays(ctx context.Context, s Setting) error {
	if err := p.put(ctx, "retention/"+s.Tenant, entry{Retention: &s}); err != nil {
		return err
	}
	select {
	case p.wake <- struct{}{}:
	default:
	}
	return nil
}

// AddErasure stores an erasure done.
func (p *Policy) AddErasure(ctx context.Context, e Erasure) error {
	return p.put(ctx, "erasure/"+e.Tenant+"/"+e.ID, entry{Erasure: &e})
}

func (p *Policy) put(ctx context.Context, key string, e entry) error {
	b, err := json.Marshal(e)
	if err != nil {
		return err
	}
	if err := p.t.Append(ctx, key, b); err != nil {
		return fmt.Errorf("store %s on topic %q: %w", key, p.cfg.Topic, err)
	}
	p.apply(e) // read your write; the tail applies it again, unchanged
	return nil
}

func (p *Policy) apply(e entry) {
	p.mu.Lock()
	defer p.mu.Unlock()
	switch {
	case e.SecretID != "":
		p.secretID = e.SecretID
	case e.Retention != nil && e.Retention.Tenant != "":
		p.settings[e.Retention.Tenant] = *e.Retention
	case e.Erasure != nil && e.Erasure.Tenant != "" && e.Erasure.ID != "":
		es := p.erasures[e.Erasure.Tenant]
		if i := slices.IndexFunc(es, func(x Erasure) bool { return x.ID == e.Erasure.ID }); i >= 0 {
			es[i] = *e.Erasure // an erasure done after it was recorded under way
		} else {
			p.erasures[e.Erasure.Tenant] = append(es, *e.Erasure)
		}
		p.seq++
		close(p.changed)
		p.changed = make(chan struct{})
	}
}

// ErasureChanged returns a channel closed when an erasure is next added
// or changed (read from the topic or written here), and the count of such
// changes so far.
func (p *Policy) ErasureChanged() (<-chan struct{}, uint64) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.changed, p.seq
}

// Run creates the topic when missing and reads it from the start
// (retrying while the broker is away); Ready is nil once it reached the
// end the topic had. It tails the topic until ctx ends and returns nil.
func (p *Policy) Run(ctx context.Context) error {
	if err := p.t.Run(ctx); err != nil && ctx.Err() == nil {
		return err
	}
	return nil
}

// applyRecord keeps one record of the topic; one that does not decode is
// refused (topiclog logs its offset and skips it).
func (p *Policy) applyRecord(r *kgo.Record, _ bool) error {
	var e entry
	if err := json.Unmarshal(r.Value, &e); err != nil {
		return fmt.Errorf("data policy record: %w", err)
	}
	p.apply(e)
	return nil
}
