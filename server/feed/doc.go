// Package feed consumes the "updates" topic for one server instance and
// hands each schemas.Update to the registered handlers (the websocket
// hub's OnUpdate, caches).
//
// Every server instance consumes every partition itself, without a
// consumer group, starting at the topic's end when it starts: updates are
// a live signal, not a log to replay (a restarted server's clients get
// fresh snapshots). Any number of servers can run side by side.
//
// # Ordering and concurrency
//
// Handlers run in the feed's one goroutine, in partition order (the
// processor keys updates by tenant/agent, so one agent's updates arrive in
// order). They must not block: a slow handler delays every update and
// shows as lag (agentpulse_feed_lag_records). Memory is bounded by the
// client's fetch limits and PollRecords. A record that does not decode is
// counted and logged, never fatal.
package feed
