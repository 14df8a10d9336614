package main

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/go-chi/chi/v5"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/twmb/franz-go/pkg/kgo"
	"golang.org/x/sync/errgroup"

	"github.com/agentpulse/agentpulse/audit"
	"github.com/agentpulse/agentpulse/auth"
	"github.com/agentpulse/agentpulse/auth/apikeys"
	"github.com/agentpulse/agentpulse/auth/roster"
	"github.com/agentpulse/agentpulse/processor/store"
	"github.com/agentpulse/agentpulse/server/api"
	"github.com/agentpulse/agentpulse/server/app"
	"github.com/agentpulse/agentpulse/server/httpmw"
	"github.com/agentpulse/agentpulse/server/notify"
	"github.com/agentpulse/agentpulse/server/ws"
)

// serverPart is the client-facing side over one store (server/app), as
// `all` and `serve` build it from their flags.
type serverPart struct {
	app        *app.Server
	routes     func(chi.Router)
	closePlans func()
}

// serverDeps are what buildServer needs from the command.
type serverDeps struct {
	store     store.Store
	seeds     []string
	kafkaOpts []kgo.Opt
	verifier  auth.TokenVerifier
	// keys serves the admins' API-key routes; the caller runs it.
	keys *apikeys.Log
	// roster is the tenants' rosters of people; the caller runs it.
	roster *roster.Log
	// audit records and serves the audit log; the caller runs it.
	audit *audit.Log
	reg   *prometheus.Registry
	log   *slog.Logger
	// mount adds routes outside the API limits (the dashboard).
	mount func(chi.Router)
	// outcomes answers GET /v1/outcome-models; nil: 503.
	outcomes api.OutcomeModelSource
	// dataDir keeps the generated erasure secret.
	dataDir string
}

// buildServer opens the plan store and assembles the server.
func buildServer(ctx context.Context, d serverDeps, af *apiFlags, wf *wsFlags) (*serverPart, error) {
	ret, err := af.retention.config(d.dataDir)
	if err != nil {
		return nil, err
	}
	planStore, closePlans, err := app.OpenPlanStore(ctx, d.store, d.seeds, d.log, d.kafkaOpts...)
	if err != nil {
		return nil, err
	}
	srv, err := app.New(app.Config{
		Store: d.store, Plans: planStore, Brokers: d.seeds, KafkaOpts: d.kafkaOpts, Verifier: d.verifier,
		Limits: httpmw.Config{RatePerSecond: af.rate, MaxBodyBytes: af.maxBody, TrustedProxies: af.trusted},
		WS: ws.Config{AllowedOrigins: splitList(wf.allowedOrigins), MaxQueueBytes: wf.maxQueueBytes, MaxSubscriptions: wf.maxSubscriptions,
			MaxChannels: wf.maxChannels, SubscribeRate: wf.subscribeRate},
		Keys:          d.keys,
		Roster:        d.roster,
		Audit:         d.audit,
		Retention:     ret,
		Notify:        notify.Config{SMTPAddr: wf.smtpAddr, SMTPFrom: wf.smtpFrom, AllowPrivateWebhooks: wf.webhookAllowPrivate},
		Mount:         []func(chi.Router){d.mount},
		OutcomeModels: d.outcomes,
		Registerer:    d.reg, Logger: d.log,
	})
	if err != nil {
		closePlans()
		return nil, err
	}
	return &serverPart{app: srv, routes: srv.Routes, closePlans: closePlans}, nil
}

// run runs the server's parts in g.
func (p *serverPart) run(ctx context.Context, g *errgroup.Group) {
	g.Go(func() error { return p.app.Run(ctx) })
}

// ready is part of /readyz: the figures cache's first warm-up has ended.
func (p *serverPart) ready(ctx context.Context) error {
	if err := p.app.Ready(ctx); err != nil {
		return fmt.Errorf("server: %w", err)
	}
	return nil
}

// close releases the plan store's broker client, after run has returned.
func (p *serverPart) close() { p.closePlans() }
