package main

import (
	"flag"
	"log/slog"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/agentpulse/agentpulse/server/api"
	"github.com/agentpulse/agentpulse/server/auth"
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

// hub builds the websocket hub with the channel rules of server/live;
// plan serves plan:{id}.
func (f *wsFlags) hub(sv *storeview.Views, a *api.API, v auth.TokenVerifier, reg prometheus.Registerer, log *slog.Logger, plan live.PlanFunc) (*ws.Hub, error) {
	rules, err := live.New(live.Config{Views: sv, API: a, Plan: plan})
	if err != nil {
		return nil, err
	}
	return ws.New(ws.Config{
		Verifier: v, Authorize: rules.Authorize, Snapshot: rules.Snapshot, ScoreData: live.ScoreData(sv),
		AllowedOrigins: splitList(f.allowedOrigins), MaxQueueBytes: f.maxQueueBytes, MaxSubscriptions: f.maxSubscriptions,
		Logger: log, Registerer: reg,
	})
}
