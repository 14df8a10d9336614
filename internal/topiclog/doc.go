// Package topiclog owns one mechanism the product uses several times: a
// Kafka topic that is the durable record of a small piece of state, read
// from its start into memory at start, appended to with a durable
// acknowledgement, and tailed afterwards so that writes made by other
// processes reach this one. The audit log, API keys, the embedded store's
// coaching plans and notifications are kept this way; each owner keeps its
// own in-memory view and decides what a record means, topiclog moves the
// bytes.
//
// # Lifecycle
//
// New makes the producer (no broker round trip). Load creates the topic
// when missing (with Config.Partitions and Config.TopicConfig: retention,
// compaction) and replays every record below the end offsets it finds,
// through Config.Apply with replay true; then Ready is nil. Open is New
// then Load. Run loads when Load has not succeeded yet (retrying every
// Config.RetryEvery while the broker is away), then tails the topic
// through Apply with replay false until its context ends. An owner that
// is the only writer of its topic (the embedded store's plans) may Open
// and never Run.
//
// A partition whose records have all been deleted (retention, a
// DeleteRecords) counts as replayed: its start offset equals its end. A
// topic that exists is used even when creating it is refused (a managed
// Kafka whose operator created it and grants only read, write and
// describe).
//
// # Writes
//
// Append produces one record and returns once every in-sync replica has
// it (acks=all), or the error, within Config.AppendTimeout or its
// context (a broker that does not answer fails the Append instead of
// holding its caller; the client may still write the record later, and
// writes are not idempotent in Kafka's sense, so a retried produce may
// store a record twice). It does not call Apply: an owner that
// wants its own write visible at once applies it itself after Append
// returns, and, when it also runs Run, sees the record a second time from
// the tail; records must therefore be idempotent (full states with
// versions, or ids) so that applying one twice changes nothing.
//
// # Bad records
//
// Apply returning an error during the replay fails Load (the owner cannot
// trust its state) unless Config.SkipBad, when it is logged with its
// offset (never its bytes) and skipped. While tailing, an error is always
// logged and skipped.
//
// # Concurrency
//
// A Log is safe for concurrent use: Append, Ready and Close from any
// goroutine. Apply is called from one goroutine at a time, in the
// topic's order within a partition: Load's caller during the replay,
// then Run's. Load is serialised (a second concurrent call waits, then
// returns at once). Close ends the clients; Run must have returned or
// have its context cancelled first.
package topiclog
