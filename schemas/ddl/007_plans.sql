-- plans holds every stored state of every coaching plan as its full JSON
-- document (body: the plan, its sealed-history marker and its version),
-- with the columns reads filter on beside it. A write is a full state, never
-- a patch: rows of one plan collapse to the highest version when parts
-- merge; reads do not wait for that and take argMax(body, version) per
-- plan, so a state written twice (a retried insert) changes nothing.
-- version is UInt64 because 18.16's ReplacingMergeTree accepts only
-- unsigned, Date or DateTime versions.
CREATE TABLE IF NOT EXISTS {{database}}.plans
(
    tenant_id     String,
    plan_id       String,
    agent_id      String,
    status        String,
    created_at_ns Int64,
    version       UInt64,
    body          String
)
ENGINE = ReplacingMergeTree(version)
ORDER BY (tenant_id, plan_id)
