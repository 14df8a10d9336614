-- bucket_touches records, per model, UTC day (unix seconds) and log
-- partition, the highest bucket version written to that day, and the
-- newest hour written (the model's event-time watermark is the newest of
-- those plus one hour). The store writes a batch's touches after its
-- bucket parts and before its checkpoint, so a touch is visible only once
-- its parts are. A rollup records the touches it includes: a day whose
-- touches went past its rollup's is stale (read from its hours until the
-- compactor redoes it). Rows of a key collapse to the highest version on
-- merge; reads take max() per key.
CREATE TABLE IF NOT EXISTS {{database}}.bucket_touches
(
    tenant_id     String,
    model         String,
    day           UInt32,
    log_partition Int32,
    version       UInt64,
    newest_hour   UInt32
)
ENGINE = ReplacingMergeTree(version)
ORDER BY (tenant_id, model, day, log_partition)
