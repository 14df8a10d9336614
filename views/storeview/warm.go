package storeview

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/agentpulse/agentpulse/processor/store"
	"github.com/agentpulse/agentpulse/views"
)

// ErrWarming is returned (wrapped) by a cached figure whose (tenant,
// model) entry is still being built after CacheConfig.BuildWait: the
// answer would otherwise wait for a scan of the model. The API answers
// it with 503 and Retry-After; the build goes on in the background and
// a retry a few seconds later is answered from the cache.
var ErrWarming = errors.New("figures are being prepared, retry shortly")

// errNotWarmed is Ready's answer before the first warm-up pass ends.
var errNotWarmed = errors.New("benchmark cache warming up")

// Run keeps the benchmark cache warm until ctx ends, then returns nil.
// At start, and then every CacheConfig.WarmInterval and after an entry
// is evicted or marked for a rebuild (many late updates), it makes one
// pass (Warm): the entries of every (tenant, model) with data are built
// or brought up to date one at a time, so that requests do not wait for
// a build, and the tenants' rosters are read (once per tenant). Without WithCache
// it returns at once. Ready reports when the first pass has ended.
func (v *Views) Run(ctx context.Context) error {
	c := v.cache
	if c == nil {
		return nil
	}
	t := time.NewTicker(c.cfg.WarmInterval)
	defer t.Stop()
	for {
		_ = v.Warm(ctx) // kept for Ready; the next pass tries again
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		case <-c.poke:
		}
	}
}

// Warm makes one warm-up pass (see Run) and returns the errors met; an
// entry that failed to build is built on demand later. The first pass
// that could list the (tenant, model) pairs makes Ready answer nil.
//
// The pairs come from the Reader when it is a store.ModelsLister (both
// stores are, and an Overlay over one): sorted by tenant then model, all
// of them, or at most a positive CacheConfig.MaxModels (beyond, entries
// would evict each other). Without a lister there is nothing to warm.
func (v *Views) Warm(ctx context.Context) error {
	c := v.cache
	if c == nil {
		return nil
	}
	if v.hold != nil {
		if err := v.hold(); err != nil {
			c.warmMu.Lock()
			c.warmErr = err
			c.warmMu.Unlock()
			return err // the store is partial: building now would be wasted
		}
	}
	c.metrics.warmups.Inc()
	err := v.warm(ctx)
	c.warmMu.Lock()
	c.warmErr = err
	c.warmMu.Unlock()
	return err
}

func (v *Views) warm(ctx context.Context) error {
	c := v.cache
	ml, ok := v.r.(store.ModelsLister)
	if !ok {
		c.setWarmed()
		return nil
	}
	pairs, err := ml.TenantModels(ctx)
	if err != nil {
		return fmt.Errorf("warm-up: list tenant models: %w", err)
	}
	var (
		mu   sync.Mutex
		errs []error
	)
	fail := func(err error) {
		mu.Lock()
		errs = append(errs, fmt.Errorf("warm-up: %w", err))
		mu.Unlock()
	}
	// The tenants' rosters first (one small read each, once per server):
	// team figures need them.
	var tenants []string
	for _, p := range pairs {
		if !slices.Contains(tenants, p.Tenant) {
			tenants = append(tenants, p.Tenant)
		}
	}
	eachAtOnce(ctx, tenants, func(tenant string) {
		if err := v.loadRoster(ctx, tenant); err != nil {
			fail(err)
		}
	})
	if c.cfg.MaxModels > 0 && len(pairs) > c.cfg.MaxModels {
		pairs = pairs[:c.cfg.MaxModels]
	}
	// The models' builds, warmParallel at once: each is a few queries the
	// store serves with its own threads (18.16's FINAL in one), so
	// several overlap where one after the other would wait.
	eachAtOnce(ctx, pairs, func(p store.TenantModel) {
		latest, err := v.LatestData(ctx, p.Tenant, p.Model)
		if errors.Is(err, views.ErrNoData) {
			return // buckets without interactions yet: nothing to show
		}
		if err != nil {
			fail(err)
			return
		}
		to := views.FloorHour(latest).Add(time.Hour)
		if err := c.get(p.Tenant, p.Model).prepareWait(ctx, to, 0); err != nil {
			fail(err)
		}
	})
	if ctx.Err() != nil {
		return ctx.Err()
	}
	c.setWarmed()
	return errors.Join(errs...)
}

// Ready returns nil once the first warm-up pass has ended (at once
// without WithCache), else an error saying the cache is warming up, with
// the last pass's error if any: for /readyz.
func (v *Views) Ready(context.Context) error {
	c := v.cache
	if c == nil || c.warmed.Load() {
		return nil
	}
	c.warmMu.Lock()
	defer c.warmMu.Unlock()
	if c.warmErr != nil {
		return fmt.Errorf("%w: %w", errNotWarmed, c.warmErr)
	}
	return errNotWarmed
}

// Warmed reports whether the first warm-up pass has ended (true without
// WithCache).
func (v *Views) Warmed() bool { return v.Ready(context.Background()) == nil }

func (c *cache) setWarmed() {
	c.warmed.Store(true)
	c.metrics.warmed.Set(1)
}

func (c *cache) buildCount() uint64 { return c.builds.Load() }

// pokeWarmer asks Run for a pass soon; it never blocks.
func (c *cache) pokeWarmer() {
	select {
	case c.poke <- struct{}{}:
	default:
	}
}

// warmParallel is how many rosters or model builds a warm-up pass runs at
// once.
const warmParallel = 4

// eachAtOnce calls fn for every item, warmParallel at a time, until ctx
// ends, and returns when every call has.
func eachAtOnce[T any](ctx context.Context, items []T, fn func(T)) {
	sem := make(chan struct{}, warmParallel)
	var wg sync.WaitGroup
	for _, it := range items {
		if ctx.Err() != nil {
			break
		}
		sem <- struct{}{}
		wg.Go(func() {
			defer func() { <-sem }()
			fn(it)
		})
	}
	wg.Wait()
}
