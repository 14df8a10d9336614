-- tenant_models lists every (tenant, model) the processor has applied an
-- interaction of, so that listing a tenant's models does not scan
-- buckets. Written with every roster change of the pair (a model's first
-- interaction always changes a roster part); identical rows collapse on
-- merge and reads take DISTINCT.
CREATE TABLE IF NOT EXISTS {{database}}.tenant_models
(
    tenant_id String,
    model     String
)
ENGINE = ReplacingMergeTree()
ORDER BY (tenant_id, model)
