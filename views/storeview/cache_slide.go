package storeview

import (
	"context"
	"fmt"
	"maps"
	"time"

	"github.com/agentpulse/agentpulse/processor/store"
	"github.com/agentpulse/agentpulse/views"
)

// slide moves the presets' end from mc.to to to (any later hour: the
// hot parts hold every part from the old hotFrom on, future hours
// included, so nothing between the two ends is unknown): per preset, the sealed hours that leave the range are summed by
// the store (rollups, one query) and subtracted from the sealed cells, or
// the sealed cells are dropped when the new start passes the old hotFrom
// (every sealed hour left); hours that enter at the start (a calendar
// preset's start may move back) are summed and added; the hot hours that
// become sealed are merged from the hot parts, and every group is rebuilt
// from the cells.
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
	var leave, enter [4]map[string]cells
	var err error
	for i := range presets {
		o, n := olds[i], news[i]
		switch {
		case !n.From.Before(oldHot):
			// Every sealed hour leaves: reset below.
		case n.From.After(o.From):
			leave[i], err = mc.sumHours(ctx, o.From, n.From)
		case n.From.Before(o.From):
			enter[i], err = mc.sumHours(ctx, n.From, o.From)
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
		if !news[i].From.Before(oldHot) {
			p.sealed = map[string]cells{}
		}
		for agent, cs := range leave[i] {
			if c := p.sealed[agent]; c != nil {
				for k, s := range cs {
					c.sub(k, s)
				}
				if len(c) == 0 {
					delete(p.sealed, agent)
				}
			}
		}
		for agent, cs := range enter[i] {
			for k, s := range cs {
				p.sealedCells(agent).add(k, s)
			}
		}
		from := news[i].From.Unix()
		for agent, parts := range mc.hot {
			for pk, hp := range parts {
				if pk.hour >= lo && pk.hour < hi && pk.hour >= from && !hp.sums.Empty() {
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

// sumHours returns every agent's cells over [from, to), summed by the
// store (store.Summer: its rollups, hours only at the ragged ends).
func (mc *modelCache) sumHours(ctx context.Context, from, to time.Time) (map[string]cells, error) {
	out := map[string]cells{}
	q := store.SumQuery{Tenant: mc.tenant, Model: mc.model, To: to, Starts: []time.Time{from}}
	err := mc.c.v.sumCells(ctx, q, func(cs store.CellSums) error {
		if cs.Sums[0].Empty() {
			return nil
		}
		c := out[cs.Agent]
		if c == nil {
			c = cells{}
			out[cs.Agent] = c
		}
		c.add(cellKey{cs.Inquiry, cs.Team}, cs.Sums[0])
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("sum buckets %s..%s: %w", from.Format(time.RFC3339), to.Format(time.RFC3339), err)
	}
	return out, nil
}

// rereadLimit is how many dirty agents are re-read by their own key
// ranges (one query for all, store.SumQuery.Agents): CacheConfig.
// MaxAgentRereads, or half the entry's agents when more (a re-read then
// costs up to half a build), at most maxAgentList. More are re-read by
// one model-wide sum (the store's rollups, as a build's) of which only
// theirs are kept: still no rebuild.
func (mc *modelCache) rereadLimit() int {
	n := 0
	if p := mc.presets[0]; p != nil {
		n = len(p.cur)
	}
	return max(mc.c.cfg.MaxAgentRereads, min(n/2, maxAgentList))
}

// maxAgentList bounds the agents named in one query: ClickHouse bounds a
// query's text (max_query_size, 256 KiB by default), and 4,096 ids of
// ~14 bytes each are ~57 KB.
const maxAgentList = 4096

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

// reread reads the sealed hours of every dirty agent again, in one
// query, and replaces their sealed cells: a query of their key ranges up
// to rereadLimit agents, else a model-wide one keeping theirs. The hot
// parts, the other agents and the entry's readiness are untouched.
func (mc *modelCache) reread(ctx context.Context) error {
	agents := make([]string, 0, len(mc.dirty))
	for a := range mc.dirty {
		agents = append(agents, a)
	}
	var only map[string]bool // model-wide: the agents kept
	if len(agents) > mc.rereadLimit() {
		only = maps.Clone(mc.dirty)
	}
	clear(mc.dirty)
	hotFrom := mc.hotFrom
	var rngs [4]views.Range
	for i, p := range mc.presets {
		rngs[i] = p.rng
	}
	mc.mu.Unlock()
	read := make(map[string]*[4]cells, len(agents))
	// One query for every dirty agent (store.SumQuery.Agents), or for
	// the model when they are many.
	q := store.SumQuery{Tenant: mc.tenant, Model: mc.model, Agents: agents, To: hotFrom, Starts: make([]time.Time, len(rngs))}
	if only != nil {
		q.Agents = nil
	}
	for i := range rngs {
		q.Starts[i] = rngs[i].From
	}
	err := mc.c.v.sumCells(ctx, q, func(cs store.CellSums) error {
		if only != nil && !only[cs.Agent] {
			return nil
		}
		r := read[cs.Agent]
		if r == nil {
			r = new([4]cells)
			read[cs.Agent] = r
		}
		for i := range rngs {
			if cs.Sums[i].Empty() {
				continue
			}
			if r[i] == nil {
				r[i] = cells{}
			}
			r[i].add(cellKey{cs.Inquiry, cs.Team}, cs.Sums[i])
		}
		return nil
	})
	mc.mu.Lock()
	if err != nil {
		for _, a := range agents {
			mc.dirty[a] = true
		}
		return fmt.Errorf("read buckets of dirty agents: %w", err)
	}
	params := mc.c.v.params
	for _, agent := range agents {
		r := read[agent]
		if r == nil {
			r = new([4]cells)
		}
		for i, p := range mc.presets {
			if c := r[i]; len(c) > 0 {
				p.sealed[agent] = c
			} else {
				delete(p.sealed, agent)
			}
			p.setAgent(agent, p.curCells(agent, mc.hot[agent], hotFrom), params, mc.teamOf)
		}
	}
	mc.c.metrics.rereads.Add(float64(len(agents)))
	if only != nil {
		mc.c.metrics.wideRereads.Inc()
	}
	return nil
}

func minTime(a, b time.Time) time.Time {
	if b.Before(a) {
		return b
	}
	return a
}
