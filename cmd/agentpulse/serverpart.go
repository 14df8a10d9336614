package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/prometheus/client_golang/prometheus"
	"golang.org/x/sync/errgroup"

	"github.com/agentpulse/agentpulse/processor"
	"github.com/agentpulse/agentpulse/processor/store"
	"github.com/agentpulse/agentpulse/server/api"
	"github.com/agentpulse/agentpulse/server/auth"
	"github.com/agentpulse/agentpulse/server/feed"
	"github.com/agentpulse/agentpulse/server/live"
	"github.com/agentpulse/agentpulse/server/plans"
	"github.com/agentpulse/agentpulse/server/ws"
	"github.com/agentpulse/agentpulse/views"
	"github.com/agentpulse/agentpulse/views/storeview"
)

// serverPart is the client-facing side over one store: the v1 read API,
// coaching plans, the websocket hub, and the updates feed that keeps
// pushes and plans live. `all` and `serve` build it the same way.
type serverPart struct {
	overlay *storeview.Overlay
	views   *storeview.Views
	readAPI *api.API
	plans   *plans.Service
	hub     *ws.Hub
	updates *feed.Feed
	// routes mounts the API, plans and websocket behind the admission
	// limits of apiFlags.
	routes     func(chi.Router)
	closePlans func()
}

// serverDeps are what buildServer needs from the command.
type serverDeps struct {
	store    store.Store
	seeds    []string
	verifier auth.TokenVerifier
	reg      *prometheus.Registry
	log      *slog.Logger
}

// buildServer wires the parts. The figures are read from the store with
// the processor's updates laid over it (the overlay: an update is
// published before the processor's flush) through a benchmark cache per
// (tenant, model). Every update read from the "updates" topic goes, in
// order, to the overlay and the cache (sv.OnUpdate), to the hub (score
// messages) and to the plans (live Now).
func buildServer(ctx context.Context, d serverDeps, af *apiFlags, wf *wsFlags) (*serverPart, error) {
	overlay := storeview.NewOverlay(d.store)
	// A request whose model is still being built waits at most BuildWait,
	// then gets 503 + Retry-After while the build goes on (views.Run
	// builds every model at start, so only a server's first seconds or a
	// rebuild see it).
	sv := storeview.New(overlay, views.DefaultParams(), storeview.WithCache(storeview.CacheConfig{Registerer: d.reg, BuildWait: 2 * time.Second}))
	readAPI := api.New(api.Config{Views: sv, Verifier: d.verifier, Logger: d.log})
	planStore, closePlans, err := openPlanStore(ctx, d.store, d.seeds, d.log)
	if err != nil {
		return nil, err
	}
	p := &serverPart{overlay: overlay, views: sv, readAPI: readAPI, closePlans: closePlans}
	hub, err := wf.hub(sv, readAPI, d.verifier, d.reg, d.log, p.planChannel)
	if err != nil {
		closePlans()
		return nil, err
	}
	planSvc, err := plans.New(plans.Config{Plans: planStore, Store: d.store, Views: sv, Verifier: d.verifier, Publisher: hub, Logger: d.log})
	if err != nil {
		closePlans()
		return nil, err
	}
	d.reg.MustRegister(planSvc.Collectors()...)
	updates, err := feed.New(feed.Config{Brokers: d.seeds, Logger: d.log, Registerer: d.reg})
	if err != nil {
		closePlans()
		return nil, err
	}
	updates.Handle(sv.OnUpdate)
	updates.Handle(hub.OnUpdate)
	updates.Handle(func(ctx context.Context, u processor.Update) {
		// OnUpdate never blocks: a full queue drops the update, counted
		// (agentpulse_plans_updates_dropped_total); the next read or
		// sweep recomputes Now from the store anyway.
		_ = planSvc.OnUpdate(ctx, u)
	})
	routes, err := af.guarded(d.reg, d.log, readAPI.Routes, planSvc.Routes, hub.Routes)
	if err != nil {
		closePlans()
		return nil, err
	}
	p.plans, p.hub, p.updates, p.routes = planSvc, hub, updates, routes
	return p, nil
}

// planChannel serves plan:{id} once the plan service exists.
func (p *serverPart) planChannel(ctx context.Context, c auth.Claims, id string) (any, error) {
	return live.PlansChannel(p.plans)(ctx, c, id)
}

// run runs the feed, the overlay's pruning, the cache's warm-up, the hub
// and the plans' workers and sweeper.
func (p *serverPart) run(ctx context.Context, g *errgroup.Group) {
	g.Go(func() error { return p.views.Run(ctx) })
	g.Go(func() error {
		if err := p.overlay.Run(ctx, time.Second); err != nil && !errors.Is(err, context.Canceled) {
			return fmt.Errorf("update overlay: %w", err)
		}
		return nil
	})
	g.Go(func() error { return p.updates.Run(ctx) })
	g.Go(func() error { return p.hub.Run(ctx) })
	g.Go(func() error { return p.plans.Run(ctx) })
}

// ready is nil once the benchmark cache's first warm-up pass has ended
// (every tenant model built, teams learned): part of /readyz.
func (p *serverPart) ready(ctx context.Context) error {
	if err := p.views.Ready(ctx); err != nil {
		return fmt.Errorf("read views: %w", err)
	}
	return nil
}

// close releases the plan store's broker client, after run has returned.
func (p *serverPart) close() { p.closePlans() }
