-- key_filters holds, per partition of the "interactions" topic, the
-- newest static filter of interaction keys: a membership filter (an opaque
-- encoding of the processor's) of every interaction the partition applied
-- at offsets below built_below. The processor builds it from the store
-- (or from its first load) and keeps it apart from the snapshot written
-- every minute, which only names the built_below it relies on: the filter
-- grows with history, the snapshot does not. Rows collapse to the newest
-- on merge; reads take the newest with ORDER BY ... LIMIT 1.
CREATE TABLE IF NOT EXISTS {{database}}.key_filters
(
    log_partition Int32,
    built_below   UInt64,
    filter        String
)
ENGINE = ReplacingMergeTree(built_below)
ORDER BY log_partition
