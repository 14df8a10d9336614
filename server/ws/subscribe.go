package ws

import (
	"context"
	"errors"
	"time"
)

// handle decodes and runs one client message; a refusal is returned for
// the reader to send.
func (c *conn) handle(ctx context.Context, b []byte) *ProtocolError {
	m, ch, err := DecodeClientMessage(b)
	if err != nil {
		var perr *ProtocolError
		if errors.As(err, &perr) {
			return perr
		}
		return badMessage("", err.Error())
	}
	if m.Op == OpUnsubscribe {
		return c.unsubscribe(ch)
	}
	if !c.allowSubscribe(time.Now()) {
		c.hub.metrics.limitReached.WithLabelValues("subscribe_rate").Inc()
		return &ProtocolError{Code: ErrCodeRateLimited, Channel: ch.String(),
			Message: "too many subscribe messages on this connection (--ws-subscribe-rate per second); retry after a pause"}
	}
	return c.subscribe(ctx, m, ch)
}

// allowSubscribe takes a token of the connection's subscribe bucket:
// SubscribeRate per second, MaxSubscriptions at most. Called from the
// reader goroutine only.
func (c *conn) allowSubscribe(now time.Time) bool {
	cfg := &c.hub.cfg
	burst := float64(cfg.MaxSubscriptions)
	if c.rateAt.IsZero() {
		c.tokens = burst
	} else {
		c.tokens = min(burst, c.tokens+now.Sub(c.rateAt).Seconds()*cfg.SubscribeRate)
	}
	c.rateAt = now
	if c.tokens < 1 {
		return false
	}
	c.tokens--
	return true
}

// subscribe authorizes ch, then either replays the history after since
// (a resume whose epoch matches and whose messages are all still held) or
// sends a snapshot followed by whatever was published while it was built.
// Subscribing again to a held channel replaces the subscription.
func (c *conn) subscribe(ctx context.Context, m ClientMessage, ch Channel) *ProtocolError {
	h := c.hub
	name := ch.String()
	c.mu.Lock()
	old := c.subs[name]
	n := len(c.subs)
	c.mu.Unlock()
	if old != nil {
		c.removeSubscription(name, old)
	} else if n >= h.cfg.MaxSubscriptions {
		h.metrics.limitReached.WithLabelValues("subscriptions").Inc()
		return &ProtocolError{Code: ErrCodeTooManySubscriptions, Channel: name,
			Message: "this connection already holds the most subscriptions allowed (--ws-max-subscriptions); unsubscribe first"}
	}
	actx, cancel := context.WithTimeout(ctx, h.cfg.SnapshotTimeout)
	defer cancel()
	if err := h.cfg.Authorize(actx, c.who(), ch); err != nil {
		h.metrics.subscribes.WithLabelValues("error").Inc()
		return h.refusal(name, "authorize", err)
	}

	key := c.who().Tenant + "\x00" + name
	s := &subscription{conn: c, parsed: ch}
	h.mu.Lock()
	chs := h.channels[key]
	if chs == nil {
		if len(h.channels) >= h.cfg.MaxChannels && !h.dropIdleLocked() {
			h.mu.Unlock()
			h.metrics.limitReached.WithLabelValues("channels").Inc()
			h.metrics.subscribes.WithLabelValues("error").Inc()
			return &ProtocolError{Code: ErrCodeUnavailable, Channel: name,
				Message: "this server holds the most channels it may (--ws-max-channels); retry later"}
		}
		chs = newChannel(key, name, h.cfg.HistorySize)
		h.channels[key] = chs
		h.metrics.channels.Inc()
	}
	s.ch = chs
	chs.mu.Lock()
	h.mu.Unlock()
	var replay []*message
	resumed := false
	if m.Resume() && m.Epoch == chs.epoch {
		replay, resumed = chs.replay(*m.Since)
	}
	seq := chs.seq
	chs.subs[s] = struct{}{}
	chs.idle = time.Time{}
	c.mu.Lock()
	c.subs[name] = s
	if resumed {
		s.ready = true
		for _, msg := range replay {
			if msg.visibleTo(c.claims.Load()) {
				c.enqueueLocked(msg.frame, msg.typ)
			}
		}
	}
	c.mu.Unlock()
	chs.mu.Unlock()
	h.metrics.subscriptions.Inc()
	if resumed {
		h.metrics.subscribes.WithLabelValues("replay").Inc()
		return nil
	}

	began := time.Now()
	data, err := h.cfg.Snapshot(actx, c.who(), ch)
	h.metrics.snapshotSecs.Observe(time.Since(began).Seconds())
	var raw []byte
	if err == nil {
		raw, err = marshalData(data)
	}
	if err != nil {
		c.removeSubscription(name, s)
		h.metrics.subscribes.WithLabelValues("error").Inc()
		return h.refusal(name, "snapshot", err)
	}
	frame := appendFrame(make([]byte, 0, len(raw)+len(name)+64), name, chs.epoch, seq, TypeSnapshot, raw)
	c.mu.Lock()
	if c.subs[name] == s {
		c.enqueueLocked(frame, TypeSnapshot)
		for _, msg := range s.pending {
			c.enqueueLocked(msg.frame, msg.typ)
		}
		s.ready, s.pending = true, nil
	}
	c.mu.Unlock()
	h.metrics.subscribes.WithLabelValues("snapshot").Inc()
	return nil
}

// refusal maps an Authorizer or Snapshotter error to the client's error.
func (h *Hub) refusal(channel, stage string, err error) *ProtocolError {
	switch {
	case errors.Is(err, ErrForbidden):
		return &ProtocolError{Code: ErrCodeForbidden, Channel: channel, Message: "this token may not see " + channel}
	case errors.Is(err, ErrNotFound):
		return &ProtocolError{Code: ErrCodeNotFound, Channel: channel, Message: channel + " does not exist"}
	case errors.Is(err, ErrNotReady):
		return &ProtocolError{Code: ErrCodeUnavailable, Channel: channel, Message: err.Error()}
	}
	h.log.Warn("websocket subscription failed", "stage", stage, "channel_kind", channel[:max(0, indexColon(channel))], "err", err)
	return &ProtocolError{Code: ErrCodeUnavailable, Channel: channel, Message: "could not read the channel's state; retry later"}
}

func indexColon(s string) int {
	for i := 0; i < len(s); i++ {
		if s[i] == ':' {
			return i
		}
	}
	return len(s)
}

// unsubscribe drops the subscription to ch and acknowledges it.
func (c *conn) unsubscribe(ch Channel) *ProtocolError {
	name := ch.String()
	c.mu.Lock()
	s := c.subs[name]
	c.mu.Unlock()
	if s == nil {
		return &ProtocolError{Code: ErrCodeNotSubscribed, Channel: name, Message: "this connection is not subscribed to " + name}
	}
	c.removeSubscription(name, s)
	c.send(ackFrame(name), "unsubscribed")
	return nil
}

// removeSubscription forgets s on both sides.
func (c *conn) removeSubscription(name string, s *subscription) {
	c.mu.Lock()
	if c.subs[name] == s {
		delete(c.subs, name)
	}
	c.mu.Unlock()
	c.hub.removeSub(s)
}

// removeSub removes s from its channel; a channel left without
// subscribers starts its HistoryTTL, unless nothing was ever published on
// it: with nothing to resume it is dropped at once (so fresh names
// subscribed and unsubscribed do not pile up).
func (h *Hub) removeSub(s *subscription) {
	ch := s.ch
	ch.mu.Lock()
	empty := false
	if _, ok := ch.subs[s]; ok {
		delete(ch.subs, s)
		h.metrics.subscriptions.Dec()
		if len(ch.subs) == 0 {
			ch.idle = time.Now()
			empty = ch.seq == 0
		}
	}
	ch.mu.Unlock()
	if !empty {
		return
	}
	h.mu.Lock()
	ch.mu.Lock()
	if len(ch.subs) == 0 && ch.seq == 0 && h.channels[ch.key] == ch {
		delete(h.channels, ch.key)
		h.metrics.channels.Dec()
	}
	ch.mu.Unlock()
	h.mu.Unlock()
}

// dropIdleLocked drops every channel without subscribers (their resumes
// become snapshots) and reports whether that made room under
// MaxChannels. Called with h.mu held.
func (h *Hub) dropIdleLocked() bool {
	for k, ch := range h.channels {
		ch.mu.Lock()
		if len(ch.subs) == 0 {
			delete(h.channels, k)
			h.metrics.channels.Dec()
		}
		ch.mu.Unlock()
	}
	return len(h.channels) < h.cfg.MaxChannels
}
