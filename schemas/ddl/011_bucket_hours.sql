-- bucket_hours holds the same rows as buckets, sorted by time within a
-- model: a range of hours of a model is a key range, so the hours at a
-- range's ragged ends and the days not yet sealed into rollups are small
-- reads, and the compactor reads one day of a model as one key range.
-- buckets (sorted by agent) stays for one agent's reads. The store writes
-- every bucket part to both, the same values and versions; rows of one part
-- collapse to the highest version on merge and reads use FINAL, as with
-- buckets.
CREATE TABLE IF NOT EXISTS {{database}}.bucket_hours
(
    tenant_id  String,
    model      String,
    hour       DateTime('UTC'),
    agent_id   String,
    inquiry    String,
    team_id    String,
    log_partition Int32,
    volume     Int64,
    handle_sum Float64,
    psat_n     Int64,
    psat_sum   Float64,
    pres_n     Int64,
    pres_sum   Float64,
    version    UInt64
)
ENGINE = ReplacingMergeTree(version)
PARTITION BY toYYYYMM(hour)
ORDER BY (tenant_id, model, hour, agent_id, inquiry, team_id, log_partition)
SETTINGS index_granularity = 1024
