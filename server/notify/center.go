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

	"github.com/agentpulse/agentpulse/auth"
)

// Publisher pushes a message to a websocket channel of a tenant (the hub).
type Publisher interface {
	Publish(tenant, channel, typ string, data any)
}

// Defaults of Config.
const (
	DefaultMaxPerTenant = 1000
	DefaultQueueSize    = 256
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
	// MaxPerTenant bounds the notifications kept per tenant.
	MaxPerTenant int
	// QueueSize bounds deliveries waiting for Run's worker.
	QueueSize int
	Now       func() time.Time
	Logger    *slog.Logger
}

// ErrNotFound is a notification id the caller may not see.
var ErrNotFound = errors.New("no such notification")

// Center keeps and delivers notifications. Build it with New and run its
// delivery worker with Run.
type Center struct {
	cfg   Config
	mu    sync.Mutex
	list  map[string][]Notification      // tenant → newest last
	read  map[string]map[string]struct{} // tenant\x00subject → ids read
	users map[string]map[string]*user    // tenant → subject → prefs
	queue chan delivery
	sent  *prometheus.CounterVec
}

// delivery is one e-mail or webhook to send.
type delivery struct {
	channel string // "email" | "webhook"
	to      string
	n       Notification
}

// New returns a Center over cfg.
func New(cfg Config) *Center {
	if cfg.HTTP == nil {
		cfg.HTTP = webhookClient(cfg.AllowPrivateWebhooks)
	}
	if cfg.MaxPerTenant <= 0 {
		cfg.MaxPerTenant = DefaultMaxPerTenant
	}
	if cfg.QueueSize <= 0 {
		cfg.QueueSize = DefaultQueueSize
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	return &Center{cfg: cfg, list: map[string][]Notification{}, read: map[string]map[string]struct{}{}, users: map[string]map[string]*user{},
		queue: make(chan delivery, cfg.QueueSize),
		sent: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "agentpulse_notifications_sent_total",
			Help: "Notification deliveries by channel (inapp, email, webhook) and result (ok, failed, dropped)."}, []string{"channel", "result"})}
}

// Collectors returns the Center's metrics for a registry.
func (c *Center) Collectors() []prometheus.Collector { return []prometheus.Collector{c.sent} }

// Notify records n for tenant (ID and At are set here), pushes it live
// and queues the e-mails and webhooks of every user in its audience who
// asked for its kind. It never blocks on delivery.
func (c *Center) Notify(tenant string, n Notification) Notification {
	n.ID, n.At, n.Read = newID(), c.cfg.Now().UTC(), false
	c.mu.Lock()
	l := append(c.list[tenant], n)
	if len(l) > c.cfg.MaxPerTenant {
		l = slices.Clone(l[len(l)-c.cfg.MaxPerTenant:])
	}
	c.list[tenant] = l
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
	if c.cfg.Publisher != nil {
		switch {
		case n.Audience.Team != "":
			c.cfg.Publisher.Publish(tenant, "team:"+n.Audience.Team, "notification", n)
		case n.Audience.Agent != "":
			c.cfg.Publisher.Publish(tenant, "agent:"+n.Audience.Agent, "notification", n)
		}
		c.sent.WithLabelValues("inapp", "ok").Inc()
	}
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

// List returns the notifications of the caller's tenant the caller is in
// the audience of, newest first, with their read marks, and how many are
// unread.
func (c *Center) List(cl auth.Claims) ([]Notification, int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	read := c.read[cl.Tenant+"\x00"+cl.Subject]
	out := []Notification{}
	unread := 0
	l := c.list[cl.Tenant]
	for i := len(l) - 1; i >= 0; i-- {
		n := l[i]
		if !n.Audience.Includes(cl.Role, cl.Subject, cl.Teams) {
			continue
		}
		_, n.Read = read[n.ID]
		if !n.Read {
			unread++
		}
		out = append(out, n)
	}
	return out, unread
}

// MarkRead marks the caller's notification id read.
func (c *Center) MarkRead(cl auth.Claims, id string) (Notification, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, n := range c.list[cl.Tenant] {
		if n.ID != id || !n.Audience.Includes(cl.Role, cl.Subject, cl.Teams) {
			continue
		}
		k := cl.Tenant + "\x00" + cl.Subject
		if c.read[k] == nil {
			c.read[k] = map[string]struct{}{}
		}
		c.read[k][id] = struct{}{}
		n.Read = true
		return n, nil
	}
	return Notification{}, ErrNotFound
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
// teams): e-mails and webhooks follow the audiences of those claims.
func (c *Center) SetPrefs(cl auth.Claims, p Prefs) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.users[cl.Tenant] == nil {
		c.users[cl.Tenant] = map[string]*user{}
	}
	c.users[cl.Tenant][cl.Subject] = &user{role: cl.Role, subject: cl.Subject, teams: slices.Clone(cl.Teams), prefs: p}
}

// Run sends queued e-mails and webhooks until ctx ends.
func (c *Center) Run(ctx context.Context) error {
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
