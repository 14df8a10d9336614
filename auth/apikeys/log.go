package apikeys

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/agentpulse/agentpulse/internal/topiclog"
)

// DefaultTopic is the compacted topic keys are kept on.
const DefaultTopic = "api-keys"

// DefaultMaxPerTenant bounds the keys (active or not) one tenant holds.
const DefaultMaxPerTenant = 100

// Config configures Open.
type Config struct {
	// Brokers are the seed brokers; required.
	Brokers []string
	// Topic keeps the keys. Default DefaultTopic. Created compacted with
	// one partition when missing.
	Topic string
	// Opts are extra franz-go options (TLS, SASL) for every client.
	Opts []kgo.Opt
	// MaxPerTenant bounds the keys of one tenant. Default
	// DefaultMaxPerTenant.
	MaxPerTenant int
	// Now is the clock. Default time.Now.
	Now func() time.Time
	// Logger receives the replay summary and tailing errors (key ids,
	// never key material). Nil: discard.
	Logger *slog.Logger
}

// Log keeps the keys on the topic and in a Keyring.
type Log struct {
	cfg  Config
	keys *Keyring
	log  *topiclog.Log
}

// New returns a Log that has not read the topic yet: Run replays it
// (retrying while the broker is away), then tails it. Until then Ready
// fails and the keyring admits no key.
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
	l := &Log{cfg: cfg, keys: NewKeyring(cfg.Now)}
	tl, err := topiclog.New(topiclog.Config{Brokers: cfg.Brokers, Opts: cfg.Opts, Topic: cfg.Topic, Name: "api keys",
		TopicConfig: topiclog.Compacted(), Apply: l.apply, SkipBad: true, Logger: cfg.Logger})
	if err != nil {
		return nil, err
	}
	l.log = tl
	return l, nil
}

// Open is New, then the replay: it returns once every key on the topic is
// in the keyring. Run then only tails.
func Open(ctx context.Context, cfg Config) (*Log, error) {
	l, err := New(cfg)
	if err != nil {
		return nil, err
	}
	if err := l.log.Load(ctx); err != nil {
		l.Close()
		return nil, err
	}
	return l, nil
}

// Ready is nil once the topic has been replayed.
func (l *Log) Ready(ctx context.Context) error { return l.log.Ready(ctx) }

// apply keeps one record of the topic; a record that does not decode is
// refused (topiclog logs its offset, never its bytes, and skips it).
func (l *Log) apply(r *kgo.Record, _ bool) error {
	var rec Record
	if err := json.Unmarshal(r.Value, &rec); err != nil || rec.ID == "" || rec.Tenant == "" {
		return errors.New("undecodable api key record")
	}
	l.keys.put(rec)
	return nil
}

// Run replays the topic when Open did not (retrying every second while
// the broker is away), then tails it into the keyring until ctx ends, so
// that keys created or revoked by any process take effect here. It
// returns nil.
func (l *Log) Run(ctx context.Context) error { return l.log.Run(ctx) }

// Keys returns the keyring Verify reads.
func (l *Log) Keys() *Keyring { return l.keys }

// produce writes r and waits for the broker, then keeps it here.
func (l *Log) produce(ctx context.Context, r Record) error {
	b, err := json.Marshal(r)
	if err != nil {
		return fmt.Errorf("encode api key record: %w", err)
	}
	if err := l.log.Append(ctx, r.Tenant+"/"+r.ID, b); err != nil {
		return err
	}
	l.keys.put(r)
	return nil
}

// Errors of Create, Revoke and Rotate.
var (
	ErrNotFound = errors.New("no such API key in this tenant")
	ErrTooMany  = errors.New("the tenant holds the most API keys allowed")
	ErrRevoked  = errors.New("the API key is revoked already")
)

// Create makes a key for tenant named name by admin actor and returns its
// record and the key itself: the only time the key is known.
func (l *Log) Create(ctx context.Context, tenant, name, actor string) (Record, string, error) {
	return l.CreateWallboard(ctx, tenant, name, "", actor)
}

// CreateWallboard is Create of a wallboard key for model (an ingest key
// when model is empty).
func (l *Log) CreateWallboard(ctx context.Context, tenant, name, model, actor string) (Record, string, error) {
	if err := l.Ready(ctx); err != nil {
		return Record{}, "", err
	}
	if n := len(l.keys.List(tenant)); n >= l.cfg.MaxPerTenant {
		return Record{}, "", fmt.Errorf("%w (%d)", ErrTooMany, n)
	}
	key, id := newKey()
	now := l.cfg.Now().UTC()
	r := Record{Tenant: tenant, ID: id, Name: name, Wallboard: model, Hash: hash(key), CreatedAt: now, CreatedBy: actor, Version: now.UnixNano()}
	if err := l.produce(ctx, r); err != nil {
		return Record{}, "", err
	}
	return r, key, nil
}

// Revoke ends the tenant's key id at once.
func (l *Log) Revoke(ctx context.Context, tenant, id, actor string) (Record, error) {
	if err := l.Ready(ctx); err != nil {
		return Record{}, err
	}
	r, ok := l.keys.get(tenant, id)
	if !ok {
		return Record{}, ErrNotFound
	}
	now := l.cfg.Now().UTC()
	if !r.Active(now) {
		return Record{}, ErrRevoked
	}
	r.RevokedAt, r.RevokedBy, r.Version = now, actor, max(r.Version+1, now.UnixNano())
	if err := l.produce(ctx, r); err != nil {
		return Record{}, err
	}
	return r, nil
}

// Rotate makes a new key of the same name and ends the old one after
// overlap (0: at once), so that a client can switch without a gap. It
// returns the new record and key, and the old record.
func (l *Log) Rotate(ctx context.Context, tenant, id, actor string, overlap time.Duration) (Record, string, Record, error) {
	old, ok := l.keys.get(tenant, id)
	if !ok {
		return Record{}, "", Record{}, ErrNotFound
	}
	now := l.cfg.Now().UTC()
	if !old.Active(now) {
		return Record{}, "", Record{}, ErrRevoked
	}
	nr, key, err := l.CreateWallboard(ctx, tenant, old.Name, old.Wallboard, actor)
	if err != nil {
		return Record{}, "", Record{}, err
	}
	old.RevokedAt, old.RevokedBy, old.ReplacedBy = now.Add(overlap), actor, nr.ID
	old.Version = max(old.Version+1, now.UnixNano())
	if err := l.produce(ctx, old); err != nil {
		return Record{}, "", Record{}, err
	}
	return nr, key, old, nil
}

// Close closes the broker clients.
func (l *Log) Close() { l.log.Close() }
