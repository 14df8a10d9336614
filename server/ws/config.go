package ws

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/agentpulse/agentpulse/auth"
	"github.com/agentpulse/agentpulse/schemas"
)

// Defaults of Config.
const (
	DefaultMaxQueueBytes    = 1 << 20
	DefaultMaxSubscriptions = 64
	DefaultMaxConnections   = 50_000
	DefaultHistorySize      = 256
	DefaultHistoryTTL       = 5 * time.Minute
	DefaultReadLimit        = 4096
	DefaultPingInterval     = 25 * time.Second
	DefaultPongWait         = 60 * time.Second
	DefaultWriteTimeout     = 10 * time.Second
	DefaultSnapshotTimeout  = 10 * time.Second
	DefaultMaxBadMessages   = 10
	DefaultMaxChannels      = 100_000
	DefaultSubscribeRate    = 5.0
	DefaultReauthorize      = time.Minute
)

// Authorizer decides whether the holder of c may subscribe to ch. It
// returns nil to admit, an error matching ErrForbidden or ErrNotFound to
// refuse (the client gets "forbidden" or "not_found"), any other error
// when it cannot decide (the client gets "unavailable"; the error is
// logged). Called from the connection's reader goroutine; it may block on
// the store and must honour ctx.
type Authorizer func(ctx context.Context, c auth.Claims, ch Channel) error

// Snapshotter returns the current state of ch for the holder of c: the
// data of the subscription's first message. Errors as for Authorizer.
// The value is encoded with encoding/json.
type Snapshotter func(ctx context.Context, c auth.Claims, ch Channel) (any, error)

// ScoreDataFunc builds the data of the score messages of one update (the
// same data goes to the agent, team and wallboard channels). It runs in
// the feed's goroutine once per update and must be cheap. DefaultScoreData
// is the default; wrap it to add figures from a cache.
type ScoreDataFunc func(ctx context.Context, u schemas.Update) (any, error)

// Sentinels an Authorizer or Snapshotter returns (wrapped) to refuse.
var (
	// ErrForbidden refuses a channel the token may not see.
	ErrForbidden = errors.New("forbidden")
	// ErrNotFound refuses a channel naming nothing in the token's tenant.
	ErrNotFound = errors.New("not found")
	// ErrNotReady refuses a snapshot that would be partial (the store is
	// catching up with the log): the client gets error "unavailable"
	// with the error's text, and should subscribe again later; nothing
	// is logged.
	ErrNotReady = errors.New("not ready")
)

// Config configures New. Verifier, Authorize and Snapshot are required;
// the zero value of every other field means its default.
type Config struct {
	// Verifier checks the bearer token of the upgrade request (header or
	// access_token query parameter). Required.
	Verifier auth.TokenVerifier
	// Authorize admits or refuses each subscription. Required.
	Authorize Authorizer
	// Snapshot builds each subscription's first message. Required.
	Snapshot Snapshotter
	// ScoreData builds score messages in OnUpdate. Default
	// DefaultScoreData.
	ScoreData ScoreDataFunc
	// Roles are the token roles that may connect; others get 403 before
	// the upgrade. Default agent, supervisor, admin and
	// wallboard (a TV's wallboard key).
	Roles []auth.Role
	// AllowedOrigins lists the browser origins (scheme://host[:port]) that
	// may connect besides the server's own host; "*" admits any. A request
	// without an Origin header (not a browser) is always admitted. Default
	// empty: same host only.
	AllowedOrigins []string
	// MaxConnections bounds open connections; beyond it upgrades are
	// answered 503. Default 50,000.
	MaxConnections int
	// MaxQueueBytes bounds each connection's outbound queue, in bytes of
	// encoded messages; a client whose queue would pass it is closed with
	// DisconnectSlow. Default 1 MiB.
	MaxQueueBytes int
	// MaxSubscriptions bounds the subscriptions of one connection; more
	// are refused with "too_many_subscriptions". Default 64.
	MaxSubscriptions int
	// MaxChannels bounds the channels the hub holds (each tenant's
	// kind:id with subscribers or history). Past it, channels without
	// subscribers are dropped early (their resumes become snapshots); when
	// every channel has subscribers, a subscription that needs a new one
	// is refused with "unavailable". Default 100,000.
	MaxChannels int
	// SubscribeRate is how many subscribe messages per second one
	// connection may send, sustained; the burst is MaxSubscriptions (a
	// client resubscribing its whole set after a reconnect). More are
	// refused with "rate_limited" without building a snapshot. Default 5.
	SubscribeRate float64
	// ReauthorizeInterval is how often every subscription is authorized
	// again (Authorize with the connection's claims): one no longer
	// allowed, such as a supervisor's agent who moved to another team, is
	// dropped with a "forbidden" error. Default 1 minute.
	ReauthorizeInterval time.Duration
	// HistorySize is how many messages each channel keeps for resumes
	// (allocated as messages arrive, not up front). Default 256.
	HistorySize int
	// HistoryTTL is how long a channel without subscribers keeps its
	// epoch and history, so that a client reconnecting within it resumes
	// without a snapshot. Default 5 minutes.
	HistoryTTL time.Duration
	// ReadLimit bounds one client message, in bytes. Default 4096.
	ReadLimit int64
	// PingInterval is how often the server pings. Default 25 s.
	PingInterval time.Duration
	// PongWait is how long the server waits for a pong (or any client
	// message) before closing with DisconnectNoPong. Default 60 s.
	PongWait time.Duration
	// WriteTimeout bounds one write to a client. Default 10 s.
	WriteTimeout time.Duration
	// SnapshotTimeout bounds Authorize plus Snapshot of one subscription.
	// Default 10 s.
	SnapshotTimeout time.Duration
	// MaxBadMessages is how many malformed messages in a row a client may
	// send before it is closed with DisconnectBadClient. Default 10.
	MaxBadMessages int
	// Logger receives the hub's logs. Nil: discard.
	Logger *slog.Logger
	// Registerer registers the hub's metrics; nil registers nothing.
	Registerer prometheus.Registerer
}

// ErrConfig is returned by New for a Config missing a required field.
var ErrConfig = errors.New("ws: Verifier, Authorize and Snapshot are required")

func (c Config) withDefaults() Config {
	if c.ScoreData == nil {
		c.ScoreData = func(_ context.Context, u schemas.Update) (any, error) { return DefaultScoreData(u), nil }
	}
	if len(c.Roles) == 0 {
		c.Roles = []auth.Role{auth.RoleAgent, auth.RoleSupervisor, auth.RoleAdmin, auth.RoleWallboard}
	}
	if c.MaxConnections <= 0 {
		c.MaxConnections = DefaultMaxConnections
	}
	if c.MaxQueueBytes <= 0 {
		c.MaxQueueBytes = DefaultMaxQueueBytes
	}
	if c.MaxSubscriptions <= 0 {
		c.MaxSubscriptions = DefaultMaxSubscriptions
	}
	if c.MaxChannels <= 0 {
		c.MaxChannels = DefaultMaxChannels
	}
	if c.SubscribeRate <= 0 {
		c.SubscribeRate = DefaultSubscribeRate
	}
	if c.ReauthorizeInterval <= 0 {
		c.ReauthorizeInterval = DefaultReauthorize
	}
	if c.HistorySize <= 0 {
		c.HistorySize = DefaultHistorySize
	}
	if c.HistoryTTL <= 0 {
		c.HistoryTTL = DefaultHistoryTTL
	}
	if c.ReadLimit <= 0 {
		c.ReadLimit = DefaultReadLimit
	}
	if c.PingInterval <= 0 {
		c.PingInterval = DefaultPingInterval
	}
	if c.PongWait <= 0 {
		c.PongWait = DefaultPongWait
	}
	if c.WriteTimeout <= 0 {
		c.WriteTimeout = DefaultWriteTimeout
	}
	if c.SnapshotTimeout <= 0 {
		c.SnapshotTimeout = DefaultSnapshotTimeout
	}
	if c.MaxBadMessages <= 0 {
		c.MaxBadMessages = DefaultMaxBadMessages
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	return c
}
