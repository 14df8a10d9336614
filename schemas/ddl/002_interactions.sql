-- interactions holds every applied revision of every interaction with its
-- position in the "interactions" topic. Identical redeliveries (same
-- revision at the same partition and offset) share the whole sorting key
-- and collapse when parts merge; different revisions and positions are
-- kept. Reads never rely on merges: they pick the newest revision with
-- (interaction_id, revision) IN (... max(revision) ...) and drop unmerged
-- duplicates with LIMIT 1 BY.
--
-- Timestamps are Int64 unix nanoseconds (18.16 has no DateTime64) plus the
-- original UTC offset in seconds, so a record reads back exactly as it was
-- written. Predictions are Nullable(Float64): absent stays absent. source_refs
-- and attributes are JSON objects, '' when absent. Granules of 1024 rows
-- keep an agent's key range (Recent) a small read.
CREATE TABLE IF NOT EXISTS {{database}}.interactions
(
    tenant_id              String,
    agent_id               String,
    model                  String,
    inquiry                String,
    ended_at_ns            Int64,
    interaction_id         String,
    revision               Int64,
    log_partition          Int32,
    log_offset             Int64,
    team_id                String,
    started_at_ns          Int64,
    started_at_offset      Int32,
    ended_at_offset        Int32,
    handle_time_s          Float64,
    predicted_satisfaction Nullable(Float64),
    predicted_resolution   Nullable(Float64),
    source                 String,
    source_refs            String,
    attributes             String
)
ENGINE = ReplacingMergeTree()
PARTITION BY toYYYYMM(toDateTime(intDiv(ended_at_ns, 1000000000), 'UTC'))
ORDER BY (tenant_id, agent_id, model, inquiry, ended_at_ns, interaction_id, revision, log_partition, log_offset)
SETTINGS index_granularity = 1024
