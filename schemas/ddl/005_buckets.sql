-- buckets holds the full value of every hourly aggregate part: the part of
-- a bucket key that one log partition's fold holds (interactions are keyed
-- by tenant and interaction, so a key's interactions may come from several
-- partitions; readers sum the parts). A part is versioned by the log offset,
-- in its partition, of the last record that changed it. Rows of one part collapse to
-- the highest version when parts merge; reads do not wait for that and take
-- argMax(..., version) per key. A bucket whose interactions all moved away is
-- written with volume 0 and skipped by reads. version is UInt64 because
-- 18.16's ReplacingMergeTree accepts only unsigned, Date or DateTime versions.
-- Granules of 1024 rows keep one agent's buckets a small read.
CREATE TABLE IF NOT EXISTS {{database}}.buckets
(
    tenant_id  String,
    model      String,
    agent_id   String,
    inquiry    String,
    team_id    String,
    hour       DateTime('UTC'),
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
ORDER BY (tenant_id, model, agent_id, inquiry, team_id, hour, log_partition)
SETTINGS index_granularity = 1024
