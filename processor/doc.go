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
// and the Sums of every bucket part) is a pure function of the partition's
// log up to an offset: folding is deterministic, an equal or lower
// revision changes nothing, a higher one retracts the old contribution and
// adds the new. The store holds that state as versioned values, never as
// increments:
//
//  1. A worker folds records and, every FlushInterval or FlushRecords, writes
//     one store.Batch (while a partition is far behind its log end, in a
//     replay, CatchUpFlushInterval replaces FlushInterval, so that batches
//     fill up to FlushRecords): the applied revisions with their (partition, offset),
//     then the full new value of every changed bucket part versioned by the
//     offset of the last record that changed it, then the partition's
//     checkpoint (the next offset), which every SnapshotInterval (and on a
//     graceful stop) is a snapshot of the fold's hot state stored in the
//     same single-row insert. The batches of all the processor's
//     partitions that are ready at once go in one store write
//     (store.Writer.ApplyAll: every record and bucket row, then every
//     checkpoint), so inserts per second do not grow with the partition
//     count. Only after the store acknowledges does a worker mark its
//     offsets for the group commit.
//  2. Every write is idempotent: a revision row is keyed by interaction,
//     revision and offset; a bucket row is a full value whose higher version
//     wins; a checkpoint only moves forward; a snapshot is never ahead of
//     the checkpoint (a snapshot row is a checkpoint).
//  3. On (re)assignment, a worker resumes at the store's newest snapshot S
//     (≤ the checkpoint) with the state it holds, or, with no snapshot, at
//     the checkpoint C after reloading exactly the revisions the store
//     holds at offsets below it (store.LoadPartition, a read of the
//     partition's history done once, after which a snapshot is written;
//     it comes in order of ended_at, and days leave memory while it loads
//     exactly as they would after it: they are stored).
//     Either way its state is the fold of the log below where it resumes.
//
// A crash before the checkpoint write leaves rows from offsets at or past
// the checkpoint; they are ignored by every read the processor makes and
// rewritten identically (same values, same versions) when the log is
// replayed. Resuming at a snapshot older than the checkpoint refolds
// records already stored: the same rows again. A crash after it loses
// nothing: everything below the checkpoint is stored. A broker
// redelivery or a CCaaS re-send of the same revision is an equal revision
// and changes nothing. So the stored figures equal the fold of the log,
// exactly once, whatever instant the process dies at;
// TestCrashKill9DuringIngest and TestCrashKill9WithEviction kill it with
// SIGKILL repeatedly to check it.
//
// # Bounded by the present: the horizon
//
// A fold keeps in memory the interactions and bucket parts of recent
// days of event time, grouped by UTC day (dayState: an index of plain
// values and the day's parts). A day leaves memory as a whole once it
// ended StateHorizon before the newest ended_at the partition applied
// (its watermark) and every batch that changed it is stored; its
// interactions' keys go into the evicted filter (filter.go, no false
// negatives): a static binary fuse filter of every key the partition
// applied below an offset X (keyfilter.go, about 1.1 bytes per key,
// stored apart from the snapshots with store.SaveKeyFilter) and a Bloom
// chain of the keys evicted since. When the chain holds an eighth of the
// static filter's keys, the worker seals it and builds a new static
// filter in the background from the store's keys below its checkpoint C
// (store.Keys; every sealed key left memory stored, so below C), stores
// it, then drops the sealed chain (keybuild.go). The static filter is
// 2^b binary fuse filters, a key's shard the top b bits of its hash, b
// chosen so that a shard holds at most 2^18 keys (C bounds the keys):
// a build writes each hash to its shard's file under Config.ScratchDir
// and builds the shards one at a time (keyspill.go), so it holds one
// shard's keys (~9 MB), not the partition's history. A snapshot names the X
// its chain relies on; a newer stored filter covers more keys, which
// costs at most a lookup that finds nothing, and a kill before the new
// filter is stored leaves the old X and the whole chain in the snapshot.
// A snapshot whose filter the store does not have is not used (the
// partition loads from the store). Memory for the keys of history is
// then about 1.1 bytes per interaction instead of the chain's 2 to 3.
// Evicting never changes what the fold computes, only what it must read
// back, so when it happens (flush timing) does not matter to the
// argument above. Before folding a fetched batch whose first offset is B,
// the worker brings back (hydrate) the current revision of every
// interaction of the batch that is not in memory and that the filter may
// hold (store.Current below B), and every bucket part of an evicted day
// that a record or such a revision counts in, as the sum of the
// revisions that are current in it below B (store.CurrentIn). That is
// exact: everything the partition applied below B is in memory or, having
// left after it was stored, in the store; rows at or past B (a crash's
// leftovers) are not read; and a part of an evicted day is either wholly
// in memory or wholly in the store, because it is loaded before any
// record changes it. So a correction of any age retracts exactly what the
// earlier revision added, wherever it counted. A record that ended more
// than AcceptanceWindow before the watermark goes to the dead-letter
// topic; the watermark is a function of the log (restored from
// snapshots), so a refold decides the same. TestCorrectionsBeyondHorizon,
// TestCorrectionsThroughStaticFilter (corrections 60 to 70 days old whose
// keys only a static filter holds) and TestRestartWithoutSnapshot check
// corrections past the horizon against the reference;
// TestEvictedFilterNoFalseNegatives checks the filter's operations.
//
// Updates are published after folding and before the store write (the
// freshness target cannot wait for a flush). After a crash the replay
// publishes them again: an Update carries full bucket values with versions,
// so receiving one twice changes nothing.
//
// Catch-up (update_publish.go): a fetched batch that begins at least
// FlushRecords/10 records behind its partition's log end (a replay, a
// restart after downtime, a backfill) publishes no updates, nor do the
// batches after it until the partition is less than that behind. Then
// what was folded is stored (flush, waited for) and one
// schemas.KindRebuilt marker with the last offset folded is published, so readers that keep figures from updates read
// the store once instead of applying a copy of the history. A crash in
// between loses no marker that matters: the next owner replays from the
// checkpoint and announces its own catch-up, and readers also compare the
// store's checkpoints with the log end (server/catchup).
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
// Per model, the newest of the partition's roster parts is stored too
// (store.Batch.Latest, latest.go): a store answers LatestData from one
// row per partition. Its value right after the record that last changed a
// roster part of the model is a function of the log, and it is versioned
// by that record's offset, so a refold that cuts batches elsewhere, or a
// kill between any two writes, leaves the same values as any part.
package processor
