package app

import (
	"context"
	"fmt"
	"net/url"
	"sync"
	"time"

	"github.com/agentpulse/agentpulse/schemas"
	"github.com/agentpulse/agentpulse/server/notify"
	"github.com/agentpulse/agentpulse/views"
)

// FrequentShare is the share of an agent's volume on a model (over the
// default 3 months) that makes an inquiry one they "handle often".
const FrequentShare = 0.2

// labelWatch notices an agent entering Needs work (AES label) on an
// inquiry they handle often, for their team leaders. Updates mark the
// agents they touch; check reads those agents' performance (the cached
// 3-month figures) and compares each frequent inquiry's label with the
// last one seen. The first look at an agent and inquiry only records its
// label, so a restart never tells of an old state.
type labelWatch struct {
	mu      sync.Mutex
	pending map[[3]string]struct{}    // tenant, model, agent
	last    map[[4]string]views.Label // tenant, model, agent, inquiry
}

func newLabelWatch() *labelWatch {
	return &labelWatch{pending: map[[3]string]struct{}{}, last: map[[4]string]views.Label{}}
}

// touch marks the update's agent for the next check.
func (w *labelWatch) touch(_ context.Context, u schemas.Update) {
	if u.Agent == "" {
		return
	}
	w.mu.Lock()
	w.pending[[3]string{u.Tenant, u.Model, u.Agent}] = struct{}{}
	w.mu.Unlock()
}

// drain returns the marked agents and clears the marks.
func (w *labelWatch) drain() [][3]string {
	w.mu.Lock()
	defer w.mu.Unlock()
	out := make([][3]string, 0, len(w.pending))
	for k := range w.pending {
		out = append(out, k)
	}
	clear(w.pending)
	return out
}

// remark marks agents again (not reached by a check).
func (w *labelWatch) remark(ks [][3]string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	for _, k := range ks {
		w.pending[k] = struct{}{}
	}
}

// entered records label for the key and reports whether it is a move
// into Needs work from a label seen before.
func (w *labelWatch) entered(k [4]string, label views.Label) bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	prev, seen := w.last[k]
	w.last[k] = label
	return seen && prev != views.LabelNeedsWork && label == views.LabelNeedsWork
}

// watchLabels checks the marked agents every interval until ctx ends.
func (s *Server) watchLabels(ctx context.Context, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			// At most half the interval of work per tick: the agents not
			// reached stay marked for the next one.
			budget := time.Now().Add(every / 2)
			todo := s.labels.drain()
			for i, k := range todo {
				if time.Now().After(budget) {
					s.labels.remark(todo[i:])
					break
				}
				if err := s.checkLabels(ctx, k[0], k[1], k[2]); err != nil && ctx.Err() == nil {
					s.log.Debug("needs-work check", "tenant", k[0], "agent", k[2], "error", err)
				}
			}
		}
	}
}

// checkLabels compares one agent's frequent inquiries' AES labels with
// the last seen and notifies their team of each entry into Needs work.
func (s *Server) checkLabels(ctx context.Context, tenant, model, agent string) error {
	perf, err := s.views.AgentPerformance(ctx, tenant, agent, model, views.RangeSpec{}, views.SortSpec{})
	if err != nil {
		return err
	}
	team, _, err := s.views.TeamOf(ctx, tenant, agent)
	if err != nil {
		return err
	}
	for _, in := range perf.Inquiries {
		if in.AES.Label == nil || float64(in.Volume) < FrequentShare*float64(perf.Overall.Volume) {
			continue
		}
		if !s.labels.entered([4]string{tenant, model, agent, in.Inquiry}, *in.AES.Label) || team == "" {
			continue
		}
		// Keyed by day: several servers tell one entry once, a new entry
		// on a later day is told again.
		s.notify.Notify(ctx, tenant, notify.Notification{Kind: notify.KindNeedsWork, Audience: notify.Audience{Team: team},
			Key:   fmt.Sprintf("needs_work/%s/%s/%s/%s", model, agent, in.Inquiry, time.Now().UTC().Format(time.DateOnly)),
			Link:  fmt.Sprintf("#/agent/%s/inquiry/%s?model=%s", url.PathEscape(agent), url.PathEscape(in.Inquiry), url.QueryEscape(model)),
			Title: fmt.Sprintf("%s is in Needs work on %s", s.names.person(tenant, agent), s.names.inquiry(tenant, in.Inquiry)),
			Body: fmt.Sprintf("%s's AES on %s (%s), an inquiry that is %d of their %d interactions over 3 months, is now in the bottom quarter of agents.",
				s.names.person(tenant, agent), s.names.inquiry(tenant, in.Inquiry), s.names.model(tenant, model), in.Volume, perf.Overall.Volume)})
	}
	return nil
}
