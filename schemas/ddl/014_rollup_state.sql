-- rollup_state holds, per sealed period, its current gen and what it
-- includes: covers is "partition:version" pairs, comma-separated, the
-- highest touch of each log partition the rollup was computed after. The
-- compactor writes it after the period's rollups rows, so a state names
-- only complete rows. Rows of a period collapse to the highest gen on
-- merge; reads take argMax(..., gen).
CREATE TABLE IF NOT EXISTS {{database}}.rollup_state
(
    tenant_id String,
    model     String,
    span      UInt8,
    period    UInt32,
    gen       UInt64,
    covers    String
)
ENGINE = ReplacingMergeTree(gen)
ORDER BY (tenant_id, model, span, period)
