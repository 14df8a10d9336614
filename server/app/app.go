package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/twmb/franz-go/pkg/kgo"
	"golang.org/x/sync/errgroup"

	"github.com/agentpulse/agentpulse/audit"
	"github.com/agentpulse/agentpulse/auth"
	"github.com/agentpulse/agentpulse/auth/apikeys"
	"github.com/agentpulse/agentpulse/auth/roster"
	"github.com/agentpulse/agentpulse/processor/store"
	"github.com/agentpulse/agentpulse/schemas"
	"github.com/agentpulse/agentpulse/server/api"
	"github.com/agentpulse/agentpulse/server/catchup"
	"github.com/agentpulse/agentpulse/server/feed"
	"github.com/agentpulse/agentpulse/server/httpmw"
	"github.com/agentpulse/agentpulse/server/live"
	"github.com/agentpulse/agentpulse/server/notify"
	"github.com/agentpulse/agentpulse/server/plans"
	"github.com/agentpulse/agentpulse/server/ws"
	"github.com/agentpulse/agentpulse/views"
	"github.com/agentpulse/agentpulse/views/storeview"
)

// Config configures New. Store, Plans, Brokers and Verifier are required.
type Config struct {
	// Store is where the processor writes; the server reads it.
	Store store.Store
	// Plans keeps coaching plans (OpenPlanStore).
	Plans store.PlanStore
	// Brokers are the seed brokers of the "updates" topic.
	Brokers []string
	// KafkaOpts are extra franz-go options of its Kafka clients: TLS and
	// SASL (kafkasec.Config.Opts).
	KafkaOpts []kgo.Opt
	// Verifier checks bearer tokens.
	Verifier auth.TokenVerifier
	// Limits are the admission limits of the API, plans and websocket
	// routes (rate, body size); their Registerer is Registerer.
	Limits httpmw.Config
	// WS configures the hub: AllowedOrigins, MaxQueueBytes,
	// MaxSubscriptions, MaxChannels and SubscribeRate are taken from it;
	// the rest is wired here.
	WS ws.Config
	// BuildWait is how long a request waits for the figures cache of its
	// model to be built before it is answered 503 + Retry-After (the
	// build goes on). Default 2 s.
	BuildWait time.Duration
	// CatchUpMaxLag is how many records a partition's store may be behind
	// the interactions topic's end and still count as caught up; further
	// behind, reads answer 503 + Retry-After (server/catchup). Default
	// 5000, the processor's catch-up distance at its default FlushRecords.
	CatchUpMaxLag int64
	// Audit, when not nil, records plan and key changes and serves GET
	// /v1/audit to admins within the API limits.
	Audit *audit.Log
	// Roster, when not nil, applies the tenants' rosters of people to
	// every token (roster.Verifier around Verifier), serves the roster's
	// routes (/v1/roster…, /v1/people/names, /v1/me) within the API
	// limits, and re-authorizes open websockets at every roster change.
	Roster *roster.Log
	// Keys, when not nil, serves the admins' API-key routes
	// (/v1/api-keys…) within the API limits.
	Keys *apikeys.Log
	// Notify configures notifications: SMTPAddr and SMTPFrom (e-mail);
	// Publisher, Logger and the rest are wired here.
	Notify notify.Config
	// StallAfter is how long a tenant's update feed may be silent before
	// its admins are notified (notify.DefaultStallAfter when zero).
	StallAfter time.Duration
	// LabelCheckEvery is how often the agents that updates touched are
	// checked for entering Needs work on an inquiry they handle often.
	// Default 1 minute.
	LabelCheckEvery time.Duration
	// Retention, when Enabled, keeps the tenants' retention settings and
	// erasures on the broker's "data-policy" topic, serves the admins'
	// /v1/retention and /v1/erasures routes within the API limits, and
	// runs retention passes on Store (which must be a store.Retainer).
	Retention RetentionConfig
	// OutcomeModels answers GET /v1/outcome-models (api.Config). Nil: 503.
	OutcomeModels api.OutcomeModelSource
	// Mount adds routes outside the API limits (the web dashboard's
	// static files).
	Mount []func(chi.Router)
	// Registerer receives every part's metrics. Nil: none.
	Registerer prometheus.Registerer
	// Logger receives the parts' logs. Nil: discard.
	Logger *slog.Logger
}

// Server is the assembled client-facing server.
type Server struct {
	gate    *catchup.Gate
	overlay *storeview.Overlay
	views   *storeview.Views
	readAPI *api.API
	plans   *plans.Service
	hub     *ws.Hub
	notify  *notify.Center
	stalls  *notify.StallWatch
	labels  *labelWatch
	log     *slog.Logger
	// labelEvery is how often agents touched by updates are checked for
	// entering Needs work (Config.LabelCheckEvery).
	labelEvery time.Duration
	// names says people, inquiries and channels in notifications.
	names     namer
	updates   *feed.Feed
	routes    []func(chi.Router)
	retention *retentionPart
}

// ErrConfig is returned by New when a required field is missing.
var ErrConfig = errors.New("app: Store, Plans, Brokers and Verifier are required")

// New builds the parts; nothing runs yet.
func New(cfg Config) (*Server, error) {
	if cfg.Store == nil || cfg.Plans == nil || len(cfg.Brokers) == 0 || cfg.Verifier == nil {
		return nil, ErrConfig
	}
	if cfg.BuildWait <= 0 {
		cfg.BuildWait = 2 * time.Second
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Keys != nil {
		// API keys: a TV's wallboard key reads its wallboard (ingest keys
		// have no role the server's routes admit).
		cfg.Verifier = apikeys.Verifier{Keys: cfg.Keys.Keys(), Next: cfg.Verifier}
	}
	if cfg.Roster != nil {
		cfg.Verifier = roster.Verifier{Roster: cfg.Roster.Roster(), Next: cfg.Verifier}
	}
	reg := cfg.Registerer
	overlay := storeview.NewOverlay(cfg.Store)
	// Never a partial figure: while the store is catching up with the
	// log, reads answer 503 and the cache is not built; when it has
	// caught up (or a processor's rebuilt marker arrives) the cache is
	// dropped first, so every answer after is from the whole history.
	var sv *storeview.Views
	gate, err := catchup.New(catchup.Config{Brokers: cfg.Brokers, ClientOpts: cfg.KafkaOpts, Store: cfg.Store, MaxLag: cfg.CatchUpMaxLag,
		Refresh: func() { refreshFigures(overlay, sv, cfg.Logger) }, Logger: cfg.Logger, Registerer: reg})
	if err != nil {
		return nil, err
	}
	// views.Run builds every model at start, so only a server's first
	// seconds or a rebuild make a request wait (then 503).
	sv = storeview.New(overlay, views.DefaultParams(), storeview.WithCache(storeview.CacheConfig{Registerer: reg, BuildWait: cfg.BuildWait,
		LatestTTL: time.Second}), storeview.WithWarmHold(gate.Err))
	acfg := api.Config{Views: sv, Verifier: cfg.Verifier, Logger: cfg.Logger, OutcomeModels: cfg.OutcomeModels}
	if cfg.Roster != nil {
		acfg.Names = apiNames{r: cfg.Roster.Roster()}
	}
	readAPI := api.New(acfg)
	s := &Server{gate: gate, overlay: overlay, views: sv, readAPI: readAPI}
	rules, err := live.New(live.Config{Views: sv, API: readAPI, Plan: s.planChannel})
	if err != nil {
		return nil, err
	}
	hub, err := ws.New(ws.Config{
		Verifier: cfg.Verifier, Authorize: rules.Authorize, Snapshot: s.gatedSnapshot(rules.Snapshot), ScoreData: live.ScoreData(sv),
		AllowedOrigins: cfg.WS.AllowedOrigins, MaxQueueBytes: cfg.WS.MaxQueueBytes, MaxSubscriptions: cfg.WS.MaxSubscriptions,
		MaxChannels: cfg.WS.MaxChannels, SubscribeRate: cfg.WS.SubscribeRate,
		Logger: cfg.Logger, Registerer: reg,
	})
	if err != nil {
		return nil, err
	}
	if cfg.Roster != nil {
		cfg.Roster.Roster().OnChange(func(string) { hub.Reauthorize() })
		// Display names reach open pages at once (ws.OpNames).
		cfg.Roster.Roster().OnNames(newNamesPush(hub.PushTenant, namesPushDelay).add)
	}
	if cfg.Keys != nil {
		cfg.Keys.Keys().OnChange(hub.Reauthorize)
	}
	ncfg := cfg.Notify
	ncfg.Publisher, ncfg.Logger = hub, cfg.Logger
	ncfg.Brokers, ncfg.KafkaOpts = cfg.Brokers, cfg.KafkaOpts
	center, err := notify.New(ncfg)
	if err != nil {
		return nil, err
	}
	planSvc, err := plans.New(plans.Config{Plans: cfg.Plans, Store: cfg.Store, Views: sv, Verifier: cfg.Verifier, Publisher: hub, Hold: gate.Err, Logger: cfg.Logger,
		MaxBodyBytes: cfg.Limits.MaxBodyBytes, Audit: cfg.Audit, Events: planEvents(center, newNamer(cfg.Roster))})
	if err != nil {
		return nil, err
	}
	if reg != nil {
		for _, c := range append(planSvc.Collectors(), center.Collectors()...) {
			if err := reg.Register(c); err != nil {
				return nil, fmt.Errorf("plans metrics: %w", err)
			}
		}
	}
	updates, err := feed.New(feed.Config{Brokers: cfg.Brokers, ClientOpts: cfg.KafkaOpts, Logger: cfg.Logger, Registerer: reg})
	if err != nil {
		return nil, err
	}
	// The overlay forgets what the marker's partition stored without
	// updates first, then the gate refreshes the cache.
	updates.HandleRebuilt(func(_ context.Context, u schemas.Update) { overlay.ForgetThrough(u.Partition, u.Offset) })
	updates.HandleRebuilt(gate.OnRebuilt)
	updates.Handle(sv.OnUpdate)
	updates.Handle(hub.OnUpdate)
	stalls := notify.NewStallWatch(cfg.StallAfter)
	updates.Handle(func(_ context.Context, u schemas.Update) { stalls.Seen(u.Tenant, time.Now()) })
	labels := newLabelWatch()
	updates.Handle(labels.touch)
	if cfg.LabelCheckEvery <= 0 {
		cfg.LabelCheckEvery = time.Minute
	}
	updates.Handle(func(ctx context.Context, u schemas.Update) {
		// OnUpdate never blocks: a full queue drops the update, counted
		// (agentpulse_plans_updates_dropped_total); the next read or
		// sweep recomputes Now from the store anyway.
		_ = planSvc.OnUpdate(ctx, u)
	})
	limits := cfg.Limits
	limits.Registerer, limits.Logger = reg, cfg.Logger
	guard, err := httpmw.New(limits)
	if err != nil {
		return nil, err
	}
	ret, err := newRetention(cfg, gate.Err, sv.Refresh)
	if err != nil {
		return nil, err
	}
	s.plans, s.hub, s.updates, s.notify, s.stalls, s.labels, s.retention = planSvc, hub, updates, center, stalls, labels, ret
	s.log, s.labelEvery, s.names = cfg.Logger, cfg.LabelCheckEvery, newNamer(cfg.Roster)
	s.routes = append([]func(chi.Router){func(r chi.Router) {
		r.Group(func(r chi.Router) {
			r.Use(guard.Handler)
			r.Group(func(r chi.Router) {
				r.Use(figuresGate(gate))
				readAPI.Routes(r)
				planSvc.Routes(r)
				center.Routes(r, cfg.Verifier)
			})
			hub.Routes(r)
			if cfg.Roster != nil {
				(&roster.API{Log: cfg.Roster, Verifier: cfg.Verifier, Logger: cfg.Logger, Audit: cfg.Audit}).Routes(r)
			}
			if cfg.Keys != nil {
				(&apikeys.API{Log: cfg.Keys, Verifier: cfg.Verifier, Logger: cfg.Logger, Audit: cfg.Audit}).Routes(r)
			}
			if cfg.Audit != nil {
				cfg.Audit.Routes(r, cfg.Verifier)
			}
			if ret != nil {
				ret.runner.Routes(r, cfg.Verifier)
			}
		})
		if cfg.Roster != nil { // a file: its own body limit, the same rate limit
			r.Group(func(r chi.Router) {
				r.Use(guard.WithMaxBody(roster.MaxImportBytes, "the largest roster import"))
				(&roster.API{Log: cfg.Roster, Verifier: cfg.Verifier, Logger: cfg.Logger, Audit: cfg.Audit}).ImportRoutes(r)
			})
		}
	}}, cfg.Mount...)
	return s, nil
}

// figuresGate answers 503 while the store catches up (catchup.Gate),
// except for the assistance catalog, which holds no figure.
func figuresGate(g *catchup.Gate) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		gated := g.Handler(next)
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Path == "/v1/assistance-catalog" {
				next.ServeHTTP(w, r)
				return
			}
			gated.ServeHTTP(w, r)
		})
	}
}

// gatedSnapshot refuses snapshots while the store is catching up: the
// client gets error "unavailable" saying so, never a partial snapshot.
func (s *Server) gatedSnapshot(next ws.Snapshotter) ws.Snapshotter {
	return func(ctx context.Context, c auth.Claims, ch ws.Channel) (any, error) {
		if err := s.gate.Err(); err != nil {
			return nil, fmt.Errorf("%w: %w", ws.ErrNotReady, err)
		}
		return next(ctx, c, ch)
	}
}

// planChannel serves plan:{id} from the plan service.
func (s *Server) planChannel(ctx context.Context, c auth.Claims, id string) (any, error) {
	return live.PlansChannel(s.plans)(ctx, c, id)
}

// Routes mounts every route of the server on r.
func (s *Server) Routes(r chi.Router) {
	for _, m := range s.routes {
		if m != nil {
			m(r)
		}
	}
}

// Views returns the figures the server answers from.
func (s *Server) Views() *storeview.Views { return s.views }

// Run runs the catch-up gate, the feed, the overlay's pruning, the cache's warm-up, the hub
// and the plans' workers and sweeper until ctx ends or one of them fails.
func (s *Server) Run(ctx context.Context) error {
	g, ctx := errgroup.WithContext(ctx)
	g.Go(func() error {
		// The gate compares the store with the log only once the feed
		// has fixed its start: every record is then either stored when
		// the gate first looks or its update reaches this server.
		select {
		case <-s.updates.Started():
		case <-ctx.Done():
			return nil
		}
		return s.gate.Run(ctx)
	})
	g.Go(func() error { return s.views.Run(ctx) })
	g.Go(func() error {
		if err := s.overlay.Run(ctx, time.Second); err != nil && !errors.Is(err, context.Canceled) {
			return fmt.Errorf("update overlay: %w", err)
		}
		return nil
	})
	g.Go(func() error { return s.updates.Run(ctx) })
	g.Go(func() error { return s.hub.Run(ctx) })
	g.Go(func() error { return s.plans.Run(ctx) })
	g.Go(func() error { return s.notify.Run(ctx) })
	g.Go(func() error { s.watchStalls(ctx); return nil })
	g.Go(func() error { s.watchLabels(ctx, s.labelEvery); return nil })
	if s.retention != nil {
		s.retention.run(ctx, g)
	}
	return g.Wait()
}

// Ready is nil once the store has caught up with the log and the figures
// cache's first warm-up pass has ended (every tenant model built, teams
// learned): part of /readyz.
func (s *Server) Ready(ctx context.Context) error {
	if err := s.gate.Err(); err != nil {
		return err
	}
	if err := s.views.Ready(ctx); err != nil {
		return fmt.Errorf("read views: %w", err)
	}
	if err := s.notify.Ready(ctx); err != nil {
		return fmt.Errorf("notifications: %w", err)
	}
	return nil
}

// refreshFigures drops the cached figures after the store changed without
// updates. The overlay is pruned against the store's checkpoints first: a
// part it holds from an update before the catch-up may have been emptied
// by records stored without updates, and the store hides empty parts, so
// a cache built over the unpruned overlay would count it again. A failed
// prune (store down) is logged; the overlay's periodic prune retries.
func refreshFigures(overlay *storeview.Overlay, sv *storeview.Views, log *slog.Logger) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := overlay.Prune(ctx); err != nil {
		log.Warn("overlay prune before refresh failed", "err", err)
	}
	sv.Refresh()
}
