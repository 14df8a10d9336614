package ws

import (
	"context"
	"errors"
)

// reauthorize asks the Authorizer again for every subscription of every
// connection and drops those it now refuses (ErrForbidden or ErrNotFound),
// telling the client with an error naming the channel. A subscription the
// Authorizer cannot decide on (the store failed) is kept.
func (h *Hub) reauthorize(ctx context.Context) {
	h.mu.Lock()
	conns := make([]*conn, 0, len(h.conns))
	for c := range h.conns {
		conns = append(conns, c)
	}
	h.mu.Unlock()
	for _, c := range conns {
		c.mu.Lock()
		subs := make(map[string]*subscription, len(c.subs))
		for name, s := range c.subs {
			subs[name] = s
		}
		c.mu.Unlock()
		for name, s := range subs {
			if ctx.Err() != nil {
				return
			}
			actx, cancel := context.WithTimeout(ctx, h.cfg.SnapshotTimeout)
			err := h.cfg.Authorize(actx, c.claims, s.parsed)
			cancel()
			if !errors.Is(err, ErrForbidden) && !errors.Is(err, ErrNotFound) {
				continue
			}
			c.mu.Lock()
			still := c.subs[name] == s
			c.mu.Unlock()
			if !still {
				continue
			}
			c.removeSubscription(name, s)
			h.metrics.reauthorized.Inc()
			c.send(encodeError(&ProtocolError{Code: ErrCodeForbidden, Channel: name,
				Message: "this token may no longer see " + name + " (its access changed); the subscription ended"}), "error")
		}
	}
}
