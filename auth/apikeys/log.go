package apikeys

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sync/atomic"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"
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
	cfg   Config
	opts  []kgo.Opt
	keys  *Keyring
	cl    *kgo.Client // producer
	rd    *kgo.Client // reader: replays, then tails; set by load
	ready atomic.Bool // the replay is done
}

// New returns a Log that has not read the topic yet: Run replays it
// (retrying while the broker is away), then tails it. Until then Ready
// fails and the keyring admits no key.
func New(cfg Config) (*Log, error) {
	if len(cfg.Brokers) == 0 {
		return nil, errors.New("apikeys: Config.Brokers is required")
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
	opts := append([]kgo.Opt{kgo.SeedBrokers(cfg.Brokers...)}, cfg.Opts...)
	cl, err := kgo.NewClient(append(slices.Clone(opts), kgo.DefaultProduceTopic(cfg.Topic), kgo.RequiredAcks(kgo.AllISRAcks()))...)
	if err != nil {
		return nil, fmt.Errorf("api keys client: %w", err)
	}
	return &Log{cfg: cfg, opts: opts, keys: NewKeyring(cfg.Now), cl: cl}, nil
}

// Open is New, then the replay: it returns once every key on the topic is
// in the keyring. Run then only tails.
func Open(ctx context.Context, cfg Config) (*Log, error) {
	l, err := New(cfg)
	if err != nil {
		return nil, err
	}
	if err := l.load(ctx); err != nil {
		l.Close()
		return nil, err
	}
	return l, nil
}

// Ready is nil once the topic has been replayed.
func (l *Log) Ready(context.Context) error {
	if !l.ready.Load() {
		return errors.New("api keys: not read from the broker yet")
	}
	return nil
}

// load creates the topic when missing and replays it up to its end.
func (l *Log) load(ctx context.Context) error {
	cfg := l.cfg
	adm := kadm.NewClient(l.cl)
	resp, err := adm.CreateTopic(ctx, 1, -1, map[string]*string{"cleanup.policy": ptr("compact")}, cfg.Topic)
	if err != nil && !errors.Is(err, kerr.TopicAlreadyExists) && !errors.Is(resp.Err, kerr.TopicAlreadyExists) {
		return fmt.Errorf("create topic %q: %w", cfg.Topic, err)
	}
	ends, err := adm.ListEndOffsets(ctx, cfg.Topic)
	if err == nil {
		err = ends.Error()
	}
	if err != nil {
		return fmt.Errorf("end offsets of %q: %w", cfg.Topic, err)
	}
	want := map[int32]int64{}
	ends.Each(func(o kadm.ListedOffset) { want[o.Partition] = o.Offset })
	start := map[int32]kgo.Offset{}
	for p := range want {
		start[p] = kgo.NewOffset().AtStart()
	}
	rd, err := kgo.NewClient(append(slices.Clone(l.opts), kgo.ConsumePartitions(map[string]map[int32]kgo.Offset{cfg.Topic: start}),
		kgo.FetchMaxWait(time.Second))...)
	if err != nil {
		return fmt.Errorf("api keys reader: %w", err)
	}
	n, err := l.replay(ctx, rd, want)
	if err != nil {
		rd.Close()
		return err
	}
	l.rd = rd
	l.ready.Store(true)
	cfg.Logger.Info("api keys replayed from the broker", "topic", cfg.Topic, "records", n)
	return nil
}

func ptr[T any](v T) *T { return &v }

// replay applies the records below the end offsets at Open.
func (l *Log) replay(ctx context.Context, rd *kgo.Client, want map[int32]int64) (int, error) {
	for p, end := range want {
		if end <= 0 {
			delete(want, p)
		}
	}
	n := 0
	for len(want) > 0 {
		fs := rd.PollFetches(ctx)
		if err := ctx.Err(); err != nil {
			return n, fmt.Errorf("replay %q: %w", l.cfg.Topic, err)
		}
		var ferr error
		fs.EachError(func(_ string, _ int32, err error) { ferr = errors.Join(ferr, err) })
		if ferr != nil {
			return n, fmt.Errorf("replay %q: %w", l.cfg.Topic, ferr)
		}
		fs.EachRecord(func(r *kgo.Record) {
			l.apply(r)
			n++
			if end, ok := want[r.Partition]; ok && r.Offset+1 >= end {
				delete(want, r.Partition)
			}
		})
	}
	return n, nil
}

// apply keeps one record of the topic; a record that does not decode is
// logged (its offset, never its bytes) and skipped.
func (l *Log) apply(r *kgo.Record) {
	var rec Record
	if err := json.Unmarshal(r.Value, &rec); err != nil || rec.ID == "" || rec.Tenant == "" {
		l.cfg.Logger.Warn("api keys: undecodable record skipped", "topic", l.cfg.Topic, "offset", r.Offset)
		return
	}
	l.keys.put(rec)
}

// Run replays the topic when Open did not (retrying every second while
// the broker is away), then tails it into the keyring until ctx ends, so
// that keys created or revoked by any process take effect here. It
// returns nil.
func (l *Log) Run(ctx context.Context) error {
	for !l.ready.Load() {
		err := l.load(ctx)
		if err == nil {
			break
		}
		if ctx.Err() != nil {
			return nil
		}
		l.cfg.Logger.Warn("api keys: cannot read the topic yet, retrying", "topic", l.cfg.Topic, "err", err)
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(time.Second):
		}
	}
	for {
		fs := l.rd.PollFetches(ctx)
		if ctx.Err() != nil {
			return nil
		}
		fs.EachError(func(t string, p int32, err error) {
			l.cfg.Logger.Warn("api keys: fetch failed", "topic", t, "partition", p, "err", err)
		})
		fs.EachRecord(l.apply)
	}
}

// Keys returns the keyring Verify reads.
func (l *Log) Keys() *Keyring { return l.keys }

// produce writes r and waits for the broker, then keeps it here.
func (l *Log) produce(ctx context.Context, r Record) error {
	b, err := json.Marshal(r)
	if err != nil {
		return fmt.Errorf("encode api key record: %w", err)
	}
	if err := l.cl.ProduceSync(ctx, &kgo.Record{Key: []byte(r.Tenant + "/" + r.ID), Value: b}).FirstErr(); err != nil {
		return fmt.Errorf("produce to %q: %w", l.cfg.Topic, err)
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
func (l *Log) Close() {
	l.cl.Close()
	if l.rd != nil {
		l.rd.Close()
	}
}
