package ws

import "github.com/gorilla/websocket"

// This file is the catalogue of everything the hub tells a client went
// wrong: the close codes that end a connection and the error codes of
// {"op": "error"} messages. Clients decide from the close code alone
// whether to reconnect (and resume with epoch and since) or to stop.

// Disconnect is one way the server ends a connection: the websocket close
// code and reason it sends, and whether the client should reconnect.
type Disconnect struct {
	// Code is the websocket close code (RFC 6455 §7.4).
	Code int
	// Reason is the close frame's reason text (at most 123 bytes).
	Reason string
	// Reconnect is true when the condition is temporary: reconnect with
	// backoff and resume each subscription with its epoch and last seq.
	// False means terminal: do not reconnect until the cause is fixed
	// (a new token, a smaller message).
	Reconnect bool
}

// Close codes 4000-4499 are temporary (reconnect), 4500-4999 terminal
// (stop), after centrifugal/centrifuge's split; 1001 and 1009 are the
// standard codes gorilla/websocket and browsers already know.
var (
	// DisconnectShutdown: the server is shutting down (or restarting).
	// Reconnect, possibly to another instance; resume replays or
	// re-snapshots.
	DisconnectShutdown = Disconnect{Code: websocket.CloseGoingAway, Reason: "server shutting down", Reconnect: true}
	// DisconnectSlow: the client did not read fast enough and its
	// outbound queue passed Config.MaxQueueBytes. Reconnect and resume:
	// the messages it missed are replayed when the server still holds
	// them, else it gets a fresh snapshot.
	DisconnectSlow = Disconnect{Code: 4001, Reason: "slow client: outbound queue full", Reconnect: true}
	// DisconnectWriteTimeout: one write to the client took longer than
	// Config.WriteTimeout. Reconnect and resume.
	DisconnectWriteTimeout = Disconnect{Code: 4002, Reason: "write timeout", Reconnect: true}
	// DisconnectNoPong: no pong (or any message) arrived within
	// Config.PongWait. Reconnect and resume.
	DisconnectNoPong = Disconnect{Code: 4003, Reason: "keepalive timeout: no pong", Reconnect: true}
	// DisconnectTokenExpired: the token the connection was opened with
	// expired. Terminal for this token: obtain a new one, then reconnect.
	DisconnectTokenExpired = Disconnect{Code: 4500, Reason: "token expired", Reconnect: false}
	// DisconnectMessageTooBig: a client message was larger than
	// Config.ReadLimit. gorilla/websocket sends the standard 1009 itself.
	// Terminal: the client is broken.
	DisconnectMessageTooBig = Disconnect{Code: websocket.CloseMessageTooBig, Reason: "message too big", Reconnect: false}
	// DisconnectBadClient: the client sent too many malformed messages in
	// a row (Config.MaxBadMessages). Terminal: the client is broken.
	DisconnectBadClient = Disconnect{Code: 4501, Reason: "too many malformed messages", Reconnect: false}
	// DisconnectAccessRevoked: the token, verified again after a change of
	// who may see what (the tenant's roster of people), no longer admits
	// its holder, or grants a role that may not connect. Terminal: the
	// person's access was taken away; signing in again does not help
	// until an administrator restores it.
	DisconnectAccessRevoked = Disconnect{Code: 4502, Reason: "access revoked: this person may no longer use the dashboard here", Reconnect: false}
)

// Disconnects lists every Disconnect, for documentation and tests.
var Disconnects = []Disconnect{
	DisconnectShutdown, DisconnectSlow, DisconnectWriteTimeout, DisconnectNoPong,
	DisconnectTokenExpired, DisconnectMessageTooBig, DisconnectBadClient, DisconnectAccessRevoked,
}

// closeFrame is the payload of the close frame of d.
func (d Disconnect) closeFrame() []byte { return websocket.FormatCloseMessage(d.Code, d.Reason) }

// Error codes of {"op": "error", "channel": …, "error": code, "message":
// …}. The connection stays open after each of them.
const (
	// ErrCodeForbidden: the token may not see the channel.
	ErrCodeForbidden = "forbidden"
	// ErrCodeNotFound: the channel names something that does not exist in
	// the token's tenant (a plan id nobody has).
	ErrCodeNotFound = "not_found"
	// ErrCodeBadMessage: the message is not a JSON object of the protocol
	// (not JSON, a binary frame, a field of the wrong type, an unknown
	// field, since without epoch).
	ErrCodeBadMessage = "bad_message"
	// ErrCodeUnknownOp: op is neither subscribe nor unsubscribe.
	ErrCodeUnknownOp = "unknown_op"
	// ErrCodeBadChannel: the channel is not kind:id with a kind of
	// agent, team, plan or wallboard and a valid id.
	ErrCodeBadChannel = "bad_channel"
	// ErrCodeTooManySubscriptions: the connection already holds
	// Config.MaxSubscriptions subscriptions.
	ErrCodeTooManySubscriptions = "too_many_subscriptions"
	// ErrCodeNotSubscribed: unsubscribe of a channel the connection does
	// not hold.
	ErrCodeNotSubscribed = "not_subscribed"
	// ErrCodeUnavailable: the server could not read the channel's state
	// (the store failed, or is catching up with the log and the snapshot
	// would be partial) or holds the most channels it may
	// (Config.MaxChannels); retry the subscription later.
	ErrCodeUnavailable = "unavailable"
	// ErrCodeRateLimited: the connection sent subscribe messages faster
	// than Config.SubscribeRate; retry the subscription after a pause.
	ErrCodeRateLimited = "rate_limited"
)
