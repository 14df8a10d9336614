// Package catchup decides whether a server's figures may be answered:
// never a figure computed from part of the history (DESIGN.md §3, issue
// 12 item 7).
//
// A Gate compares, every Config.Interval, the interactions topic's end
// offset of every partition with the store's checkpoint (the next offset
// the processor will store). A partition whose store is at least
// Config.MaxLag records behind is being rebuilt (a replay after a
// restart, a backfill, a processor that was down): the processor folds it
// without publishing updates (processor/update_publish.go), so neither
// the store nor the update overlay holds its history yet. The partition
// stays pending until the store's checkpoint reaches the log end seen the
// last time it was behind, or the processor's schemas.KindRebuilt marker
// for it arrives. While any partition is pending (and until the first
// comparison has succeeded) Err returns a *BehindError and Handler answers
// 503 with Retry-After (estimated from the rate the store catches up at)
// and a JSON error with "catching_up": true. When the gate opens, and on
// every rebuilt marker, Config.Refresh runs first (the server drops the
// figures it cached from the partial store), so the first answer after
// the gate opens is computed from the whole history.
//
// The first comparison is stricter: every partition the store is behind
// at all is pending until the store reaches the end seen then, because
// the updates of records not stored yet may have been published before
// this server's feed began (the server runs the gate only once the feed
// has fixed its start offsets, feed.Started). After it, near the log end
// nothing changes: a store less than MaxLag records behind is normal
// freshness (updates precede the store write), and the gate stays open. A
// failed comparison (broker or store unreachable) keeps the last decision.
//
// A known limit: a transactional producer ends each transaction with a
// control record the processor never stores, so the first comparison keeps
// a quiet partition pending until its next record arrives (RUNBOOK,
// "Recovering after losing ClickHouse").
//
// # Concurrency
//
// Run polls in one goroutine; Err, Handler, OnRebuilt and the metrics are
// safe for concurrent use. Refresh is called with no lock held, from Run's
// goroutine or from OnRebuilt's caller (the updates feed).
package catchup
