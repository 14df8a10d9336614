package ws

import (
	"context"
	"errors"
	"slices"
	"time"

	"github.com/agentpulse/agentpulse/auth"
)

// reauthorize verifies every connection's token again and asks the
// Authorizer again for every subscription, with what the token grants now
// (a roster may have changed its role or teams):
//   - a token now refused for another reason than its expiry (the roster
//     no longer admits the person: auth.ErrNotAllowed), or granting a role
//     that may not connect, closes the connection with
//     DisconnectAccessRevoked;
//   - a subscription the Authorizer now refuses (ErrForbidden or
//     ErrNotFound) is dropped, telling the client with an error naming the
//     channel. One it cannot decide on (the store failed) is kept.
//
// An expired token is left to the connection's own expiry timer
// (DisconnectTokenExpired).
func (h *Hub) reauthorize(ctx context.Context) {
	h.mu.Lock()
	conns := make([]*conn, 0, len(h.conns))
	for c := range h.conns {
		conns = append(conns, c)
	}
	h.mu.Unlock()
	for _, c := range conns {
		if ctx.Err() != nil {
			return
		}
		if !h.reverify(c) {
			continue
		}
		h.reauthorizeSubs(ctx, c)
	}
}

// reverify verifies c's token again and keeps what it grants now; false
// when the connection was closed for it.
func (h *Hub) reverify(c *conn) bool {
	old := c.who()
	if c.token == "" || (!old.ExpiresAt.IsZero() && !time.Now().Before(old.ExpiresAt)) {
		return true // expired: the expiry timer closes it with 4500
	}
	now, err := h.cfg.Verifier.Verify(c.token)
	switch {
	case errors.Is(err, auth.ErrExpired):
		return true // the expiry timer closes it
	case err != nil:
		h.log.Info("websocket closed: its token is no longer accepted", "tenant", old.Tenant, "sub", old.Subject, "err", err)
		h.metrics.reauthorized.Inc()
		c.close(DisconnectAccessRevoked)
		return false
	case now.Tenant != old.Tenant || now.Subject != old.Subject || !slices.Contains(h.cfg.Roles, now.Role):
		h.log.Info("websocket closed: its role may no longer connect", "tenant", old.Tenant, "sub", old.Subject, "role", now.Role)
		h.metrics.reauthorized.Inc()
		c.close(DisconnectAccessRevoked)
		return false
	}
	if now.Role != old.Role || !slices.Equal(now.Teams, old.Teams) {
		h.log.Info("websocket access changed", "tenant", old.Tenant, "sub", old.Subject, "role", now.Role, "teams", now.Teams)
		now.ExpiresAt = old.ExpiresAt
		c.claims.Store(&now)
	}
	return true
}

// reauthorizeSubs authorizes every subscription of c again.
func (h *Hub) reauthorizeSubs(ctx context.Context, c *conn) {
	c.mu.Lock()
	subs := make(map[string]*subscription, len(c.subs))
	for name, s := range c.subs {
		subs[name] = s
	}
	c.mu.Unlock()
	claims := c.who()
	for name, s := range subs {
		if ctx.Err() != nil {
			return
		}
		actx, cancel := context.WithTimeout(ctx, h.cfg.SnapshotTimeout)
		err := h.cfg.Authorize(actx, claims, s.parsed)
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
