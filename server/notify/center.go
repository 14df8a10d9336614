package notify

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"slices"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/agentpulse/agentpulse/auth"
	"github.com/agentpulse/agentpulse/internal/topiclog"
)

// Publisher pushes a message to a websocket channel of a tenant (the hub).
type Publisher interface {
	Publish(tenant, channel, typ string, data any)
}

// Defaults of Config.
const (
	DefaultMaxPerTenant = 1000
	DefaultMaxAge       = 30 * 24 * time.Hour
	DefaultQueueSize    = 256
	DefaultTopic        = "notifications"
	DefaultPrefsTopic   = "notification-prefs"
)

// Config configures New. Every field is optional.
type Config struct {
	// Publisher receives every notification live: type "notification" on
	// "team:{team}" (a team audience) or "agent:{agent}". Nil: no push.
	Publisher Publisher
	// SMTPAddr (host:port) and SMTPFrom enable e-mail; empty: none.
	SMTPAddr, SMTPFrom string
	// HTTP posts webhooks. Default a client with a 10 s timeout that
	// refuses loopback, private and link-local addresses unless
	// AllowPrivateWebhooks (webhookdial.go).
	HTTP *http.Client
	// AllowPrivateWebhooks lets webhooks reach addresses on the server's
	// own networks (a chat server on the intranet, tests).
	AllowPrivateWebhooks bool
	// Brokers, when set, keep notifications, read marks and preferences
	// on the broker (Topic, PrefsTopic) and share them with every server
	// process on the same topics. Empty: in memory only.
	Brokers []string
	// KafkaOpts are extra franz-go options (TLS, SASL).
	KafkaOpts []kgo.Opt
	// Topic keeps notifications and read marks (created with retention
	// MaxAge). Default DefaultTopic.
	Topic string
	// PrefsTopic keeps preferences (created compacted). Default
	// DefaultPrefsTopic.
	PrefsTopic string
	// MaxPerTenant bounds the notifications kept per tenant (the newest).
	MaxPerTenant int
	// MaxAge drops notifications older than this. Default DefaultMaxAge.
	MaxAge time.Duration
	// QueueSize bounds deliveries waiting for Run's worker.
	QueueSize int
	Now       func() time.Time
	Logger    *slog.Logger
}

// ErrNotFound is a notification id the caller may not see.
var ErrNotFound = errors.New("no such notification")

// Center keeps and delivers notifications. Build it with New and run its
// delivery worker (and, on a broker, its topics' tails) with Run.
type Center struct {
	cfg      Config
	log      *topiclog.Log // notifications and read marks; nil in memory
	prefsLog *topiclog.Log // preferences; nil in memory
	mu       sync.Mutex
	tenants  map[string]*kept
	users    map[string]map[string]*user // tenant → subject → prefs
	queue    chan delivery
	sent     *prometheus.CounterVec
}

// delivery is one e-mail or webhook to send.
type delivery struct {
	channel string // "email" | "webhook"
	to      string
	n       Notification
}

// New returns a Center over cfg. With Config.Brokers its topics are read
// by Run (Ready reports when).
func New(cfg Config) (*Center, error) {
	if cfg.HTTP == nil {
		cfg.HTTP = webhookClient(cfg.AllowPrivateWebhooks)
	}
	if cfg.MaxPerTenant <= 0 {
		cfg.MaxPerTenant = DefaultMaxPerTenant
	}
	if cfg.MaxAge <= 0 {
		cfg.MaxAge = DefaultMaxAge
	}
	if cfg.QueueSize <= 0 {
		cfg.QueueSize = DefaultQueueSize
	}
	if cfg.Topic == "" {
		cfg.Topic = DefaultTopic
	}
	if cfg.PrefsTopic == "" {
		cfg.PrefsTopic = DefaultPrefsTopic
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	c := &Center{cfg: cfg, tenants: map[string]*kept{}, users: map[string]map[string]*user{},
		queue: make(chan delivery, cfg.QueueSize),
		sent: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "agentpulse_notifications_sent_total",
			Help: "Notification deliveries by channel (inapp, email, webhook, log: the broker's copy) and result (ok, failed, dropped)."}, []string{"channel", "result"})}
	if len(cfg.Brokers) > 0 {
		if err := c.openLogs(); err != nil {
			return nil, err
		}
	}
	return c, nil
}

// Collectors returns the Center's metrics for a registry.
func (c *Center) Collectors() []prometheus.Collector { return []prometheus.Collector{c.sent} }

// Notify records n for tenant (ID and At are set here): on the broker
// when there is one (a failed write is logged and counted, and n is still
// told here), then in memory. It pushes n live and queues the e-mails and
// webhooks of every user in its audience who asked for its kind; other
// server processes push it to their own websockets when their tail reads
// it. A notification whose Key is kept already is not told again: Notify
// returns the kept one. It never blocks on e-mail or webhook delivery.
func (c *Center) Notify(ctx context.Context, tenant string, n Notification) Notification {
	n.ID, n.At, n.Read = newID(), c.cfg.Now().UTC(), false
	if held, ok := c.held(tenant, n.Key); ok {
		return held
	}
	if c.log != nil {
		if err := c.appendRecord(ctx, c.log, tenant, record{Tenant: tenant, Notification: &n, Key: n.Key}); err != nil {
			c.sent.WithLabelValues("log", "failed").Inc()
			c.cfg.Logger.Error("notification not kept on the broker", "tenant", tenant, "kind", n.Kind, "err", err)
		} else {
			c.sent.WithLabelValues("log", "ok").Inc()
		}
	}
	if held, ok := c.keep(tenant, n, true, false); !ok {
		return held
	}
	c.mu.Lock()
	var out []delivery
	for _, u := range c.users[tenant] {
		if !n.Audience.Includes(u.role, u.subject, u.teams) || !u.prefs.wants(n.Kind) {
			continue
		}
		if u.prefs.Email != "" && c.cfg.SMTPAddr != "" {
			out = append(out, delivery{"email", u.prefs.Email, n})
		}
		if u.prefs.Webhook != "" {
			out = append(out, delivery{"webhook", u.prefs.Webhook, n})
		}
	}
	c.mu.Unlock()
	for _, d := range out {
		select {
		case c.queue <- d:
		default:
			c.sent.WithLabelValues(d.channel, "dropped").Inc()
			c.cfg.Logger.Warn("notification delivery queue full; dropped", "channel", d.channel, "kind", n.Kind)
		}
	}
	return n
}

// push tells n live to the websocket channel of its audience.
func (c *Center) push(tenant string, n Notification) {
	if c.cfg.Publisher == nil {
		return
	}
	switch {
	case n.Audience.Team != "":
		c.cfg.Publisher.Publish(tenant, "team:"+n.Audience.Team, "notification", n)
	case n.Audience.Agent != "":
		c.cfg.Publisher.Publish(tenant, "agent:"+n.Audience.Agent, "notification", n)
	}
	c.sent.WithLabelValues("inapp", "ok").Inc()
}

// List returns the notifications of the caller's tenant the caller is in
// the audience of, newest first, at most MaxAge old, with their read
// marks, and how many are unread.
func (c *Center) List(cl auth.Claims) ([]Notification, int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := []Notification{}
	unread := 0
	k := c.tenants[cl.Tenant]
	if k == nil {
		return out, 0
	}
	cutoff := c.cfg.Now().Add(-c.cfg.MaxAge)
	for i := len(k.list) - 1; i >= 0; i-- {
		n := k.list[i]
		if n.At.Before(cutoff) || !n.Audience.Includes(cl.Role, cl.Subject, cl.Teams) {
			continue
		}
		_, n.Read = k.read[n.ID][cl.Subject]
		if !n.Read {
			unread++
		}
		out = append(out, n)
	}
	return out, unread
}

// MarkRead marks the caller's notification id read, on the broker first
// when there is one (its refusal is returned and nothing is marked).
func (c *Center) MarkRead(ctx context.Context, cl auth.Claims, id string) (Notification, error) {
	n, read, ok := c.find(cl, id)
	if !ok {
		return Notification{}, ErrNotFound
	}
	n.Read = true
	if read {
		return n, nil
	}
	mark := readMark{ID: id, Subject: cl.Subject}
	if c.log != nil {
		if err := c.appendRecord(ctx, c.log, cl.Tenant, record{Tenant: cl.Tenant, Read: &mark}); err != nil {
			return Notification{}, err
		}
	}
	c.markRead(cl.Tenant, mark)
	return n, nil
}

// find returns the caller's notification id and whether they read it.
func (c *Center) find(cl auth.Claims, id string) (Notification, bool, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	k := c.tenants[cl.Tenant]
	if k == nil {
		return Notification{}, false, false
	}
	for _, n := range k.list {
		if n.ID == id && n.Audience.Includes(cl.Role, cl.Subject, cl.Teams) {
			_, read := k.read[id][cl.Subject]
			return n, read, true
		}
	}
	return Notification{}, false, false
}

// Prefs returns the caller's preferences (empty when never saved).
func (c *Center) Prefs(cl auth.Claims) Prefs {
	c.mu.Lock()
	defer c.mu.Unlock()
	if u := c.users[cl.Tenant][cl.Subject]; u != nil {
		return u.prefs
	}
	return Prefs{Kinds: []Kind{}}
}

// SetPrefs saves the caller's preferences with who they are now (role,
// teams): e-mails and webhooks follow the audiences of those claims. On
// the broker first when there is one (its refusal is returned and nothing
// is saved).
func (c *Center) SetPrefs(ctx context.Context, cl auth.Claims, p Prefs) error {
	rec := prefsRecord{Tenant: cl.Tenant, Subject: cl.Subject, Role: cl.Role, Teams: slices.Clone(cl.Teams), Prefs: p}
	if c.prefsLog != nil {
		if err := c.appendRecord(ctx, c.prefsLog, cl.Tenant+"/"+cl.Subject, rec); err != nil {
			return err
		}
	}
	c.setPrefs(rec)
	return nil
}

// Ready is nil once the topics have been replayed (at once in memory).
func (c *Center) Ready(ctx context.Context) error {
	if c.log == nil {
		return nil
	}
	if err := c.log.Ready(ctx); err != nil {
		return err
	}
	return c.prefsLog.Ready(ctx)
}

// Close closes the broker clients (none in memory); Run does when it
// returns.
func (c *Center) Close() {
	if c.log != nil {
		c.log.Close()
		c.prefsLog.Close()
	}
}

// Run reads the topics (replay, then tail) when on a broker, and sends
// queued e-mails and webhooks, until ctx ends; then it closes the broker
// clients.
func (c *Center) Run(ctx context.Context) error {
	if c.log != nil {
		var wg sync.WaitGroup
		defer c.Close()
		defer wg.Wait()
		for _, l := range []*topiclog.Log{c.log, c.prefsLog} {
			wg.Add(1)
			go func() { defer wg.Done(); _ = l.Run(ctx) }()
		}
	}
	for {
		select {
		case <-ctx.Done():
			return nil
		case d := <-c.queue:
			var err error
			switch d.channel {
			case "email":
				err = c.sendMail(ctx, d.to, d.n)
			case "webhook":
				err = c.postWebhook(ctx, d.to, d.n)
			}
			if err != nil {
				c.sent.WithLabelValues(d.channel, "failed").Inc()
				c.cfg.Logger.Warn("notification not delivered", "channel", d.channel, "kind", d.n.Kind, "error", err)
				continue
			}
			c.sent.WithLabelValues(d.channel, "ok").Inc()
		}
	}
}
