// Package ddl owns agentpulse's ClickHouse schema: one CREATE statement per
// embedded .sql file, applied in file-name order, templated only by the
// database name ({{database}}).
//
// Every statement is idempotent, so applying the whole list again — at
// every start of the store, or by `agentpulse migrate` — changes nothing:
// CREATE ... IF NOT EXISTS, DROP TABLE IF EXISTS (a table a redesign
// replaced: 021 drops interaction_timeline), and ALTER TABLE statements that only add
// columns (one "ADD COLUMN name type" clause per line), which the store
// sends through Statement.AddMissing with the columns the table lacks,
// because 18.16 has no ADD COLUMN IF NOT EXISTS. A later schema change must
// be a new file of one of these shapes; an existing file is never edited in
// a way that changes what it creates (the golden test in testdata/ makes
// such an edit visible in review).
//
// The SQL runs on ClickHouse 18.16 (what Debian ships) and on current
// releases: no DateTime64, LowCardinality, window functions or JSON type;
// ReplacingMergeTree versions are unsigned; explicit UTC time zones.
//
// # Cluster mode
//
// ClusterStatements turns the same files into the schema of a ClickHouse
// cluster (`agentpulse migrate --clickhouse-cluster NAME`): per table T, a
// ReplicatedReplacingMergeTree T_local created ON CLUSTER, with the
// columns, partitions and sorting key of the single-node T, and a
// Distributed table T over every shard's T_local. The store keeps reading
// and writing T, so no query changes. Rows are placed by a sharding key
// per table (ShardingKey):
//
//	interactions, interaction_revisions  cityHash64(tenant_id, interaction_id)
//	buckets                              cityHash64(tenant_id, agent_id)
//	checkpoints, snapshots, key_filters  log_partition
//	plans, assistance_catalogs           cityHash64(tenant_id)
//	model_latest                         cityHash64(tenant_id, model)
//
// Why the reads stay exact. A query over a Distributed table runs on every
// shard and merges the shards' answers on the server that was asked: a
// top-level GROUP BY merges partial aggregate states (argMax, max, sum,
// DISTINCT), a top-level ORDER BY ... LIMIT merges each shard's first
// rows. Those are exact however rows are placed: Buckets, the LatestData
// candidates and current revisions, the checkpoint, plans, catalogues and
// TenantModels are such queries. Three things run per shard and are exact
// only if the rows they compare live on one shard:
//
//   - FINAL (SumBuckets) collapses the versions of a bucket part on each
//     shard. Every version of a part has the part's key, which holds tenant
//     and agent, so buckets sharded by (tenant, agent) keep them together.
//   - IN subqueries over a Distributed table inside a query over one
//     (Recent, Worst, LoadPartition) run, with the connection's
//     distributed_product_mode = 'local', on each shard over its *_local
//     table. Recent and LoadPartition pick an interaction's newest
//     revision (max(revision) per interaction, LIMIT 1 BY): all revisions
//     of one interaction must share a shard. A correction may move an
//     interaction to another agent, model or inquiry, so the interaction
//     tables cannot be sharded by agent (the moved revision would land on
//     the new agent's shard and the old agent's shard would still show the
//     interaction as current); they are sharded by (tenant, interaction),
//     like the Kafka key, so every revision of an interaction lands on one
//     shard whatever it names. (Worst's subquery has no LIMIT; its
//     top-level ORDER BY … LIMIT merges the shards' first rows.)
//   - A LIMIT inside such a subquery keeps each shard's first rows. Recent's
//     fast path checks only an agent's newest 4·limit+16 candidates and
//     trusts the answer when limit of them are current; per shard, one
//     shard's candidates could all have moved away while the others fill
//     the answer, hiding a current interaction. In cluster mode Recent
//     therefore checks every candidate (one pass, no LIMIT in the
//     subquery).
//
// An agent's interactions are therefore spread over the shards while its
// buckets are on one; that costs nothing, since 18.16 sends every
// Distributed read to every shard anyway. The small tables are read with
// top-level aggregates only (exact on any placement); their keys keep
// every version of a row on one shard so merges still collapse them.
//
// Writes go through the Distributed tables with insert_distributed_sync =
// 1 (an insert returns once every shard has it), so the store's write order
// (the checkpoint last) holds across shards. The remote_servers entry
// should set internal_replication = true: the Distributed insert writes
// one replica per shard and replication copies it. Replication is
// asynchronous: a read served by a lagging replica may miss recent writes
// (see deploy/clickhouse-cluster.md).
//
// Only `agentpulse migrate` creates the cluster schema (ON CLUSTER goes
// through ZooKeeper's DDL queue and waits for every server); processors
// and servers in cluster mode check that the tables exist and fail
// otherwise.
//
// The package holds only immutable data; its functions are safe for
// concurrent use.
package ddl
