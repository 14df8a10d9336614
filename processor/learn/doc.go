// Package learn runs the outcome learner (package outcomes) on the log: it
// consumes every partition of the interactions and outcomes topics (not as
// a consumer-group member: a tenant's customers span partitions, so one
// learner must see them all), feeds an outcomes.Stream, hands what Drain
// returns to a Sink, and checkpoints the stream together with the offsets
// it has consumed.
//
// # Why a crash changes nothing
//
// The checkpoint (checkpoint.go) is one file holding the next offset of
// every partition, the newest ended_at seen per interactions partition and
// the stream's state, written to a temporary file, synced and renamed over
// the last one. After a kill -9 the learner resumes from the last
// checkpoint: the records after it are consumed again and, the stream
// being a function of the records it has seen (for records that arrive
// before their day is sealed), it reaches the same state and emits the
// same cells, byte for byte; the sink receives some cells twice, as full
// values (TestKillAndResume).
//
// Sealing is bounded by the slowest partition (Stream.SetLowWatermark:
// the oldest newest-ended_at among the interactions partitions that are
// not caught up with their end), so a partition fetched ahead of the
// others does not make the others' records late.
//
// # Concurrency
//
// Run owns the stream and calls the sink from its goroutine; Run must not
// be called twice. Models is safe for concurrent use with Run.
//
// cmd/agentpulse runs it in `all` and `process` (--learn, checkpoint in
// --data-dir/learn) with a nil Sink: the stores have no place for learned
// cells yet, so the learner serves GET /v1/outcome-models and its metrics
// only. Servers in other processes get its summaries from the compacted
// outcome-models topic (publish.go: Publish in `process`, ModelsReader in
// `serve`).
package learn
