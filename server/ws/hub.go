package ws

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/gorilla/websocket"

	"github.com/agentpulse/agentpulse/auth"
)

// Path is where Routes mounts the websocket endpoint.
const Path = "/v1/ws"

// Publisher publishes a message on a tenant's channel: every subscriber of
// that channel in that tenant receives it (in publish order), and it is
// kept in the channel's history for resumes. channel is kind:id
// (agent:a1, plan:p1, team:t1, wallboard:voice); typ is the message type
// (score, plan); data is encoded with encoding/json (json.RawMessage is
// used as is). Publish never blocks on clients and is safe for concurrent
// use; a channel nobody subscribes to (and whose history has expired)
// drops the message.
type Publisher interface {
	Publish(tenant, channel, typ string, data any)
}

var _ Publisher = (*Hub)(nil)

// Hub serves GET /v1/ws and fans published messages out to subscribers.
// Build it with New, mount it with Routes, run it with Run.
type Hub struct {
	cfg      Config
	metrics  *metrics
	upgrader websocket.Upgrader
	log      *slog.Logger

	// kick asks Run for a re-authorization pass now (Reauthorize);
	// again says one was asked for since the running pass began.
	kick  chan struct{}
	again atomic.Bool

	mu       sync.Mutex
	channels map[string]*channel
	conns    map[*conn]struct{}
	stopped  bool
	wg       sync.WaitGroup // one per connection
}

// New returns a hub over cfg; ErrConfig when a required field is missing.
func New(cfg Config) (*Hub, error) {
	if cfg.Verifier == nil || cfg.Authorize == nil || cfg.Snapshot == nil {
		return nil, ErrConfig
	}
	cfg = cfg.withDefaults()
	h := &Hub{cfg: cfg, metrics: newMetrics(cfg.Registerer), log: cfg.Logger.With("component", "ws"),
		channels: map[string]*channel{}, conns: map[*conn]struct{}{}, kick: make(chan struct{}, 1)}
	h.upgrader = websocket.Upgrader{
		ReadBufferSize:  1024,
		WriteBufferSize: 4096,
		// ServeHTTP checks the origin before upgrading, with JSON errors.
		CheckOrigin:       func(*http.Request) bool { return true },
		EnableCompression: false,
	}
	h.metrics.queueCapacity.Set(float64(cfg.MaxQueueBytes))
	return h, nil
}

// Routes mounts GET /v1/ws on r.
func (h *Hub) Routes(r chi.Router) { r.Get(Path, h.ServeHTTP) }

// ServeHTTP authenticates, checks the origin and upgrades. Refusals come
// before the upgrade, as JSON errors: 401 for a missing or bad token, 403
// for a role that may not connect or a foreign origin, 503 past
// MaxConnections or while shutting down.
func (h *Hub) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	c, status, field, err := auth.AuthenticateWebsocket(h.cfg.Verifier, r, h.cfg.Roles...)
	if err != nil {
		if status == http.StatusUnauthorized {
			w.Header().Set("WWW-Authenticate", `Bearer realm="agentpulse"`)
			h.metrics.upgrades.WithLabelValues("unauthorized").Inc()
		} else {
			h.metrics.upgrades.WithLabelValues("forbidden").Inc()
		}
		auth.WriteError(w, status, err.Error(), field)
		return
	}
	if !h.originAllowed(r) {
		h.metrics.upgrades.WithLabelValues("origin").Inc()
		auth.WriteError(w, http.StatusForbidden, "origin "+clip(r.Header.Get("Origin"))+" may not open a websocket here (--ws-allowed-origins)", "Origin")
		return
	}
	if !websocket.IsWebSocketUpgrade(r) {
		h.metrics.upgrades.WithLabelValues("failed").Inc()
		auth.WriteError(w, http.StatusBadRequest, "not a websocket upgrade request (Connection: Upgrade, Upgrade: websocket)", "Upgrade")
		return
	}
	h.mu.Lock()
	full := len(h.conns) >= h.cfg.MaxConnections
	if h.stopped || full {
		h.mu.Unlock()
		if full {
			h.metrics.limitReached.WithLabelValues("connections").Inc()
		}
		h.metrics.upgrades.WithLabelValues("limit").Inc()
		w.Header().Set("Retry-After", "5")
		auth.WriteError(w, http.StatusServiceUnavailable, "too many websocket connections on this server or it is shutting down; retry (another server, or later)", "")
		return
	}
	h.wg.Add(1)
	h.mu.Unlock()
	defer h.wg.Done()
	wsc, err := h.upgrader.Upgrade(w, r, nil)
	if err != nil {
		h.metrics.upgrades.WithLabelValues("failed").Inc()
		return // the upgrader has answered
	}
	h.metrics.upgrades.WithLabelValues("ok").Inc()
	cn := newConn(h, wsc, c, auth.WebsocketToken(r))
	h.mu.Lock()
	if h.stopped {
		h.mu.Unlock()
		_ = wsc.WriteControl(websocket.CloseMessage, DisconnectShutdown.closeFrame(), time.Now().Add(time.Second))
		_ = wsc.Close()
		return
	}
	h.conns[cn] = struct{}{}
	h.mu.Unlock()
	h.metrics.connections.Inc()
	h.log.Debug("websocket connected", "tenant", c.Tenant, "sub", c.Subject, "role", c.Role)

	ctx, cancel := context.WithCancel(context.WithoutCancel(r.Context()))
	done := make(chan struct{})
	go func() {
		defer close(done)
		cn.writeLoop()
	}()
	cn.readLoop(ctx)
	cancel()
	<-done
	h.drop(cn)
}

// originAllowed applies the origin check: no Origin header (not a
// browser), the request's own host with a scheme at least as strong (an
// https server, reached over TLS or behind a proxy saying
// X-Forwarded-Proto: https, admits only https pages), or an entry of
// AllowedOrigins (scheme, host and port).
func (h *Hub) originAllowed(r *http.Request) bool {
	o := r.Header.Get("Origin")
	if o == "" {
		return true
	}
	u, err := url.Parse(o)
	if err != nil || u.Host == "" {
		return false
	}
	secure := r.TLS != nil || strings.EqualFold(strings.TrimSpace(strings.Split(r.Header.Get("X-Forwarded-Proto"), ",")[0]), "https")
	sameScheme := strings.EqualFold(u.Scheme, "https") || (strings.EqualFold(u.Scheme, "http") && !secure)
	if sameScheme && strings.EqualFold(u.Host, r.Host) {
		return true
	}
	for _, a := range h.cfg.AllowedOrigins {
		if a == "*" || strings.EqualFold(strings.TrimSuffix(a, "/"), o) {
			return true
		}
	}
	return false
}

// drop forgets an ended connection and its subscriptions.
func (h *Hub) drop(c *conn) {
	c.mu.Lock()
	subs := make([]*subscription, 0, len(c.subs))
	for _, s := range c.subs {
		subs = append(subs, s)
	}
	clear(c.subs)
	c.mu.Unlock()
	for _, s := range subs {
		h.removeSub(s)
	}
	h.mu.Lock()
	delete(h.conns, c)
	h.mu.Unlock()
	h.metrics.connections.Dec()
}

// Reauthorize asks for a re-authorization pass now, as every
// ReauthorizeInterval: every connection's token is verified again (a
// roster change may have changed its role or teams, or refuse it) and
// every subscription authorized with what it grants now. It never blocks;
// asks while a pass runs make one more pass after it.
func (h *Hub) Reauthorize() {
	select {
	case h.kick <- struct{}{}:
	default:
	}
}

// Publish implements Publisher.
func (h *Hub) Publish(tenant, channel, typ string, data any) {
	raw, err := marshalData(data)
	if err != nil {
		h.log.Error("encode published data", "channel", channel, "type", typ, "err", err)
		return
	}
	h.publish(tenant, channel, typ, raw, nil)
}

// publish sends raw on the tenant's channel; teams, when not nil, limits
// which supervisors see it (see message.teams).
func (h *Hub) publish(tenant, name, typ string, raw []byte, teams []string) {
	key := tenant + "\x00" + name
	h.mu.Lock()
	ch := h.channels[key]
	h.mu.Unlock()
	if ch == nil {
		return
	}
	ch.mu.Lock()
	defer ch.mu.Unlock()
	ch.seq++
	m := &message{seq: ch.seq, typ: typ, teams: teams,
		frame: appendFrame(make([]byte, 0, len(raw)+len(name)+64), name, ch.epoch, ch.seq, typ, raw)}
	ch.history.push(m)
	h.metrics.published.WithLabelValues(typ).Inc()
	for s := range ch.subs {
		s.conn.deliver(s, m)
	}
}

// Run sweeps expired channel histories until ctx ends, then closes every
// connection with DisconnectShutdown and waits for them (at most
// WriteTimeout plus a second). It returns nil.
func (h *Hub) Run(ctx context.Context) error {
	t := time.NewTicker(max(h.cfg.HistoryTTL/4, 100*time.Millisecond))
	defer t.Stop()
	re := time.NewTicker(h.cfg.ReauthorizeInterval)
	defer re.Stop()
	reauthorizing := make(chan struct{}, 1) // one pass at a time
	// pass runs passes while Reauthorize asked for one since the last
	// began; the caller holds reauthorizing, which the goroutine gives
	// back (checking once more after, so a kick is never lost).
	pass := func() {
		go func() {
			for {
				h.again.Store(false)
				h.reauthorize(ctx)
				<-reauthorizing
				if !h.again.Load() || ctx.Err() != nil {
					return
				}
				select {
				case reauthorizing <- struct{}{}:
				default: // a kick started the next pass itself
					return
				}
			}
		}()
	}
	for {
		select {
		case <-re.C:
			select {
			case reauthorizing <- struct{}{}:
				pass()
			default: // the previous pass is still running
			}
		case <-h.kick:
			h.again.Store(true)
			select {
			case reauthorizing <- struct{}{}:
				pass()
			default: // the running pass goes again when it ends
			}
		case <-t.C:
			h.sweep(time.Now())
		case <-ctx.Done():
			h.shutdown()
			return nil
		}
	}
}

// sweep drops channels without subscribers for longer than HistoryTTL.
func (h *Hub) sweep(now time.Time) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for k, ch := range h.channels {
		ch.mu.Lock()
		if len(ch.subs) == 0 && now.Sub(ch.idle) >= h.cfg.HistoryTTL {
			delete(h.channels, k)
			h.metrics.channels.Dec()
		}
		ch.mu.Unlock()
	}
}

func (h *Hub) shutdown() {
	h.mu.Lock()
	h.stopped = true
	conns := make([]*conn, 0, len(h.conns))
	for c := range h.conns {
		conns = append(conns, c)
	}
	h.mu.Unlock()
	h.log.Info("websocket hub stopping", "connections", len(conns))
	for _, c := range conns {
		c.close(DisconnectShutdown)
	}
	done := make(chan struct{})
	go func() {
		h.wg.Wait()
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(h.cfg.WriteTimeout + time.Second):
		h.log.Warn("websocket hub stopped with connections still closing")
	}
}

// Stats are counts for tests and the lead's status output.
type Stats struct {
	Connections, Channels, Subscriptions int
}

// Stats returns the hub's current counts.
func (h *Hub) Stats() Stats {
	h.mu.Lock()
	defer h.mu.Unlock()
	s := Stats{Connections: len(h.conns), Channels: len(h.channels)}
	for _, ch := range h.channels {
		ch.mu.Lock()
		s.Subscriptions += len(ch.subs)
		ch.mu.Unlock()
	}
	return s
}

// ackFrame encodes {"op":"unsubscribed","channel":…}.
func ackFrame(channel string) []byte {
	b, _ := json.Marshal(ackMessage{Op: "unsubscribed", Channel: channel})
	return b
}
