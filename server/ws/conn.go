package ws

import (
	"context"
	"errors"
	"net"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gorilla/websocket"

	"github.com/agentpulse/agentpulse/auth"
)

// conn is one client connection. Its reader goroutine (serve) handles
// client messages; its one writer goroutine (writeLoop) owns every data
// write. Publishers append encoded frames to the outbound queue, bounded
// in bytes, and never block on the client.
type conn struct {
	hub *Hub
	ws  *websocket.Conn
	// token is what the connection was opened with: every
	// re-authorization verifies it again (a roster may have changed what
	// it grants). claims are what it grants now (tenant and expiry never
	// change).
	token  string
	claims atomic.Pointer[auth.Claims]

	wake   chan struct{} // cap 1: the queue or closing changed
	doneRd chan struct{} // closed when the reader returns

	// The subscribe rate bucket (allowSubscribe), the reader's alone.
	tokens float64
	rateAt time.Time

	mu         sync.Mutex
	queue      []queued
	queueBytes int
	closing    *Disconnect // set once: the writer sends it and stops
	closed     bool        // no more deliveries
	subs       map[string]*subscription
}

// queued is one frame waiting for the writer.
type queued struct {
	frame []byte
	typ   string
}

// subscription is one channel held by one connection.
type subscription struct {
	conn *conn
	ch   *channel
	// parsed is the channel as the client named it, for re-authorizing.
	parsed Channel
	// ready is false while the snapshot is built: messages published
	// meanwhile wait in pending and follow the snapshot. Guarded by
	// conn.mu.
	ready   bool
	pending []*message
}

func newConn(h *Hub, ws *websocket.Conn, c auth.Claims, token string) *conn {
	cn := &conn{hub: h, ws: ws, token: token, wake: make(chan struct{}, 1), doneRd: make(chan struct{}),
		subs: map[string]*subscription{}}
	cn.claims.Store(&c)
	return cn
}

// who returns what the connection's token grants now.
func (c *conn) who() auth.Claims { return *c.claims.Load() }

func (c *conn) signal() {
	select {
	case c.wake <- struct{}{}:
	default:
	}
}

// enqueueLocked appends a frame, or closes a client whose queue would
// pass MaxQueueBytes. Called with c.mu held.
func (c *conn) enqueueLocked(frame []byte, typ string) {
	if c.closed || c.closing != nil {
		return
	}
	if c.queueBytes+len(frame) > c.hub.cfg.MaxQueueBytes {
		c.hub.metrics.limitReached.WithLabelValues("queue_bytes").Inc()
		c.closeLocked(DisconnectSlow)
		return
	}
	c.queue = append(c.queue, queued{frame, typ})
	c.queueBytes += len(frame)
	c.hub.metrics.queueBytes.Add(float64(len(frame)))
	c.signal()
}

// send queues a frame of the connection's own (error, ack).
func (c *conn) send(frame []byte, typ string) {
	c.mu.Lock()
	c.enqueueLocked(frame, typ)
	c.mu.Unlock()
}

// deliver hands a published message to s. Called with s.ch.mu held.
func (c *conn) deliver(s *subscription, m *message) {
	if !m.visibleTo(c.claims.Load()) {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if !s.ready {
		s.pending = append(s.pending, m)
		return
	}
	c.enqueueLocked(m.frame, m.typ)
}

// close asks the writer to send d and end the connection; the first
// reason wins.
func (c *conn) close(d Disconnect) {
	c.mu.Lock()
	c.closeLocked(d)
	c.mu.Unlock()
}

func (c *conn) closeLocked(d Disconnect) {
	if c.closing != nil || c.closed {
		return
	}
	c.closing = &d
	c.hub.metrics.disconnects.WithLabelValues(reasonLabel(d)).Inc()
	c.signal()
}

// reasonLabel is the metrics label of d.
func reasonLabel(d Disconnect) string {
	switch d {
	case DisconnectShutdown:
		return "shutdown"
	case DisconnectSlow:
		return "slow"
	case DisconnectWriteTimeout:
		return "write_timeout"
	case DisconnectNoPong:
		return "no_pong"
	case DisconnectTokenExpired:
		return "token_expired"
	case DisconnectMessageTooBig:
		return "too_big"
	case DisconnectBadClient:
		return "bad_client"
	case DisconnectAccessRevoked:
		return "access_revoked"
	}
	return "other"
}

// writeLoop is the connection's only writer of data frames: it drains the
// queue, pings every PingInterval, closes at token expiry, and sends the
// close frame of a Disconnect. It returns when the connection is done and
// closes the socket, which ends the reader.
func (c *conn) writeLoop() {
	cfg := &c.hub.cfg
	ping := time.NewTicker(cfg.PingInterval)
	defer ping.Stop()
	var expiry <-chan time.Time
	if exp := c.who().ExpiresAt; !exp.IsZero() {
		t := time.NewTimer(time.Until(exp))
		defer t.Stop()
		expiry = t.C
	}
	defer c.finishWrites()
	var batch []queued
	for {
		select {
		case <-c.wake:
		case <-ping.C:
			if err := c.ws.WriteControl(websocket.PingMessage, nil, time.Now().Add(cfg.WriteTimeout)); err != nil {
				c.writeFailed(err)
				return
			}
			continue
		case <-expiry:
			c.close(DisconnectTokenExpired)
		case <-c.doneRd:
			c.mu.Lock()
			closing := c.closing
			c.mu.Unlock()
			if closing != nil {
				c.sendClose(*closing)
			}
			return
		}
		c.mu.Lock()
		batch, c.queue = c.queue, batch[:0]
		closing := c.closing
		c.mu.Unlock()
		if closing != nil {
			c.dropQueued(batch)
			c.sendClose(*closing)
			return
		}
		for i, q := range batch {
			if err := c.write(q); err != nil {
				c.dropQueued(batch[i:])
				c.writeFailed(err)
				return
			}
			c.mu.Lock()
			c.queueBytes -= len(q.frame)
			closing = c.closing
			c.mu.Unlock()
			c.hub.metrics.queueBytes.Sub(float64(len(q.frame)))
			if closing != nil {
				c.dropQueued(batch[i+1:])
				c.sendClose(*closing)
				return
			}
		}
		clear(batch)
	}
}

// sendClose writes d's close frame. It waits up to WriteTimeout: a slow
// client that drains its socket meanwhile still learns why it was closed.
func (c *conn) sendClose(d Disconnect) {
	_ = c.ws.WriteControl(websocket.CloseMessage, d.closeFrame(), time.Now().Add(c.hub.cfg.WriteTimeout))
}

func (c *conn) write(q queued) error {
	if err := c.ws.SetWriteDeadline(time.Now().Add(c.hub.cfg.WriteTimeout)); err != nil {
		return err
	}
	if err := c.ws.WriteMessage(websocket.TextMessage, q.frame); err != nil {
		return err
	}
	c.hub.metrics.sent.WithLabelValues(q.typ).Inc()
	c.hub.metrics.sentBytes.Add(float64(len(q.frame)))
	return nil
}

// writeFailed records why the writer stopped.
func (c *conn) writeFailed(err error) {
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		c.close(DisconnectWriteTimeout)
		return
	}
	c.mu.Lock()
	if c.closing == nil {
		c.hub.metrics.disconnects.WithLabelValues("write_error").Inc()
	}
	c.closed = true
	c.mu.Unlock()
}

// dropQueued forgets frames that will never be written.
func (c *conn) dropQueued(qs []queued) {
	n := 0
	for _, q := range qs {
		n += len(q.frame)
	}
	c.mu.Lock()
	c.queueBytes -= n
	c.mu.Unlock()
	c.hub.metrics.queueBytes.Sub(float64(n))
}

// finishWrites marks the connection closed, releases what is still
// queued and closes the socket.
func (c *conn) finishWrites() {
	c.mu.Lock()
	c.closed = true
	n := c.queueBytes
	c.queue, c.queueBytes = nil, 0
	c.mu.Unlock()
	c.hub.metrics.queueBytes.Sub(float64(n))
	_ = c.ws.Close()
}

// readLoop reads client messages until the connection ends. Each message
// is handled in turn (a subscription's snapshot is built before the next
// message is read).
func (c *conn) readLoop(ctx context.Context) {
	defer close(c.doneRd)
	cfg := &c.hub.cfg
	c.ws.SetReadLimit(cfg.ReadLimit)
	_ = c.ws.SetReadDeadline(time.Now().Add(cfg.PongWait))
	c.ws.SetPongHandler(func(string) error { return c.ws.SetReadDeadline(time.Now().Add(cfg.PongWait)) })
	bad := 0
	for {
		typ, b, err := c.ws.ReadMessage()
		if err != nil {
			c.readFailed(err)
			return
		}
		_ = c.ws.SetReadDeadline(time.Now().Add(cfg.PongWait))
		var perr *ProtocolError
		if typ != websocket.TextMessage {
			perr = badMessage("", "binary messages are not part of the protocol; send JSON text")
		} else {
			perr = c.handle(ctx, b)
		}
		if perr == nil {
			bad = 0
			continue
		}
		c.hub.metrics.clientErrors.WithLabelValues(perr.Code).Inc()
		c.send(encodeError(perr), "error")
		if perr.Code == ErrCodeBadMessage || perr.Code == ErrCodeUnknownOp || perr.Code == ErrCodeBadChannel {
			if bad++; bad >= cfg.MaxBadMessages {
				c.close(DisconnectBadClient)
			}
		}
	}
}

// readFailed records why the reader stopped.
func (c *conn) readFailed(err error) {
	var ne net.Error
	switch {
	case errors.Is(err, websocket.ErrReadLimit):
		c.hub.metrics.limitReached.WithLabelValues("read_bytes").Inc()
		c.hub.metrics.disconnects.WithLabelValues(reasonLabel(DisconnectMessageTooBig)).Inc()
		c.mu.Lock()
		c.closed = true // gorilla/websocket has sent 1009
		c.mu.Unlock()
	case errors.As(err, &ne) && ne.Timeout():
		c.close(DisconnectNoPong)
	default:
		c.mu.Lock()
		if c.closing == nil && !c.closed {
			c.hub.metrics.disconnects.WithLabelValues("client").Inc()
		}
		c.closed = true
		c.mu.Unlock()
	}
}
