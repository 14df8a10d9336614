-- roster holds each agent's newest current interaction per model as one
-- log partition's fold sees it: the processor keeps it as state (the
-- newest by ended_at, then interaction_id, of the agent's current
-- interactions in the model that the partition applied) and writes the
-- part's full value whenever it changes, versioned by the log offset of
-- the record that changed it. An agent's current team is team_id of the
-- newest of their parts over every model and partition; interaction_id ''
-- means the partition holds no current interaction of the agent in the
-- model any more. Rows of one part collapse to the highest version on
-- merge; reads take argMax(..., version) per part. The table has one row
-- per (tenant, agent, model, partition): small next to buckets.
CREATE TABLE IF NOT EXISTS {{database}}.roster
(
    tenant_id      String,
    agent_id       String,
    model          String,
    log_partition  Int32,
    team_id        String,
    interaction_id String,
    ended_at_ns    Int64,
    version        UInt64
)
ENGINE = ReplacingMergeTree(version)
ORDER BY (tenant_id, agent_id, model, log_partition)
