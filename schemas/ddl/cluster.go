package ddl

import (
	"errors"
	"fmt"
	"regexp"
	"strings"
)

// ErrBadClusterName is returned when a cluster name is not a plain
// identifier.
var ErrBadClusterName = errors.New("cluster name must match [A-Za-z_][A-Za-z0-9_]* and be at most 64 characters")

// LocalSuffix ends the name of the shard-local table behind each
// Distributed table in cluster mode: buckets is read and written through
// the Distributed table buckets, whose rows live in buckets_local.
const LocalSuffix = "_local"

// shardingKeys is the sharding key of every table's Distributed table. The
// argument for each is in doc.go; TestClusterEveryTableHasAKey fails when a
// new table lacks one.
var shardingKeys = map[string]string{
	// Every revision of one interaction in the two interaction tables
	// lands on one shard, whichever agent, model or inquiry it names: the
	// store's per-interaction subqueries (newest revision, LIMIT 1 BY) run
	// shard-locally and must see all of an interaction's revisions.
	"interactions":          "cityHash64(tenant_id, interaction_id)",
	"interaction_revisions": "cityHash64(tenant_id, interaction_id)",
	// An agent's bucket parts, every version of each, on one shard: FINAL
	// and the per-agent newest-hour subquery run shard-locally.
	"buckets": "cityHash64(tenant_id, agent_id)",
	// The same placement for the time-sorted copy and the rollups: every
	// version of a row on one shard, so FINAL runs shard-locally.
	"bucket_hours": "cityHash64(tenant_id, agent_id)",
	"rollups":      "cityHash64(tenant_id, agent_id)",
	// Read with top-level max/argMax per key (exact on any placement).
	"bucket_touches": "cityHash64(tenant_id, model)",
	"rollup_state":   "cityHash64(tenant_id, model)",
	// Small tables read with a top-level GROUP BY (exact on any sharding);
	// keys chosen so every version of a row still shares a shard.
	"checkpoints":         "log_partition",
	"snapshots":           "log_partition",
	"key_filters":         "log_partition",
	"plans":               "cityHash64(tenant_id)",
	"assistance_catalogs": "cityHash64(tenant_id)",
	// Read with a top-level GROUP BY (argMax per part) or DISTINCT; every
	// version of an agent's roster part shares a shard.
	"roster":        "cityHash64(tenant_id, agent_id)",
	"tenant_models": "cityHash64(tenant_id)",
	// Read with a top-level GROUP BY (argMax per part); every version of
	// a part shares a shard.
	"model_latest": "cityHash64(tenant_id, model)",
}

var (
	createTableRE = regexp.MustCompile(`(?m)^CREATE TABLE IF NOT EXISTS (\w+)\.(\w+)$`)
	createDBRE    = regexp.MustCompile(`(?m)^CREATE DATABASE IF NOT EXISTS (\w+)$`)
	dropTableRE   = regexp.MustCompile(`(?m)^DROP TABLE IF EXISTS (\w+)\.(\w+)$`)
	engineRE      = regexp.MustCompile(`(?m)^ENGINE = ReplacingMergeTree\(([^)]*)\)$`)
)

// ShardingKey returns the sharding key of table's Distributed table in
// cluster mode, and whether the table has one.
func ShardingKey(table string) (string, bool) {
	k, ok := shardingKeys[table]
	return k, ok
}

// Tables returns the name of every table of the schema, in the order the
// statements create them.
func Tables() ([]string, error) {
	stmts, err := Statements("db")
	if err != nil {
		return nil, err
	}
	var out []string
	for _, s := range stmts {
		if m := createTableRE.FindStringSubmatch(s.SQL); m != nil {
			out = append(out, m[2])
		}
	}
	return out, nil
}

// ClusterStatements returns the schema for database on the ClickHouse
// cluster named cluster (a <remote_servers> entry of every server), in the
// order to apply them on any one server of the cluster:
//
//   - the database, created ON CLUSTER;
//   - per table T of the single-node schema, T_local ON CLUSTER, the same
//     columns, partitions and sorting key with
//     ReplicatedReplacingMergeTree('/clickhouse/tables/{shard}/<db>/T',
//     '{replica}'[, version]) ({shard} and {replica} are each server's
//     <macros>), then T ON CLUSTER as Distributed(cluster, db, T_local,
//     sharding key), the table the store reads and writes;
//   - per ALTER TABLE T statement (added columns), the same clauses for
//     T_local and for T, each ON CLUSTER;
//   - per DROP TABLE IF EXISTS T statement, T then T_local, each ON
//     CLUSTER.
//
// Every CREATE statement is idempotent (IF NOT EXISTS); an ALTER one is
// sent through [Statement.AddMissing]. ON CLUSTER and the
// replicated engine need ZooKeeper in the servers' configuration.
func ClusterStatements(database, cluster string) ([]Statement, error) {
	if err := CheckClusterName(cluster); err != nil {
		return nil, err
	}
	single, err := Statements(database)
	if err != nil {
		return nil, err
	}
	var out []Statement
	for _, s := range single {
		if createDBRE.MatchString(s.SQL) {
			out = append(out, Statement{Name: s.Name, SQL: createDBRE.ReplaceAllString(s.SQL, "CREATE DATABASE IF NOT EXISTS $1 ON CLUSTER "+cluster)})
			continue
		}
		if len(s.Columns) > 0 {
			out = append(out, clusterAlter(s, database, cluster)...)
			continue
		}
		if s.Dropped != "" {
			for _, t := range []string{s.Dropped, s.Dropped + LocalSuffix} {
				out = append(out, Statement{Name: s.Name, Dropped: t,
					SQL: fmt.Sprintf("DROP TABLE IF EXISTS %s.%s ON CLUSTER %s", database, t, cluster)})
			}
			continue
		}
		m := createTableRE.FindStringSubmatch(s.SQL)
		if m == nil {
			return nil, fmt.Errorf("cluster ddl %s: no CREATE TABLE IF NOT EXISTS line", s.Name)
		}
		table := m[2]
		key, ok := shardingKeys[table]
		if !ok {
			return nil, fmt.Errorf("cluster ddl %s: table %s has no sharding key", s.Name, table)
		}
		em := engineRE.FindStringSubmatch(s.SQL)
		if em == nil {
			return nil, fmt.Errorf("cluster ddl %s: engine is not ReplacingMergeTree(...) on a line of its own", s.Name)
		}
		args := fmt.Sprintf("'/clickhouse/tables/{shard}/%s/%s', '{replica}'", database, table)
		if v := strings.TrimSpace(em[1]); v != "" {
			args += ", " + v
		}
		local := createTableRE.ReplaceAllLiteralString(s.SQL,
			fmt.Sprintf("CREATE TABLE IF NOT EXISTS %s.%s%s ON CLUSTER %s", database, table, LocalSuffix, cluster))
		local = engineRE.ReplaceAllLiteralString(local, "ENGINE = ReplicatedReplacingMergeTree("+args+")")
		out = append(out, Statement{Name: s.Name, SQL: local})
		dist := fmt.Sprintf("-- %[2]s is what the store reads and writes: every shard's %[2]s%[3]s,\n"+
			"-- rows placed by %[4]s.\n", table, table, LocalSuffix, key) + distributed(database, table, cluster, key)
		out = append(out, Statement{Name: strings.TrimSuffix(s.Name, ".sql") + "_distributed.sql", SQL: dist})
	}
	return out, nil
}

// distributed is the CREATE statement of table's Distributed table, ON
// CLUSTER, over its local table.
func distributed(database, table, cluster, key string) string {
	return fmt.Sprintf("CREATE TABLE IF NOT EXISTS %[1]s.%[2]s ON CLUSTER %[4]s AS %[1]s.%[2]s%[3]s\n"+
		"ENGINE = Distributed(%[4]s, %[1]s, %[2]s%[3]s, %[5]s)\n", database, table, LocalSuffix, cluster, key)
}

// CheckClusterName returns nil when name is a plain identifier (the rule
// of CheckDatabaseName), and an error wrapping ErrBadClusterName otherwise.
func CheckClusterName(name string) error {
	if CheckDatabaseName(name) != nil {
		return fmt.Errorf("%q: %w", name, ErrBadClusterName)
	}
	return nil
}
