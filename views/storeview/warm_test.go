package storeview_test

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/agentpulse/agentpulse/processor/store"
	"github.com/agentpulse/agentpulse/processor/store/embedded"
	"github.com/agentpulse/agentpulse/views"
	"github.com/agentpulse/agentpulse/views/reference"
	"github.com/agentpulse/agentpulse/views/storeview"
)

// gatedStore is a store whose SumBuckets (the cache build's scan) waits
// for gate to be closed, and which counts its roster reads.
type gatedStore struct {
	store.Store
	gate    chan struct{}
	entered chan struct{} // receives when a SumBuckets starts waiting
	roster  atomic.Int64  // Roster calls
	buckets atomic.Int64  // Buckets calls
}

func newGated(st store.Store) *gatedStore {
	return &gatedStore{Store: st, gate: make(chan struct{}), entered: make(chan struct{}, 100)}
}

func (g *gatedStore) SumBuckets(ctx context.Context, q store.SumQuery, fn func(store.CellSums) error) error {
	g.entered <- struct{}{}
	select {
	case <-g.gate:
	case <-ctx.Done():
		return ctx.Err()
	}
	return g.Store.(store.Summer).SumBuckets(ctx, q, fn)
}

func (g *gatedStore) Roster(ctx context.Context, tenant, agent string, fn func(store.RosterPart) error) error {
	g.roster.Add(1)
	return g.Store.(store.RosterReader).Roster(ctx, tenant, agent, fn)
}

func (g *gatedStore) Buckets(ctx context.Context, q store.BucketQuery, fn func(store.Bucket) error) error {
	g.buckets.Add(1)
	return g.Store.Buckets(ctx, q, fn)
}

func (g *gatedStore) TenantModels(ctx context.Context) ([]store.TenantModel, error) {
	return g.Store.(store.ModelsLister).TenantModels(ctx)
}

// TestWarmBuildsBeforeRequests: one warm-up pass builds the entry of every
// (tenant, model) with data and reads every tenant's roster, on both
// stores: afterwards requests for every preset build nothing, read no
// roster from the store, and equal the reference; Ready flips from an
// error to nil.
func TestWarmBuildsBeforeRequests(t *testing.T) {
	cases := []struct {
		name   string
		open   func(t *testing.T) store.Store
		stride int
	}{
		{"embedded", func(*testing.T) store.Store { return embedded.New() }, 1},
		{"clickhouse", func(t *testing.T) store.Store { return openClickHouse(t) }, 4},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ctx := context.Background()
			params := views.Params{MinVolume: 3}
			its := simulated(t, 8, 10)
			st := c.open(t)
			fill(t, st, its)
			g := newGated(st)
			close(g.gate)
			reg := prometheus.NewRegistry()
			sv := storeview.New(storeview.NewOverlay(g), params, storeview.WithCache(storeview.CacheConfig{HotHours: 2, Registerer: reg}))
			if sv.Ready(ctx) == nil || sv.Warmed() {
				t.Fatal("ready before the warm-up")
			}
			if err := sv.Warm(ctx); err != nil {
				t.Fatal(err)
			}
			if err := sv.Ready(ctx); err != nil || !sv.Warmed() {
				t.Fatalf("not ready after the warm-up: %v", err)
			}
			u := universeOf(its)
			pairs := 0
			for tenant := range u.agents {
				pairs += len(u.models[tenant])
			}
			if n := counter(t, reg, "agentpulse_storeview_cache_builds_total"); int(n) != pairs {
				t.Errorf("warm-up built %v entries, want %d (every tenant model)", n, pairs)
			}
			rosterReads, buckets := g.roster.Load(), g.buckets.Load()
			compareFresh(t, sv, reference.New(its, params), its, c.stride, "warmed")
			if n := counter(t, reg, "agentpulse_storeview_cache_builds_total"); int(n) != pairs {
				t.Errorf("requests built %v entries after the warm-up", n-float64(pairs))
			}
			if d := g.roster.Load() - rosterReads; d != 0 {
				t.Errorf("requests read the roster %d times after the warm-up read it", d)
			}
			t.Logf("bucket reads by requests after the warm-up: %d", g.buckets.Load()-buckets)
		})
	}
}

// TestRequestDuringBuild: while the warm-up builds an entry, a request
// waits at most BuildWait and fails with ErrWarming (the API's 503), and
// Ready is not nil; with BuildWait 0 a request waits for the build and is
// answered exactly. Once the build ends, both are answered exactly.
func TestRequestDuringBuild(t *testing.T) {
	ctx := context.Background()
	params := views.Params{MinVolume: 3}
	its := simulated(t, 8, 10)
	ref := reference.New(its, params)
	st := embedded.New()
	fill(t, st, its)
	u := universeOf(its)
	var tenant string
	for tn := range u.agents {
		if tn != "moves" {
			tenant = tn
			break
		}
	}
	agent, model := u.agents[tenant][0], u.models[tenant][0]
	spec := views.RangeSpec{Preset: views.Preset1W}
	want, err := ref.AgentPerformance(tenant, agent, model, spec, views.SortSpec{})
	if err != nil {
		t.Fatal(err)
	}

	g := newGated(st)
	reg := prometheus.NewRegistry()
	refusing := storeview.New(g, params, storeview.WithCache(storeview.CacheConfig{BuildWait: 20 * time.Millisecond, Registerer: reg}))
	waiting := storeview.New(g, params, storeview.WithCache(storeview.CacheConfig{}))

	runCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- refusing.Run(runCtx) }()
	<-g.entered // the warm-up's first build is reading the store

	// A request for the model being built: refused after BuildWait.
	_, err = refusing.AgentPerformance(ctx, tenant, agent, model, spec, views.SortSpec{})
	if !errors.Is(err, storeview.ErrWarming) {
		// The warm-up may be building another model first: then this
		// request started a background build of its own, also gated.
		if err == nil {
			t.Fatal("answered while every build is held")
		}
		t.Fatalf("want ErrWarming, got %v", err)
	}
	if refusing.Ready(ctx) == nil {
		t.Error("ready while the warm-up builds")
	}
	if n := counter(t, reg, "agentpulse_storeview_cache_refused_total"); n != 1 {
		t.Errorf("refused_total = %v, want 1", n)
	}

	// A request to views that wait: answered once the build may go on.
	answer := make(chan error, 1)
	var got views.Performance
	go func() {
		var err error
		got, err = waiting.AgentPerformance(ctx, tenant, agent, model, spec, views.SortSpec{})
		answer <- err
	}()
	<-g.entered // its own build is held too
	select {
	case err := <-answer:
		t.Fatalf("answered while its build is held: %v", err)
	case <-time.After(50 * time.Millisecond):
	}
	close(g.gate)
	if err := <-answer; err != nil {
		t.Fatal(err)
	}
	diff(t, "performance waited for its build", got, want)

	// The warm-up ends; ready; the refused request is answered exactly.
	deadline := time.Now().Add(30 * time.Second)
	for refusing.Ready(ctx) != nil {
		if time.Now().After(deadline) {
			t.Fatalf("not ready: %v", refusing.Ready(ctx))
		}
		time.Sleep(5 * time.Millisecond)
	}
	got, err = refusing.AgentPerformance(ctx, tenant, agent, model, spec, views.SortSpec{})
	if err != nil {
		t.Fatal(err)
	}
	diff(t, "performance after the warm-up", got, want)
	cancel()
	if err := <-done; err != nil {
		t.Errorf("Run returned %v", err)
	}
}
