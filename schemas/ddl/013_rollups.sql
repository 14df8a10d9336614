-- rollups holds the merged bucket rows of sealed periods: span 1 is a UTC
-- day, span 2 a UTC calendar month, spans 3 to 7 runs of 2, 4, 8, 16 and 32
-- days aligned on the epoch; period is its first second (unix). One
-- row per (agent, inquiry, team) with interactions in the period, every
-- log partition's parts summed. gen names one computation of a period: a
-- redo (after a write touched a sealed day) writes a new gen, and
-- rollup_state says which gen is current. A gen's rows are the output of
-- one INSERT ... SELECT ... GROUP BY (a retried seal takes a new gen), so
-- they are unique per key and reads need no FINAL. Sorted by time within
-- a model: a range of periods is a key range.
CREATE TABLE IF NOT EXISTS {{database}}.rollups
(
    tenant_id  String,
    model      String,
    span       UInt8,
    period     UInt32,
    gen        UInt64,
    agent_id   String,
    inquiry    String,
    team_id    String,
    volume     Int64,
    handle_sum Float64,
    psat_n     Int64,
    psat_sum   Float64,
    pres_n     Int64,
    pres_sum   Float64
)
ENGINE = ReplacingMergeTree()
PARTITION BY toYYYYMM(toDateTime(period, 'UTC'))
ORDER BY (tenant_id, model, span, period, gen, agent_id, inquiry, team_id)
SETTINGS index_granularity = 1024
