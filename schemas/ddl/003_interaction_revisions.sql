-- interaction_revisions is a narrow index of interactions sorted by
-- interaction id: one row per applied revision, enough to find the newest
-- revision of an interaction wherever it lives (Recent must not show an
-- interaction whose newest revision moved to another agent, model or
-- inquiry), the newest ended_at of a model (LatestData) and the newest
-- revision below an offset (LoadPartition). It is written after
-- interactions, so a revision becomes visible to reads only once its full
-- row is stored. A small index granularity keeps lookups of a few ids cheap.
CREATE TABLE IF NOT EXISTS {{database}}.interaction_revisions
(
    tenant_id       String,
    interaction_id  String,
    revision        Int64,
    log_partition   Int32,
    log_offset      Int64,
    model           String,
    ended_at_ns     Int64,
    ended_at_offset Int32
)
ENGINE = ReplacingMergeTree()
PARTITION BY toYYYYMM(toDateTime(intDiv(ended_at_ns, 1000000000), 'UTC'))
ORDER BY (tenant_id, interaction_id, revision, log_partition, log_offset)
SETTINGS index_granularity = 1024
