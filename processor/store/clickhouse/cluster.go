package clickhouse

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	ch "github.com/ClickHouse/clickhouse-go/v2"
	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"

	"github.com/agentpulse/agentpulse/schemas/ddl"
)

// ErrSchemaMissing is returned by Open in cluster mode when a table of the
// schema is missing: the cluster schema is created only by Migrate
// (`agentpulse migrate --clickhouse-cluster NAME`).
var ErrSchemaMissing = errors.New("clickhouse cluster schema missing (run agentpulse migrate --clickhouse-cluster)")

// ErrClusterSettings is returned by Open in cluster mode when the server's
// profile for the user lacks distributed_product_mode = 'local'.
var ErrClusterSettings = errors.New("clickhouse user profile must set distributed_product_mode = 'local' in cluster mode")

// clusterSettings are the settings every connection sends in cluster mode.
//
// insert_distributed_sync = 1: an insert returns once every shard stored
// its rows, not when they are queued on the server for background
// sending, so the store's write order (interactions, then indexes,
// buckets, and the checkpoint last) holds across shards and a read after a
// write sees it (on the replica that took the insert).
//
// The other setting cluster mode needs, distributed_product_mode =
// 'local', cannot be sent by the client to 18.16 (its protocol sends
// settings as integers there, and this one is a string): it must be in the
// user's profile on every server; Open checks it (checkClusterSchema). The
// store's reads put a Distributed table inside an IN subquery of a query
// over a Distributed table (Recent, Worst, LoadPartition), which
// the default 'deny' refuses. 'local' runs the whole query on every shard
// with the subquery reading that shard's *_local table, which is exact
// because the sharding keys put every row a subquery needs on the shard of
// the rows it filters (see package ddl).
func clusterSettings() ch.Settings {
	return ch.Settings{"insert_distributed_sync": 1}
}

// checkClusterSchema returns an error wrapping ErrClusterSettings unless
// the connection has distributed_product_mode = 'local', and one wrapping
// ErrSchemaMissing unless the server holds every Distributed table and its
// *_local table.
func checkClusterSchema(ctx context.Context, conn driver.Conn, cfg Config, r retrier) error {
	var mode string
	err := r.do(ctx, "check cluster settings", func(ctx context.Context) error {
		return conn.QueryRow(ctx, "SELECT value FROM system.settings WHERE name = 'distributed_product_mode'").Scan(&mode)
	})
	if err != nil {
		return err
	}
	if mode != "local" {
		return fmt.Errorf("user %s has distributed_product_mode = %q: %w", cfg.Username, mode, ErrClusterSettings)
	}
	tables, err := ddl.Tables()
	if err != nil {
		return fmt.Errorf("check cluster schema: %w", err)
	}
	have := map[string]string{}
	err = r.do(ctx, "check cluster schema", func(ctx context.Context) error {
		rows, err := conn.Query(ctx, "SELECT name, engine FROM system.tables WHERE database = ?", cfg.Database)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var name, engine string
			if err := rows.Scan(&name, &engine); err != nil {
				return fmt.Errorf("scan table: %w", err)
			}
			have[name] = engine
		}
		return rows.Err()
	})
	if err != nil {
		return err
	}
	var missing []string
	for _, t := range tables {
		if have[t] != "Distributed" {
			missing = append(missing, cfg.Database+"."+t+" (Distributed)")
		}
		if !strings.HasSuffix(have[t+ddl.LocalSuffix], "MergeTree") {
			missing = append(missing, cfg.Database+"."+t+ddl.LocalSuffix)
		}
	}
	if len(missing) == 0 {
		if missing, err = missingColumns(ctx, conn, cfg, r); err != nil {
			return err
		}
	}
	if len(missing) > 0 {
		return fmt.Errorf("cluster %s: %s: %w", cfg.Cluster, strings.Join(missing, ", "), ErrSchemaMissing)
	}
	return nil
}

// missingColumns returns the columns added by ALTER statements of package
// ddl that the server's Distributed or local tables lack, as db.table.column.
func missingColumns(ctx context.Context, conn driver.Conn, cfg Config, r retrier) ([]string, error) {
	stmts, err := ddl.Statements(cfg.Database)
	if err != nil {
		return nil, fmt.Errorf("check cluster schema: %w", err)
	}
	var missing []string
	for _, st := range stmts {
		for _, table := range []string{st.Table, st.Table + ddl.LocalSuffix} {
			if len(st.Columns) == 0 {
				break
			}
			var have map[string]bool
			err := r.do(ctx, "check cluster columns", func(ctx context.Context) error {
				have, err = tableColumns(ctx, conn, cfg.Database, table)
				return err
			})
			if err != nil {
				return nil, err
			}
			for _, c := range st.Columns {
				if !have[c.Name] {
					missing = append(missing, cfg.Database+"."+table+"."+c.Name)
				}
			}
		}
	}
	return missing, nil
}

// waitReplicasActive waits until every replica of the replicated table
// (a *_local table) on every shard of the cluster is active. A replicated
// table's replica becomes active in the background after CREATE, and an
// ALTER of its columns sent ON CLUSTER before that fails on the shard
// ("Alter is not finished because some replicas are inactive", code 341)
// though the ALTER is then applied later: the migration's next statement
// or Open's column check would not see it yet. A replica that stays down
// holds the migration until ctx ends: its tables would refuse the ALTER
// the same way.
func waitReplicasActive(ctx context.Context, conn driver.Conn, cfg Config, table string) error {
	q := `SELECT count() FROM cluster('` + cfg.Cluster + `', system, replicas)
WHERE database = ? AND table = ? AND (is_readonly OR active_replicas < total_replicas)`
	for {
		var n uint64
		if err := conn.QueryRow(ctx, q, cfg.Database, table).Scan(&n); err != nil {
			return fmt.Errorf("wait for the replicas of %s.%s: %w", cfg.Database, table, err)
		}
		if n == 0 {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("wait for the replicas of %s.%s to be active: %w", cfg.Database, table, ctx.Err())
		case <-time.After(20 * time.Millisecond):
		}
	}
}
