package storeview

import (
	"context"
	"fmt"
	"time"

	"github.com/agentpulse/agentpulse/processor/store"
	"github.com/agentpulse/agentpulse/views"
)

// slide moves the presets' end from mc.to to to (at most maxSlide later):
// per preset, the hours that leave the range are read from the store and
// subtracted from the sealed cells, hours that enter at the start (a
// calendar preset's start may move back) are read and added, the hot
// hours that become sealed are merged from the hot parts, and every
// group is rebuilt from the cells.
func (mc *modelCache) slide(ctx context.Context, to time.Time) error {
	oldHot := mc.hotFrom
	newHot := to.Add(-mc.c.hotSpan())
	var olds, news [4]views.Range
	for i, p := range mc.presets {
		olds[i], news[i] = p.rng, presetRange(i, to)
	}
	mc.ready = false
	mc.to, mc.hotFrom = to, newHot // sealed-hour updates from now on mark agents dirty
	mc.mu.Unlock()
	var leave, enter [4][]store.Bucket
	var err error
	for i := range presets {
		o, n := olds[i], news[i]
		if n.From.After(o.From) {
			leave[i], err = mc.readHours(ctx, o.From, n.From)
		} else if n.From.Before(o.From) {
			enter[i], err = mc.readHours(ctx, n.From, o.From)
		}
		if err != nil {
			break
		}
	}
	mc.mu.Lock()
	if err != nil {
		return err
	}
	lo, hi := oldHot.Unix(), newHot.Unix()
	params := mc.c.v.params
	for i, p := range mc.presets {
		for _, b := range leave[i] {
			if c := p.sealed[b.Agent]; c != nil {
				c.sub(cellKey{b.Inquiry, b.Team}, b.Sums)
				if len(c) == 0 {
					delete(p.sealed, b.Agent)
				}
			}
		}
		for _, b := range enter[i] {
			p.sealedCells(b.Agent).add(cellKey{b.Inquiry, b.Team}, b.Sums)
		}
		from := news[i].From.Unix()
		for agent, parts := range mc.hot {
			for pk, hp := range parts {
				if pk.hour >= lo && pk.hour < hi && pk.hour >= from && hp.sums.Volume != 0 {
					p.sealedCells(agent).add(cellKey{pk.inquiry, pk.team}, hp.sums)
				}
			}
		}
		p.rng = news[i]
	}
	mc.dropHotBefore(newHot)
	for _, p := range mc.presets {
		p.rebuild(mc.hot, newHot, params)
		p.rebuildTeams(mc.teamOf)
	}
	mc.ready = true
	mc.c.metrics.slides.Inc()
	return nil
}

func (p *presetAgg) sealedCells(agent string) cells {
	c := p.sealed[agent]
	if c == nil {
		c = cells{}
		p.sealed[agent] = c
	}
	return c
}

func (mc *modelCache) readHours(ctx context.Context, from, to time.Time) ([]store.Bucket, error) {
	var out []store.Bucket
	q := store.BucketQuery{Tenant: mc.tenant, Model: mc.model, From: from, To: to}
	err := mc.c.v.r.Buckets(ctx, q, func(b store.Bucket) error {
		out = append(out, b)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("read buckets %s..%s: %w", from.Format(time.RFC3339), to.Format(time.RFC3339), err)
	}
	return out, nil
}

// reread reads the sealed hours of every dirty agent again and replaces
// their sealed cells.
func (mc *modelCache) reread(ctx context.Context) error {
	agents := make([]string, 0, len(mc.dirty))
	for a := range mc.dirty {
		agents = append(agents, a)
	}
	clear(mc.dirty)
	hotFrom := mc.hotFrom
	var rngs [4]views.Range
	for i, p := range mc.presets {
		rngs[i] = p.rng
	}
	mc.mu.Unlock()
	read := make([][4]cells, len(agents))
	var err error
	for ai, agent := range agents {
		q := store.SumQuery{Tenant: mc.tenant, Model: mc.model, Agent: agent, To: hotFrom, Starts: make([]time.Time, len(rngs))}
		for i := range rngs {
			q.Starts[i] = rngs[i].From
		}
		err = mc.c.v.sumCells(ctx, q, func(cs store.CellSums) error {
			for i := range rngs {
				if cs.Sums[i].Volume == 0 {
					continue
				}
				if read[ai][i] == nil {
					read[ai][i] = cells{}
				}
				read[ai][i].add(cellKey{cs.Inquiry, cs.Team}, cs.Sums[i])
			}
			return nil
		})
		if err != nil {
			break
		}
	}
	mc.mu.Lock()
	if err != nil {
		for _, a := range agents {
			mc.dirty[a] = true
		}
		return fmt.Errorf("read buckets of dirty agents: %w", err)
	}
	params := mc.c.v.params
	for ai, agent := range agents {
		for i, p := range mc.presets {
			if c := read[ai][i]; len(c) > 0 {
				p.sealed[agent] = c
			} else {
				delete(p.sealed, agent)
			}
			p.setAgent(agent, p.curCells(agent, mc.hot[agent], hotFrom), params, mc.teamOf)
		}
	}
	mc.c.metrics.rereads.Add(float64(len(agents)))
	return nil
}

func minTime(a, b time.Time) time.Time {
	if b.Before(a) {
		return b
	}
	return a
}
