// Package ws is the websocket hub of GET /v1/ws (API.md "Live updates"):
// clients subscribe to channels (agent:{id}, team:{id}, plan:{id},
// wallboard:{model}), get a snapshot first and then every message
// published on the channel, and resume after a reconnect with the epoch
// and seq they last saw.
//
// The hub is generic: whether a token may see a channel (Config.Authorize)
// and what a channel's snapshot is (Config.Snapshot) are injected (package
// server/live provides both over the store's views); messages come from
// Publish (coaching plans) and OnUpdate (score messages from the updates
// topic, via package server/feed).
//
// # Protocol
//
// Client → server: {"op": "subscribe", "channel": "agent:a1"}, optionally
// with "epoch" and "since" to resume; {"op": "unsubscribe", "channel": …},
// acknowledged with {"op": "unsubscribed", "channel": …}. Server → client:
// {"channel", "epoch", "seq", "type": "snapshot"|"score"|"plan", "data"}
// and {"op": "error", "channel", "error", "message"} (codes in
// disconnect.go); and, to every connection of a tenant whatever it
// subscribed to, {"op": "names", "data"} (PushTenant: display names that
// changed; no epoch or seq, never replayed). schemas/ws.schema.json is
// the contract.
//
// # Consistency
//
// Channels are scoped by the token's tenant. Each channel has an epoch
// (random, new whenever the channel's state is created on this server)
// and a seq that grows by one per published message. A snapshot carries
// the seq of the last message published before it was built, and is at
// least as new as that message: messages that follow it may repeat a
// change the snapshot already shows. A resume ({epoch, since}) replays
// every message after since when the epoch matches and the channel's
// history (Config.HistorySize messages, kept Config.HistoryTTL after the
// last subscriber leaves) still holds all of them; otherwise it gets a
// fresh snapshot, never a partial replay. On wallboard channels a
// supervisor receives only the score messages of the teams they lead, so
// seq may skip numbers there.
//
// # Concurrency and back-pressure
//
// Publish and OnUpdate are safe for concurrent use and never block on
// clients: a message is encoded once and appended to each subscriber's
// outbound queue, bounded in bytes (Config.MaxQueueBytes). One writer
// goroutine per connection drains the queue; a client whose queue would
// overflow is closed with DisconnectSlow (4001) and resumes. Each
// connection's reader handles its messages in turn: authorization and
// snapshot of a subscription run in the reader, bounded by
// Config.SnapshotTimeout. The server pings every Config.PingInterval and
// closes a connection silent for Config.PongWait; it closes at the token's
// expiry with DisconnectTokenExpired. Close codes and their meaning
// (reconnect or stop) are catalogued in disconnect.go.
package ws
