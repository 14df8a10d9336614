package main

import (
	"flag"
	"log/slog"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/agentpulse/agentpulse/server/api"
	"github.com/agentpulse/agentpulse/server/auth"
	"github.com/agentpulse/agentpulse/server/feed"
	"github.com/agentpulse/agentpulse/server/live"
	"github.com/agentpulse/agentpulse/server/ws"
	"github.com/agentpulse/agentpulse/views/storeview"
)

// wsFlags are the flags of the websocket hub of `agentpulse all`.
type wsFlags struct {
	allowedOrigins   string
	maxQueueBytes    int
	maxSubscriptions int
}

func (f *wsFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&f.allowedOrigins, "ws-allowed-origins", "", "browser origins besides the server's own host that may open GET /v1/ws, comma-separated (scheme://host:port; * for any)")
	fs.IntVar(&f.maxQueueBytes, "ws-max-queue-bytes", ws.DefaultMaxQueueBytes, "bytes a websocket client's outbound queue may hold; a client past it is closed with code 4001 and resumes")
	fs.IntVar(&f.maxSubscriptions, "ws-max-subscriptions", ws.DefaultMaxSubscriptions, "subscriptions one websocket connection may hold")
}

// build returns the updates feed and the websocket hub, the hub's score
// messages registered on the feed. Plans channels answer not_found until
// the coaching plans provide live.Config.Plan.
func (f *wsFlags) build(seeds []string, sv *storeview.Views, a *api.API, v auth.TokenVerifier, reg prometheus.Registerer, log *slog.Logger) (*feed.Feed, *ws.Hub, error) {
	rules, err := live.New(live.Config{Views: sv, API: a})
	if err != nil {
		return nil, nil, err
	}
	hub, err := ws.New(ws.Config{
		Verifier: v, Authorize: rules.Authorize, Snapshot: rules.Snapshot,
		AllowedOrigins: splitList(f.allowedOrigins), MaxQueueBytes: f.maxQueueBytes, MaxSubscriptions: f.maxSubscriptions,
		Logger: log, Registerer: reg,
	})
	if err != nil {
		return nil, nil, err
	}
	updates, err := feed.New(feed.Config{Brokers: seeds, Logger: log, Registerer: reg})
	if err != nil {
		return nil, nil, err
	}
	updates.Handle(hub.OnUpdate)
	return updates, hub, nil
}
