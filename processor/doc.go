// Package processor owns the write side of agentpulse: consuming the
// "interactions" topic as a member of a consumer group, deduplicating by
// (tenant, interaction, revision), folding interactions into per (tenant,
// model, team, agent, inquiry) hourly buckets, writing the store in
// batches, and publishing compact Update messages on the "updates" topic.
//
// # Concurrency
//
// One goroutine polls; each assigned partition has its own worker goroutine
// fed through a bounded queue (Config.QueueBatches fetched batches). A full
// queue stops polling for everyone: back-pressure from a slow store reaches
// the broker, never memory. A partition's fold is owned by its worker only.
//
// # Why a crash at any instant neither loses nor double-counts
//
// The state of a partition (which revision of each interaction is applied,
// and the Sums of every bucket) is a pure function of the partition's log
// up to an offset: folding is deterministic, an equal or lower revision
// changes nothing, a higher one retracts the old contribution and adds the
// new. The store holds that state as versioned values, never as increments:
//
//  1. A worker folds records and, every FlushInterval or FlushRecords, writes
//     one store.Batch (while a partition is far behind its log end, in a
//     replay, CatchUpFlushInterval replaces FlushInterval, so that batches
//     fill up to FlushRecords): the applied revisions with their (partition, offset),
//     then the full new value of every changed bucket versioned by the offset
//     of the last record that changed it, then the partition's checkpoint
//     (the next offset). Only after the store acknowledges does it mark the
//     offsets for the group commit.
//  2. Every write is idempotent: a revision row is keyed by interaction,
//     revision and offset; a bucket row is a full value whose higher version
//     wins; a checkpoint only moves forward.
//  3. On (re)assignment, a worker resumes at the store's checkpoint, not the
//     group's committed offset, and first reloads exactly the revisions the
//     store holds at offsets below that checkpoint (store.LoadPartition), so
//     its in-memory state is the fold of the log up to the checkpoint.
//
// A crash before the checkpoint write leaves rows from offsets at or past
// the checkpoint; they are ignored by the reload and rewritten identically
// (same values, same versions) when the log is replayed from the
// checkpoint. A crash after it loses nothing: everything below the
// checkpoint is stored. A broker redelivery or a CCaaS re-send of the same
// revision is an equal revision and changes nothing. So the stored figures
// equal the fold of the log, exactly once, whatever instant the process
// dies at; TestCrashKill9DuringIngest kills it with SIGKILL repeatedly to
// check it.
//
// Updates are published after folding and before the store write (the
// freshness target cannot wait for a flush). After a crash the replay
// publishes them again: an Update carries full bucket values with versions,
// so receiving one twice changes nothing.
//
// # Keys and bucket parts
//
// Interactions are keyed by tenant/interaction_id (ingest.Key), not by
// agent: a correction may move an interaction to another agent, team,
// inquiry or hour, and only the partition that folded the earlier revision
// can retract it. So every revision of an interaction meets the earlier
// ones in one partition, and one partition's fold writes its own part of a
// bucket (store.Bucket.Partition); readers add the parts of a key up.
// TestRevisionMovingToAnotherAgent checks a feed of such moves against the
// reference.
//
// # The roster
//
// The fold also keeps, per agent of a tenant's model, the partition's view
// of the agent's newest current interaction (roster.go): the roster part.
// It is stored (store.Batch.Roster) and published (Update.Roster) whenever
// it changes, versioned by offset like a bucket part; readers take the
// newest part over models and partitions as the agent's current team.
package processor
