package main

import (
	"flag"

	"github.com/agentpulse/agentpulse/server/ws"
)

// wsFlags are the flags of the server's live side: the websocket hub and
// the notifications it pushes (`agentpulse all` and `serve`).
type wsFlags struct {
	allowedOrigins      string
	maxQueueBytes       int
	maxSubscriptions    int
	maxChannels         int
	subscribeRate       float64
	smtpAddr            string
	smtpFrom            string
	webhookAllowPrivate bool
}

func (f *wsFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&f.allowedOrigins, "ws-allowed-origins", "", "browser origins besides the server's own host that may open GET /v1/ws, comma-separated (scheme://host:port; * for any)")
	fs.IntVar(&f.maxQueueBytes, "ws-max-queue-bytes", ws.DefaultMaxQueueBytes, "bytes a websocket client's outbound queue may hold; a client past it is closed with code 4001 and resumes")
	fs.IntVar(&f.maxSubscriptions, "ws-max-subscriptions", ws.DefaultMaxSubscriptions, "subscriptions one websocket connection may hold")
	fs.IntVar(&f.maxChannels, "ws-max-channels", ws.DefaultMaxChannels, "channels the websocket hub holds; past it idle histories are dropped and new channels refused with unavailable")
	fs.Float64Var(&f.subscribeRate, "ws-subscribe-rate", ws.DefaultSubscribeRate, "subscribe messages per second one websocket connection may send, sustained (burst: --ws-max-subscriptions); more are refused with rate_limited")
	fs.StringVar(&f.smtpAddr, "smtp-addr", "", "SMTP server (host:port) that sends notification e-mails; empty: no e-mail")
	fs.StringVar(&f.smtpFrom, "smtp-from", "agentpulse@localhost", "From address of notification e-mails")
	fs.BoolVar(&f.webhookAllowPrivate, "webhook-allow-private", false, "let notification webhooks reach loopback, private and link-local addresses (a chat server on this network); off, such webhooks are refused")
}
