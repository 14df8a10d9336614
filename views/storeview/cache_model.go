package storeview

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/agentpulse/agentpulse/processor"
	"github.com/agentpulse/agentpulse/processor/store"
	"github.com/agentpulse/agentpulse/views"
)

// presets are the cached ranges, in presetAgg order; they nest (each
// range holds the next).
var presets = [4]views.Preset{views.Preset3M, views.Preset1M, views.Preset1W, views.Preset24H}

func presetIndex(spec views.RangeSpec) int {
	p := spec.Preset
	if p == "" {
		p = views.DefaultPreset
	}
	for i, x := range presets {
		if x == p {
			return i
		}
	}
	return -1
}

// presetRange is the preset's range ending at to (an hour).
func presetRange(i int, to time.Time) views.Range {
	return views.RangeSpec{Preset: presets[i]}.Resolve(to.Add(-time.Nanosecond))
}

// hotPart is the newest known value of one hot bucket part.
type hotPart struct {
	sums    views.Sums
	version int64
}

// modelCache holds the four preset aggregates of one tenant's model.
// Hours in [hotFrom, to) are hot: kept part by part (hot), fed by updates
// with the higher version winning. Older hours are sealed: summed per
// agent cell (presetAgg.sealed) when read from the store; an update that
// touches one marks its agent dirty, and the agent's sealed cells are
// read again before the next answer.
type modelCache struct {
	c             *cache
	tenant, model string

	mu       sync.RWMutex
	busy     chan struct{} // closed when the running job ends; nil when idle
	building bool          // the running job is a build (busy != nil)
	buildSeq uint64        // background builds finished
	buildErr error         // of the last background build
	ready    bool          // presets agree with to and hotFrom
	to       time.Time     // the ranges' end (an hour)
	hotFrom  time.Time     // to − HotHours
	hot      map[string]map[partKey]hotPart
	dirty    map[string]bool // agents with sealed-hour changes not yet read
	presets  [4]*presetAgg

	metrics      []views.Metric // all-time metrics when metricsValid
	metricsValid bool
	metricsGen   uint64

	lastUse uint64 // cache.tick at last use, under cache.mu
}

func newModelCache(c *cache, tenant, model string) *modelCache {
	return &modelCache{c: c, tenant: tenant, model: model, hot: map[string]map[partKey]hotPart{}, dirty: map[string]bool{}}
}

// apply records an update (OnUpdate). It only touches memory.
func (mc *modelCache) apply(u *processor.Update) {
	mc.mu.Lock()
	defer mc.mu.Unlock()
	mc.invalidateMetrics(u)
	if mc.to.IsZero() {
		return // never built: the first build reads everything
	}
	changed, sealed := false, false
	for i := range u.Buckets {
		b := &u.Buckets[i]
		h := b.Hour.UTC()
		if h.Before(mc.hotFrom) {
			sealed = true
			continue
		}
		parts := mc.hot[u.Agent]
		if parts == nil {
			parts = map[partKey]hotPart{}
			mc.hot[u.Agent] = parts
		}
		pk := partKey{b.Team, u.Agent, b.Inquiry, h.Unix(), u.Partition}
		if old, ok := parts[pk]; ok && old.version >= b.Version {
			continue
		}
		parts[pk] = hotPart{b.Sums, b.Version}
		changed = true
	}
	if sealed {
		mc.dirty[u.Agent] = true
		if len(mc.dirty) == mc.c.cfg.MaxAgentRereads+1 {
			mc.c.pokeWarmer() // rebuild in the background, not in a request
		}
	}
	if changed && mc.ready {
		params := mc.c.v.params
		for _, p := range mc.presets {
			p.setAgent(u.Agent, p.curCells(u.Agent, mc.hot[u.Agent], mc.hotFrom), params)
		}
	}
}

// invalidateMetrics forgets the cached all-time metrics when a part
// disagrees with them (it may add or remove a prediction kind).
func (mc *modelCache) invalidateMetrics(u *processor.Update) {
	if !mc.metricsValid {
		mc.metricsGen++
		return
	}
	psat, pres := views.HasMetric(mc.metrics, views.MetricPSAT), views.HasMetric(mc.metrics, views.MetricPRES)
	for i := range u.Buckets {
		s := &u.Buckets[i].Sums
		if (s.PsatN > 0) != psat || (s.PresN > 0) != pres {
			mc.metricsValid = false
			mc.metricsGen++
			return
		}
	}
}

// maxSlide is how far the range end may move for the cache to slide
// (subtract the hours that leave, merge the hot hours that seal) rather
// than rebuild: the 24h preset's new start must not pass the old hotFrom.
func (mc *modelCache) maxSlide() time.Duration {
	return 24*time.Hour - mc.c.hotSpan()
}

// prepare brings the presets to the range end to (single-flight: one
// goroutine runs a job, the others wait for it) and re-reads dirty
// agents once. No lock is held while the store is read. A request waits
// for a build at most CacheConfig.BuildWait (see prepareWait).
func (mc *modelCache) prepare(ctx context.Context, to time.Time) error {
	return mc.prepareWait(ctx, to, mc.c.cfg.BuildWait)
}

// prepareWait is prepare waiting at most buildWait for a build (0: as
// long as ctx allows). With buildWait > 0 a build runs in the
// background, detached from ctx, so that a request that gives up does
// not cancel it; the request then fails with ErrWarming.
func (mc *modelCache) prepareWait(ctx context.Context, to time.Time, buildWait time.Duration) error {
	rereadDone := false
	var deadline <-chan time.Time
	if buildWait > 0 {
		t := time.NewTimer(buildWait)
		defer t.Stop()
		deadline = t.C
	}
	mc.mu.Lock()
	for {
		if mc.busy != nil {
			ch, building, seq := mc.busy, mc.building, mc.buildSeq
			mc.mu.Unlock()
			var timeout <-chan time.Time
			if building {
				timeout = deadline
			}
			select {
			case <-ch:
			case <-timeout:
				mc.c.metrics.refused.Inc()
				return fmt.Errorf("cache of tenant %q model %q: %w", mc.tenant, mc.model, ErrWarming)
			case <-ctx.Done():
				return ctx.Err()
			}
			mc.mu.Lock()
			if mc.buildSeq != seq && mc.buildErr != nil && !mc.ready {
				err := mc.buildErr
				mc.mu.Unlock()
				return fmt.Errorf("cache of tenant %q model %q: %w", mc.tenant, mc.model, err)
			}
			continue
		}
		var err error
		switch {
		case !mc.ready || to.Sub(mc.to) > mc.maxSlide():
			if buildWait > 0 {
				mc.buildInBackground(ctx, to)
				continue // wait for it, at most buildWait
			}
			mc.building = true
			err = mc.run(ctx, func(ctx context.Context) error { return mc.build(ctx, to) })
			mc.building = false
		case to.Before(mc.to):
			// A request resolved before a slide, or the model's latest
			// data moved back (a correction): ask the store again.
			mc.mu.Unlock()
			latest, lerr := mc.c.v.LatestData(ctx, mc.tenant, mc.model)
			mc.mu.Lock()
			if lerr != nil {
				mc.mu.Unlock()
				return lerr
			}
			if now := views.FloorHour(latest).Add(time.Hour); now.Before(mc.to) {
				to = now
				mc.ready = false // rebuild for the earlier end
			} else {
				to = mc.to
			}
			continue
		case to.After(mc.to):
			err = mc.run(ctx, func(ctx context.Context) error { return mc.slide(ctx, to) })
		case len(mc.dirty) > mc.c.cfg.MaxAgentRereads:
			mc.ready = false
			continue
		case len(mc.dirty) > 0 && !rereadDone:
			rereadDone = true
			err = mc.run(ctx, mc.reread)
		default:
			mc.mu.Unlock()
			return nil
		}
		if err != nil {
			mc.mu.Unlock()
			return fmt.Errorf("cache of tenant %q model %q: %w", mc.tenant, mc.model, err)
		}
	}
}

// buildInBackground starts a build to the end to as the single flight,
// in its own goroutine, with ctx's values but not its cancellation
// (bounded by CacheConfig.BuildTimeout). mc.mu is held.
func (mc *modelCache) buildInBackground(ctx context.Context, to time.Time) {
	ch := make(chan struct{})
	mc.busy, mc.building = ch, true
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), mc.c.cfg.BuildTimeout)
	go func() {
		defer cancel()
		mc.mu.Lock()
		defer mc.mu.Unlock()
		err := mc.build(ctx, to)
		mc.buildErr = err
		mc.buildSeq++
		mc.busy, mc.building = nil, false
		close(ch)
	}()
}

// run runs job as the single flight: mc.mu is held on entry and on
// return; job releases it around store reads.
func (mc *modelCache) run(ctx context.Context, job func(context.Context) error) error {
	ch := make(chan struct{})
	mc.busy = ch
	defer func() {
		mc.busy = nil
		close(ch)
	}()
	return job(ctx)
}

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
	sealed, hotRead, err := mc.readPresets(ctx, rngs, hotFrom)
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
		mc.presets[i] = p
	}
	mc.ready = true
	mc.c.metrics.builds.Inc()
	mc.c.builds.Add(1)
	return nil
}

// readPresets reads what a build needs: per preset and agent the cells
// of the sealed hours [rngs[i].From, hotFrom), summed by the store per
// (agent, inquiry, team) in one query (store.Summer), and the parts of
// the hot hours from hotFrom on, part by part.
func (mc *modelCache) readPresets(ctx context.Context, rngs [4]views.Range, hotFrom time.Time) ([4]map[string]cells, []store.Bucket, error) {
	sealed := [4]map[string]cells{}
	for i := range sealed {
		sealed[i] = map[string]cells{}
	}
	q := store.SumQuery{Tenant: mc.tenant, Model: mc.model, To: hotFrom, Starts: make([]time.Time, len(rngs))}
	for i := range rngs {
		q.Starts[i] = rngs[i].From
	}
	err := mc.c.v.sumCells(ctx, q, func(cs store.CellSums) error {
		k := cellKey{cs.Inquiry, cs.Team}
		for i := range rngs {
			if cs.Sums[i].Volume == 0 {
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
		return sealed, nil, fmt.Errorf("sum sealed buckets: %w", err)
	}
	hot, err := mc.readHours(ctx, hotFrom, allTime.to)
	return sealed, hot, err
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
			p.setAgent(agent, p.curCells(agent, mc.hot[agent], hotFrom), params)
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
