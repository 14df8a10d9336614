-- model_latest holds, per tenant model and log partition, the partition's
-- newest current interaction in the model (the newest of its agents'
-- roster parts), and the agent it counts for: the processor keeps it as
-- state and writes the part's full value whenever it changes, versioned by
-- the log offset of the record that changed it. LatestData reads a model's
-- parts (one per partition: a key range) and takes the newest whose
-- interaction is current; interaction_id '' means the partition holds none
-- any more. Rows of one part collapse to the highest version on merge;
-- reads take argMax(..., version) per part.
CREATE TABLE IF NOT EXISTS {{database}}.model_latest
(
    tenant_id      String,
    model          String,
    log_partition  Int32,
    agent_id       String,
    interaction_id String,
    ended_at_ns    Int64,
    version        UInt64
)
ENGINE = ReplacingMergeTree(version)
ORDER BY (tenant_id, model, log_partition)
