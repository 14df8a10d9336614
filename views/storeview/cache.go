package storeview

import (
	"context"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/agentpulse/agentpulse/processor/store"
	"github.com/agentpulse/agentpulse/schemas"
)

// CacheConfig configures the benchmark cache (WithCache).
type CacheConfig struct {
	// MaxModels, when positive, is how many (tenant, model) entries are
	// kept, each with its four preset ranges; the least recently used is
	// dropped beyond, and the warm-up builds only that many. 0 (the
	// default) keeps and warms every (tenant, model) with data: a build
	// reads the store's rollups, so warming all of them at start is cheap
	// in time; the bound is memory. An entry's memory is about 4 presets × 2 × (agents ×
	// inquiries) cells plus the indexes and hot parts, ~12 KB per agent of
	// 8 inquiries (measured live heap: 123 MB at 10,000 agents, 562 MB at
	// 50,000; BenchmarkPerformanceClickHouse's cache_heap_MB).
	MaxModels int
	// HotHours is how many of a range's newest hours are kept part by part
	// and updated in place from updates (default 3, at most 12). An update
	// to an older hour (late data, a correction) makes the cache read that
	// agent's sealed hours again before the next answer.
	HotHours int
	// MaxAgentRereads is how many dirty agents (with changes to sealed
	// hours) are re-read by their own key ranges, all in one query; the
	// limit used is the larger of it and half the entry's agents (at
	// most 4,096), so it scales with the model. More are re-read by one
	// model-wide sum (as a build's) keeping theirs (the warm-up is asked
	// to run it): never a rebuild. Default 64.
	MaxAgentRereads int
	// BuildWait is how long a request waits for its entry's build (the
	// first, or one after an eviction, a Refresh or an end that moved
	// back) before
	// failing with ErrWarming, which the API answers with 503 and
	// Retry-After; the build goes on in the background. 0 waits as long as
	// the request's context allows (the request itself builds).
	BuildWait time.Duration
	// BuildTimeout bounds a background build (default 10 minutes).
	BuildTimeout time.Duration
	// WarmInterval is how often Run looks for entries to build or bring
	// up to date (a range end that moved, late data to re-read), besides
	// at start and after an eviction. Default 30 s.
	WarmInterval time.Duration
	// LatestTTL, when positive, is how long the store's LatestData (the
	// range end of every figure) is reused, so that a cached answer does
	// not query the store; updates' interactions (OnUpdate) move it
	// forward at once, what only the store knows (a correction moving the
	// newest interaction back, data written without an update) shows after
	// at most LatestTTL. 0 reads the store on every request.
	LatestTTL time.Duration
	// Registerer, when set, registers the cache's metrics.
	Registerer prometheus.Registerer
}

func (c CacheConfig) withDefaults() CacheConfig {
	c.MaxModels = max(c.MaxModels, 0)
	if c.HotHours <= 0 {
		c.HotHours = 3
	}
	c.HotHours = min(c.HotHours, 12)
	if c.MaxAgentRereads <= 0 {
		c.MaxAgentRereads = 64
	}
	if c.BuildTimeout <= 0 {
		c.BuildTimeout = 10 * time.Minute
	}
	if c.WarmInterval <= 0 {
		c.WarmInterval = 30 * time.Second
	}
	return c
}

// WithCache makes AgentPerformance, InquiryDetail and TeamAgents answer
// preset ranges (3m, 1m, 1w, 24h) from an in-memory benchmark cache per
// (tenant, model), kept exact by OnUpdate; custom ranges are computed
// from the store as without it. The tenants' rosters (TeamOf) are kept in
// memory, read from the store once per tenant and updated by OnUpdate.
func WithCache(cfg CacheConfig) Option {
	return func(v *Views) { v.cacheCfg = ptrTo(cfg.withDefaults()) }
}

func ptrTo[T any](x T) *T { return &x }

// cache is the state behind WithCache.
type cache struct {
	v       *Views
	cfg     CacheConfig
	metrics *cacheMetrics

	mu     sync.Mutex
	models map[modelKey]*modelCache
	tick   uint64

	roster *rosterBook
	latest *latestMemo // nil unless LatestTTL > 0

	// The warm-up (Run).
	builds  atomic.Uint64 // entries built, ever
	poke    chan struct{} // asks Run for a pass
	warmed  atomic.Bool   // the first pass has ended
	warmMu  sync.Mutex
	warmErr error // of the last pass
}

func newCache(v *Views, cfg CacheConfig) *cache {
	c := &cache{v: v, cfg: cfg, metrics: newCacheMetrics(cfg.Registerer), models: map[modelKey]*modelCache{},
		roster: newRosterBook(), poke: make(chan struct{}, 1)}
	if cfg.LatestTTL > 0 {
		c.latest = newLatestMemo(cfg.LatestTTL)
	}
	return c
}

func (c *cache) hotSpan() time.Duration { return time.Duration(c.cfg.HotHours) * time.Hour }

// get returns the tenant model's entry, creating it (and dropping the
// least recently used beyond a positive MaxModels).
func (c *cache) get(tenant, model string) *modelCache {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.tick++
	k := modelKey{tenant, model}
	mc := c.models[k]
	if mc == nil {
		if c.cfg.MaxModels > 0 && len(c.models) >= c.cfg.MaxModels {
			var oldest modelKey
			var at uint64 = ^uint64(0)
			for k, m := range c.models {
				if m.lastUse < at {
					oldest, at = k, m.lastUse
				}
			}
			delete(c.models, oldest)
			c.metrics.evictions.Inc()
			c.pokeWarmer()
		}
		mc = newModelCache(c, tenant, model)
		c.models[k] = mc
	}
	mc.lastUse = c.tick
	return mc
}

func (c *cache) lookup(tenant, model string) *modelCache {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.models[modelKey{tenant, model}]
}

// OnUpdate feeds one processor update to the views: when the Reader is an
// *Overlay (or anything with Apply(schemas.Update)) the update is laid
// over the store first, then the cache (WithCache) moves the figures it
// changes and records the update's roster part. Call it for every
// message of the "updates" topic, in order per partition; it does not
// read the store, only takes short in-memory locks, and is safe for
// concurrent use. Without WithCache and an overlay it does nothing.
func (v *Views) OnUpdate(ctx context.Context, u schemas.Update) {
	if ap, ok := v.r.(interface{ Apply(schemas.Update) }); ok {
		ap.Apply(u)
	}
	c := v.cache
	if c == nil {
		return
	}
	c.metrics.updates.Inc()
	if u.Roster != nil {
		v.applyRoster(store.RosterPartOf(&u))
	}
	if c.latest != nil {
		c.latest.raise(&u)
	}
	if mc := c.lookup(u.Tenant, u.Model); mc != nil {
		mc.apply(&u)
	}
}
