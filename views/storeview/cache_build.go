package storeview

import (
	"context"
	"fmt"
	"time"

	"github.com/agentpulse/agentpulse/processor/store"
	"github.com/agentpulse/agentpulse/views"
)

// build reads every preset from the store (one scan from the widest
// range's start) and rebuilds them.
func (mc *modelCache) build(ctx context.Context, to time.Time) error {
	mc.ready = false
	mc.to, mc.hotFrom = to, to.Add(-mc.c.hotSpan())
	hotFrom := mc.hotFrom
	clear(mc.dirty) // the scan below reads them (updates reach the overlay first)
	var rngs [4]views.Range
	for i := range presets {
		rngs[i] = presetRange(i, to)
	}
	mc.mu.Unlock()
	// The tenant's roster first: the presets' teams are read from it.
	err := mc.c.v.loadRoster(ctx, mc.tenant)
	var sealed [4]map[string]cells
	var hotRead []store.Bucket
	if err == nil {
		sealed, hotRead, err = mc.readPresets(ctx, rngs, hotFrom)
	}
	mc.mu.Lock()
	if err != nil {
		return err
	}
	mc.mergeHot(hotRead)
	mc.dropHotBefore(hotFrom)
	params := mc.c.v.params
	for i := range presets {
		p := newPresetAgg(rngs[i])
		p.sealed = sealed[i]
		p.rebuild(mc.hot, hotFrom, params)
		p.rebuildTeams(mc.teamOf)
		mc.presets[i] = p
	}
	mc.ready = true
	mc.c.metrics.builds.Inc()
	mc.c.builds.Add(1)
	return nil
}

// readPresets reads what a build needs, both at once: per preset and
// agent the cells of the sealed hours [rngs[i].From, hotFrom), summed by
// the store per (agent, inquiry, team) in one query (store.Summer), and
// the parts of the hot hours from hotFrom on, part by part.
func (mc *modelCache) readPresets(ctx context.Context, rngs [4]views.Range, hotFrom time.Time) ([4]map[string]cells, []store.Bucket, error) {
	sealed := [4]map[string]cells{}
	for i := range sealed {
		sealed[i] = map[string]cells{}
	}
	q := store.SumQuery{Tenant: mc.tenant, Model: mc.model, To: hotFrom, Starts: make([]time.Time, len(rngs))}
	for i := range rngs {
		q.Starts[i] = rngs[i].From
	}
	// The hot hours are read at the same time as the sealed sums: two
	// independent reads, one wait.
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var (
		hot    []store.Bucket
		hotErr error
	)
	hotDone := make(chan struct{})
	go func() {
		defer close(hotDone)
		if hot, hotErr = mc.readHours(ctx, hotFrom, allTime.to); hotErr != nil {
			cancel()
		}
	}()
	err := mc.c.v.sumCells(ctx, q, func(cs store.CellSums) error {
		k := cellKey{cs.Inquiry, cs.Team}
		for i := range rngs {
			if cs.Sums[i].Empty() {
				continue
			}
			c := sealed[i][cs.Agent]
			if c == nil {
				c = cells{}
				sealed[i][cs.Agent] = c
			}
			c.add(k, cs.Sums[i])
		}
		return nil
	})
	if err != nil {
		cancel()
	}
	<-hotDone
	if err != nil {
		return sealed, nil, fmt.Errorf("sum sealed buckets: %w", err)
	}
	return sealed, hot, hotErr
}

// mergeHot merges parts read from the store into hot (higher version
// wins), so that an update applied while the store was read is kept.
func (mc *modelCache) mergeHot(parts []store.Bucket) {
	for i := range parts {
		b := &parts[i]
		m := mc.hot[b.Agent]
		if m == nil {
			m = map[partKey]hotPart{}
			mc.hot[b.Agent] = m
		}
		pk := keyOf(b)
		if old, ok := m[pk]; ok && old.version >= b.Version {
			continue
		}
		m[pk] = hotPart{b.Sums, b.Version}
	}
}

func (mc *modelCache) dropHotBefore(t time.Time) {
	lo := t.Unix()
	for agent, parts := range mc.hot {
		for pk := range parts {
			if pk.hour < lo {
				delete(parts, pk)
			}
		}
		if len(parts) == 0 {
			delete(mc.hot, agent)
		}
	}
}
