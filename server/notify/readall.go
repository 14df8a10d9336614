package notify

import (
	"context"
	"net/http"

	"github.com/agentpulse/agentpulse/auth"
)

// readAll says a subject read every notification of IDs (one record for
// "mark all read", however many it marks).
type readAll struct {
	IDs     []string `json:"ids"`
	Subject string   `json:"subject"`
}

// MarkAllRead marks read every notification the caller has unread now
// (a notification raised after it is unread) and returns how many. The
// marks go on the broker first when there is one, as one record: its
// refusal is returned and nothing is marked.
func (c *Center) MarkAllRead(ctx context.Context, cl auth.Claims) (int, error) {
	list, _ := c.List(cl)
	mark := readAll{Subject: cl.Subject}
	for _, n := range list {
		if !n.Read {
			mark.IDs = append(mark.IDs, n.ID)
		}
	}
	if len(mark.IDs) == 0 {
		return 0, nil
	}
	if c.log != nil {
		if err := c.appendRecord(ctx, c.log, cl.Tenant, record{Tenant: cl.Tenant, ReadAll: &mark}); err != nil {
			return 0, err
		}
	}
	c.markAllRead(cl.Tenant, mark)
	return len(mark.IDs), nil
}

// markAllRead keeps the marks of mark (ids no longer kept: nothing).
func (c *Center) markAllRead(tenant string, mark readAll) {
	for _, id := range mark.IDs {
		c.markRead(tenant, readMark{ID: id, Subject: mark.Subject})
	}
}

func (c *Center) handleReadAll(w http.ResponseWriter, r *http.Request) {
	n, err := c.MarkAllRead(r.Context(), claims(r))
	if err != nil {
		c.unavailable(w, "the read marks", err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]int{"marked": n, "unread": 0})
}
