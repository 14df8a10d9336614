package ws

import "github.com/agentpulse/agentpulse/schemas"

// OpNames is the op of a tenant-wide message carrying display names that
// changed: {"op": "names", "data": {"people"|"teams"|"inquiries"|"models":
// {id: name}}}, "" for a removed name (GET /v1/names' shape, only what
// changed).
const OpNames = "names"

// PushTenant sends {"op": op, "data": data} to every open connection of
// the tenant, subscribed to anything or not: a message about the tenant
// as a whole, not a channel (no epoch, no seq, not replayed on resume: a
// client that reconnects reads the state again, e.g. GET /v1/names).
// data is encoded once with encoding/json (json.RawMessage as is), and
// not at all when the tenant has no connection here. Like
// Publish it never blocks on clients (a full queue closes the client
// with DisconnectSlow) and is safe for concurrent use.
func (h *Hub) PushTenant(tenant, op string, data any) {
	h.mu.Lock()
	var to []*conn
	for c := range h.conns {
		if c.who().Tenant == tenant {
			to = append(to, c)
		}
	}
	h.mu.Unlock()
	if len(to) == 0 {
		return // nobody to tell (a server replaying the roster at start)
	}
	raw, err := marshalData(data)
	if err != nil {
		h.log.Error("encode tenant message", "op", op, "err", err)
		return
	}
	frame := append([]byte(`{"op":`), schemas.AppendJSONString(nil, op)...)
	frame = append(append(append(frame, `,"data":`...), raw...), '}')
	h.metrics.published.WithLabelValues(op).Inc()
	for _, c := range to {
		c.send(frame, op)
	}
}
