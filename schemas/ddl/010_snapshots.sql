-- snapshots holds, per partition of the "interactions" topic, the newest
-- snapshot of the processor's hot state (the recent interactions and
-- bucket parts it keeps in memory, an opaque encoding of the processor's)
-- and the checkpoint it was taken at. A snapshot row is itself a
-- checkpoint: the store's checkpoint is the highest next_offset of
-- checkpoints and snapshots, so one single-row insert stores both at once
-- and a snapshot is never ahead of the checkpoint. Rows collapse to the
-- newest on merge; reads take the newest with ORDER BY ... LIMIT 1.
CREATE TABLE IF NOT EXISTS {{database}}.snapshots
(
    log_partition Int32,
    next_offset   UInt64,
    state         String
)
ENGINE = ReplacingMergeTree(next_offset)
ORDER BY log_partition
