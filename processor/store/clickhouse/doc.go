// Package clickhouse is the production store: store.Store on ClickHouse
// over the native protocol (clickhouse-go/v2), for ClickHouse 18.16 (what
// Debian ships) and current releases alike.
//
// # Tables
//
// The schema lives in package schemas/ddl (one idempotent CREATE per file,
// applied by Open and by Migrate):
//
//   - interactions: every applied revision with its log position
//     (log_partition, log_offset) and every canonical field.
//     ReplacingMergeTree ordered by (tenant_id, agent_id, model, inquiry,
//     ended_at_ns, interaction_id, revision, log_partition, log_offset), so
//     an agent's rows are one key range and an identical redelivery shares
//     the whole key and collapses, while other revisions and positions stay.
//   - interaction_revisions: a narrow index of the same rows ordered by
//     (tenant_id, interaction_id, revision, ...): where the newest revision
//     of an interaction is, whatever agent, model or inquiry it has now.
//     A stored revision is these two rows (interaction_timeline, a third
//     copy sorted by model and time for LatestData, was dropped by ddl
//     021: LatestData reads model_latest).
//   - buckets: the full value of each hourly aggregate, ReplacingMergeTree
//     (version) keyed by (tenant_id, model, agent_id, inquiry, team_id,
//     hour), partitioned by month.
//   - bucket_hours: the same rows as buckets ordered by (tenant_id, model,
//     hour, agent_id, ...): a range of hours of a model is a key range
//     (reads of every agent; the compactor's days).
//   - bucket_touches, rollups, rollup_state: the rollups (rollup.go,
//     compact.go): per model, day and log partition the highest version
//     written; merged rows of sealed days, runs of days and months (time
//     first in the key); which generation of each period is current and
//     which touches it includes.
//   - roster, tenant_models: each agent's newest current interaction per
//     model and partition (roster.go); the (tenant, model) pairs.
//   - model_latest: each model's newest current interaction per partition
//     and its agent (store.LatestPart), kept by the processor: LatestData
//     reads one row per partition (latest.go). Filled from roster once
//     when an older database is migrated.
//   - checkpoints: (log_partition, next_offset) rows; the checkpoint is the
//     maximum of these and of snapshots.
//   - snapshots: (log_partition, next_offset, state): the processor's hot
//     state stored with a checkpoint in one row (Batch.Snapshot); the
//     newest is read on assignment. Current and CurrentIn look up a
//     partition's revisions as of an offset for the interactions and
//     bucket parts that left the processor's memory.
//   - key_filters: (log_partition, built_below, filter): the processor's
//     static filter of the keys a partition applied below an offset,
//     kept apart from the snapshot (which names the offset it needs), so
//     that the snapshot written every minute does not grow with history.
//     Keys streams a partition's keys from interaction_revisions to
//     build it.
//
// Timestamps are Int64 unix nanoseconds plus the original UTC offset in
// seconds (18.16 has no DateTime64; DateTime is whole seconds), so a record
// reads back with the same instant and the same offset; the zone's name is
// not kept (schemas.ParseTimestamp never makes named zones). Predictions are
// Nullable(Float64): 18.16 has Nullable, aggregates skip NULL, and absent
// stays distinct from 0 without a second flag column to keep in step.
// source_refs and attributes are the record's canonical JSON text
// (schemas.SourceRefs, schemas.Attributes), stored as is and kept as read
// when canonical (empty when absent); rows written before that are made
// canonical on read. The optional
// inputs hold_s, queue_wait_s and transfers are Nullable; customer_key,
// chain_id and initiation are the empty string when absent (never a valid value). They
// were added by an ALTER (ddl 009), which Open applies to older databases.
//
// # Why reads are right before merges
//
// ReplacingMergeTree collapses rows only when it merges parts, at a time
// of its choosing, and never across partitions. No read depends on that:
// Buckets takes argMax(value, version) per key and drops zero volumes;
// Recent and LoadPartition take max(revision) per interaction from
// interaction_revisions and keep the rows that are that revision, dropping
// not-yet-merged duplicates with LIMIT 1 BY; LatestData takes
// argMax(..., version) per model_latest part and checks the part's row
// against interaction_revisions; Checkpoint takes max(next_offset). Merges only make these cheaper.
//
// Buckets does not use FINAL. FINAL is correct only while the filter on a
// non-key column (volume != 0) stays out of PREWHERE, which runs before
// rows collapse (checked on 18.16: with PREWHERE an older non-empty
// version of an emptied bucket comes back); and it merges on one thread
// at read time. SumBuckets (store.Summer) does use it for hours, with only
// sorting-key columns in WHERE and the empty-part condition inside sumIf:
// over a whole model it beats argMax per part by 5× (see sumrange.go),
// because it never hashes millions of string keys; rollups need no FINAL
// (a generation's rows are unique).
// Measured on 18.16 with 1,000,000 interactions (988,560 buckets) loaded
// (BenchmarkBuckets): right after the load, parts unmerged and the machine
// busy, a model's 330,069 buckets over 90 days took 1.32 s with argMax
// against 2.67 s with FINAL, one agent's 459 buckets 32 ms against 171 ms;
// once merges had settled, 0.40 s against 0.31 s for the model and 8.7 ms
// against 13.1 ms for the agent. argMax wins where it matters (one agent, a
// table being written) and is never wrong.
//
// # Writes, retries, failures
//
// Apply writes interactions, then interaction_revisions, with buckets and
// bucket_hours alongside, then bucket_touches, the roster and model_latest
// once the records and buckets are stored, and the checkpoint once all of
// those are stored; each is one columnar insert with an explicit column
// list (18.16 requires one), sent on a single server in blocks of
// insertBlockRows rows that the server squashes into parts and
// acknowledges once, so the driver reuses one block's buffers instead of
// growing them to the whole insert (whole, in cluster mode, where a
// Distributed insert is not squashed). Each insert is retried on transient errors
// (see Transient) with exponential backoff and jitter, rebuilding the
// driver batch from the store.Batch on every attempt. A failure anywhere
// leaves rows that the processor's replay from the old checkpoint rewrites
// identically, so the store's consistency model (package store) holds.
// A new revision becomes visible to Recent when its index row lands, after
// its full row, and to LatestData when its model_latest part lands, after
// both.
//
// # 18.16 compatibility
//
// Native protocol only (this driver's HTTP needs newer servers);
// client-side argument binding (no server-side parameters); no window
// functions, DateTime64, LowCardinality or JSON type; unsigned
// ReplacingMergeTree versions; no alias equal to a column used inside an
// aggregate; time zones named explicitly ('UTC') so the server's zone never
// matters. Current releases' limit of 100 partitions per insert block is
// lifted per insert when the server has it, so a backfill batch spanning
// many months still goes in.
//
// # Concurrency
//
// A Store is safe for concurrent use. Each read takes one pooled connection
// (Config.MaxOpenConns) while it runs, Apply up to four. Compact may run
// concurrently with everything, in several processes (see compact.go).
// Calls after Close return ErrClosed.
package clickhouse
