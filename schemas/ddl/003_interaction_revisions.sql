-- interaction_revisions is a narrow index of interactions sorted by
-- interaction id: one row per applied revision, enough to find the newest
-- revision of an interaction wherever it lives. Recent uses it to leave out
-- an interaction whose newest revision moved to another agent, model or
-- inquiry; LatestData to skip a stale candidate; LoadPartition to pick the
-- newest revision below an offset. It is written after interactions, so a
-- revision becomes visible to reads only once its full row is stored.
-- Granules of 1024 rows keep a lookup of a few ids a small read.
CREATE TABLE IF NOT EXISTS {{database}}.interaction_revisions
(
    tenant_id      String,
    interaction_id String,
    revision       Int64,
    log_partition  Int32,
    log_offset     Int64,
    ended_at_ns    Int64
)
ENGINE = ReplacingMergeTree()
PARTITION BY toYYYYMM(toDateTime(intDiv(ended_at_ns, 1000000000), 'UTC'))
ORDER BY (tenant_id, interaction_id, revision, log_partition, log_offset)
SETTINGS index_granularity = 1024
