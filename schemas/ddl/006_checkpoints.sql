-- checkpoints holds, per partition of the "interactions" topic, the next
-- offset to consume. Rows only accumulate (and collapse to the highest on
-- merge); the checkpoint is max(next_offset), so it never goes back.
CREATE TABLE IF NOT EXISTS {{database}}.checkpoints
(
    log_partition Int32,
    next_offset   UInt64
)
ENGINE = ReplacingMergeTree(next_offset)
ORDER BY log_partition
