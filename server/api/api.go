package api

import (
	"log/slog"

	"github.com/go-chi/chi/v5"

	"github.com/agentpulse/agentpulse/auth"
	"github.com/agentpulse/agentpulse/views/storeview"
)

// DefaultRecentLimit is how many recent interactions the inquiry detail
// carries when Config.RecentLimit is zero.
const DefaultRecentLimit = 10

// Config configures New. Views and Verifier are required.
type Config struct {
	// Views answers every query; required.
	Views *storeview.Views
	// Verifier checks bearer tokens; required.
	Verifier auth.TokenVerifier
	// RecentLimit is how many of the agent's newest interactions GET
	// /v1/agents/{agent}/inquiries/{inquiry} returns in "recent". Default
	// DefaultRecentLimit (10); zero means the default.
	RecentLimit int
	// Logger receives store failures (the 5xx answers). Nil: discard.
	Logger *slog.Logger
	// OutcomeModels answers GET /v1/outcome-models. Nil: 503 (no learner).
	OutcomeModels OutcomeModelSource
	// Names gives the display names of the directory (GET /v1/teams, GET
	// /v1/agents) and the inquiry list. Nil: none (ids only).
	Names NameSource
}

// API is the v1 read API. Build it with New and mount it with Routes.
type API struct {
	views  *storeview.Views
	verify auth.TokenVerifier
	recent int
	log    *slog.Logger
	// outcomes is Config.OutcomeModels.
	outcomes OutcomeModelSource
	names    NameSource
}

// New returns the API over cfg. It panics when cfg.Views or cfg.Verifier
// is nil: both are wiring, not runtime, mistakes.
func New(cfg Config) *API {
	if cfg.Views == nil || cfg.Verifier == nil {
		panic("api.New: Config.Views and Config.Verifier are required")
	}
	if cfg.RecentLimit <= 0 {
		cfg.RecentLimit = DefaultRecentLimit
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Names == nil {
		cfg.Names = noNames{}
	}
	return &API{views: cfg.Views, verify: cfg.Verifier, recent: cfg.RecentLimit, log: cfg.Logger, outcomes: cfg.OutcomeModels, names: cfg.Names}
}

// Routes mounts the API's routes on r, each behind auth.Require admitting
// roles agent, supervisor and admin:
//
//	GET /v1/agents/{agent}/models
//	GET /v1/agents/{agent}/performance
//	GET /v1/agents/{agent}/inquiries/{inquiry}
//	GET /v1/agents/{agent}/inquiries/{inquiry}/interactions
//	GET /v1/agents/{agent}/trend
//	GET /v1/agents/{agent}/standing
//	GET /v1/teams/{team}/agents
//	GET /v1/teams/{team}/trend
//	GET /v1/models              (supervisor, admin)
//	GET /v1/teams               (supervisor, admin: the directory)
//	GET /v1/agents              (supervisor, admin: the directory)
//	GET /v1/inquiries           (supervisor, admin)
//	GET /v1/wallboards/{model}  (supervisor, admin)
//	GET /v1/outcome-models      (admin)
func (a *API) Routes(r chi.Router) {
	r.Group(func(r chi.Router) {
		r.Use(auth.Require(a.verify, auth.RoleAgent, auth.RoleSupervisor, auth.RoleAdmin))
		// Access checks and the figures both need the agent's current
		// team: read it once per request.
		r.Get("/v1/agents/{agent}/models", a.models)
		r.Get("/v1/agents/{agent}/performance", a.performance)
		r.Get("/v1/agents/{agent}/inquiries/{inquiry}", a.inquiry)
		r.Get("/v1/agents/{agent}/inquiries/{inquiry}/interactions", a.interactions)
		r.Get("/v1/agents/{agent}/trend", a.trend)
		r.Get("/v1/agents/{agent}/standing", a.standing)
		r.Get("/v1/teams/{team}/agents", a.teamAgents)
		r.Get("/v1/teams/{team}/trend", a.teamTrend)
		r.Get("/v1/models", a.tenantModels)
		r.Get("/v1/teams", a.directoryTeams)
		r.Get("/v1/agents", a.directoryAgents)
		r.Get("/v1/inquiries", a.tenantInquiries)
		r.Get("/v1/outcome-models", a.outcomeModels)
	})
	r.Group(func(r chi.Router) {
		// A TV's wallboard key (role wallboard) reads its model's
		// wallboard and nothing else.
		r.Use(auth.Require(a.verify, auth.RoleAgent, auth.RoleSupervisor, auth.RoleAdmin, auth.RoleWallboard))
		r.Get("/v1/wallboards/{model}", a.wallboard)
	})
}
