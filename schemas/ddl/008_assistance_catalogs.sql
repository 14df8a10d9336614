-- assistance_catalogs holds each tenant's catalogue of the help a coaching
-- plan may ask for, as written by an admin. A write replaces the whole
-- list; rows of a tenant collapse to the highest version on merge and
-- reads take argMax(items, version). A tenant without a row uses the
-- product's default list.
CREATE TABLE IF NOT EXISTS {{database}}.assistance_catalogs
(
    tenant_id String,
    items     Array(String),
    version   UInt64
)
ENGINE = ReplacingMergeTree(version)
ORDER BY tenant_id
