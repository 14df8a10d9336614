// Package ddl owns agentpulse's ClickHouse schema: one CREATE statement per
// embedded .sql file, applied in file-name order, templated only by the
// database name ({{database}}).
//
// Every statement is idempotent (CREATE ... IF NOT EXISTS), so applying the
// whole list again — at every start of the store, or by `agentpulse
// migrate` — changes nothing. A later schema change must be a new file that
// is itself idempotent; an existing file is never edited in a way that
// changes what it creates (the golden test in testdata/ makes such an edit
// visible in review).
//
// The SQL runs on ClickHouse 18.16 (what Debian ships) and on current
// releases: no DateTime64, LowCardinality, window functions or JSON type;
// ReplacingMergeTree versions are unsigned; explicit UTC time zones.
//
// The package holds only immutable data; its functions are safe for
// concurrent use.
package ddl
