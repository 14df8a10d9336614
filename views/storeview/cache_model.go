package storeview

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/agentpulse/agentpulse/schemas"
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
func (mc *modelCache) apply(u *schemas.Update) {
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
		parts[pk] = hotPart{views.Sums(b.Sums), b.Version}
		changed = true
	}
	if sealed {
		mc.dirty[u.Agent] = true
		if len(mc.dirty) == mc.rereadLimit()+1 {
			mc.c.pokeWarmer() // a model-wide re-read: in the background, not in a request
		}
	}
	if changed && mc.ready {
		params := mc.c.v.params
		for _, p := range mc.presets {
			p.setAgent(u.Agent, p.curCells(u.Agent, mc.hot[u.Agent], mc.hotFrom), params, mc.teamOf)
		}
	}
}

// invalidateMetrics forgets the cached all-time metrics when a part
// disagrees with them (it may add or remove a prediction kind).
func (mc *modelCache) invalidateMetrics(u *schemas.Update) {
	if !mc.metricsValid {
		mc.metricsGen++
		return
	}
	psat, pres := views.HasMetric(mc.metrics, views.MetricPSAT), views.HasMetric(mc.metrics, views.MetricPRES)
	for i := range u.Buckets {
		s := views.Sums(u.Buckets[i].Sums)
		if s.HasPSAT() != psat || s.HasPRES() != pres {
			mc.metricsValid = false
			mc.metricsGen++
			return
		}
	}
}

// prepare brings the presets to the range end to (single-flight: one
// goroutine runs a job, the others wait for it) and re-reads dirty
// agents once. Only an entry not built yet (or whose last job failed, or
// whose end moved back) is built whole: a later end, however far,
// slides, and dirty agents, however many, are re-read. No lock is held while the store is read. A request waits
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
		case !mc.ready:
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
