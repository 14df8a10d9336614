-- interaction_timeline is a narrow index of interactions sorted by time
-- within a model: one row per applied revision. LatestData reads a model's
-- newest rows from it as a key range (widening a window back from now
-- until it finds a current revision) instead of scanning the tenant, and
-- checks each candidate against interaction_revisions. It is written after
-- interactions, like interaction_revisions.
CREATE TABLE IF NOT EXISTS {{database}}.interaction_timeline
(
    tenant_id       String,
    model           String,
    ended_at_ns     Int64,
    ended_at_offset Int32,
    interaction_id  String,
    revision        Int64,
    log_partition   Int32,
    log_offset      Int64
)
ENGINE = ReplacingMergeTree()
PARTITION BY toYYYYMM(toDateTime(intDiv(ended_at_ns, 1000000000), 'UTC'))
ORDER BY (tenant_id, model, ended_at_ns, interaction_id, revision, log_partition, log_offset)
SETTINGS index_granularity = 1024
