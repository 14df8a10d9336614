package clickhouse

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	ch "github.com/ClickHouse/clickhouse-go/v2"
	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"

	"github.com/agentpulse/agentpulse/processor/store"
	"github.com/agentpulse/agentpulse/schemas/ddl"
)

// ErrClosed is returned by every method called after Close.
var ErrClosed = errors.New("clickhouse store closed")

// Store is the ClickHouse store. It is safe for concurrent use; each call
// takes one pooled connection while it runs.
type Store struct {
	conn     driver.Conn
	cfg      Config
	q        queries
	retry    retrier
	settings ch.Settings // per-insert settings the server understands
	// blockRows is the most rows an insert sends in one block (see
	// insertBlockRows); 0 sends every insert as one block.
	blockRows int

	closeOnce sync.Once
	closeErr  error
	closed    chan struct{}
}

var _ store.Store = (*Store)(nil)

// Open connects to the servers of cfg, creates the database when missing,
// applies the schema (see Migrate) and returns the store. In cluster mode
// (cfg.Cluster) it creates nothing: it checks that `agentpulse migrate
// --clickhouse-cluster` created every table, and fails with
// ErrSchemaMissing otherwise. It retries a
// server that does not answer yet like any transient error, within ctx.
func Open(ctx context.Context, cfg Config) (*Store, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	conn, err := dial(cfg)
	if err != nil {
		return nil, err
	}
	s := &Store{conn: conn, cfg: cfg, q: newQueries(cfg.Database), retry: newRetrier(cfg), closed: make(chan struct{}), blockRows: insertBlockRows}
	if cfg.Cluster != "" {
		// A synchronous insert into a Distributed table is not squashed:
		// every block would become a part on every shard.
		s.blockRows = 0
	}
	if err := s.retry.do(ctx, "ping clickhouse", conn.Ping); err != nil {
		conn.Close()
		return nil, fmt.Errorf("open clickhouse store at %v: %w", cfg.Addr, err)
	}
	if cfg.Cluster != "" {
		err = checkClusterSchema(ctx, conn, cfg, s.retry)
	} else {
		err = migrate(ctx, conn, cfg, s.retry)
	}
	if err != nil {
		conn.Close()
		return nil, err
	}
	if s.settings, err = insertSettings(ctx, conn); err != nil {
		conn.Close()
		return nil, err
	}
	return s, nil
}

// Migrate connects to the servers of cfg, creates the database when
// missing and applies every statement of package ddl (ddl.ClusterStatements
// in cluster mode, sent to one server, which runs them on every server of
// the cluster), then disconnects. It
// is idempotent: running it on an up-to-date database changes nothing. Open
// does the same; Migrate exists for `agentpulse migrate`.
func Migrate(ctx context.Context, cfg Config) error {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return err
	}
	conn, err := dial(cfg)
	if err != nil {
		return err
	}
	defer conn.Close()
	return migrate(ctx, conn, cfg, newRetrier(cfg))
}

func migrate(ctx context.Context, conn driver.Conn, cfg Config, r retrier) error {
	stmts, err := ddl.Statements(cfg.Database)
	if cfg.Cluster != "" {
		stmts, err = ddl.ClusterStatements(cfg.Database, cfg.Cluster)
	}
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	for _, st := range stmts {
		if err := r.do(ctx, "migrate "+st.Name, func(ctx context.Context) error {
			if len(st.Columns) == 0 {
				return conn.Exec(ctx, st.SQL)
			}
			if cfg.Cluster != "" && strings.HasSuffix(st.Table, ddl.LocalSuffix) {
				if err := waitReplicasActive(ctx, conn, cfg, st.Table); err != nil {
					return err
				}
			}
			return addMissingColumns(ctx, conn, cfg.Database, st)
		}); err != nil {
			return err
		}
	}
	if err := backfillBucketHours(ctx, conn, cfg, r); err != nil {
		return err
	}
	if err := backfillModelLatest(ctx, conn, cfg, r); err != nil {
		return err
	}
	cfg.Logger.Info("clickhouse schema applied", "database", cfg.Database, "cluster", cfg.Cluster, "statements", len(stmts))
	return nil
}

// backfillBucketHours fills bucket_hours and bucket_touches from buckets
// once, when a database written before they existed is migrated: while
// bucket_hours is empty and buckets is not. A processor writing
// meanwhile writes both; the copies of a part collapse to its highest
// version like any other (reads use FINAL and max).
func backfillBucketHours(ctx context.Context, conn driver.Conn, cfg Config, r retrier) error {
	db := cfg.Database
	old, err := backfillRows(ctx, conn, db, r, "bucket_hours", "buckets")
	if err != nil || old == 0 {
		return err
	}
	stmts := []string{
		"INSERT INTO " + db + ".bucket_hours (" + bucketInsertColumns + ")\nSELECT " + bucketInsertColumns + " FROM " + db + ".buckets",
		"INSERT INTO " + db + `.bucket_touches (tenant_id, model, day, log_partition, version, newest_hour)
SELECT tenant_id, model, toUInt32(toStartOfDay(hour)) AS t_day, log_partition, max(version) AS t_version, max(toUInt32(hour)) AS t_hour
FROM ` + db + `.buckets
GROUP BY tenant_id, model, t_day, log_partition`,
	}
	for _, q := range stmts {
		if err := r.do(ctx, "backfill bucket hours", func(ctx context.Context) error { return conn.Exec(ctx, q) }); err != nil {
			return err
		}
	}
	cfg.Logger.Info("bucket_hours and bucket_touches filled from buckets", "database", db, "rows", old)
	return nil
}

// dial opens the driver's connection pool; it does not connect yet.
func dial(cfg Config) (driver.Conn, error) {
	opts := &ch.Options{
		Protocol:     ch.Native,
		Addr:         cfg.Addr,
		Auth:         ch.Auth{Username: cfg.Username, Password: cfg.Password},
		DialTimeout:  cfg.DialTimeout,
		ReadTimeout:  cfg.ReadTimeout,
		MaxOpenConns: cfg.MaxOpenConns,
		MaxIdleConns: cfg.MaxOpenConns,
		TLS:          cfg.TLS,
		// Without it each pooled connection keeps its encode buffer at the
		// largest block it ever sent (the snapshot inserts, which grow with
		// the evicted-key filter): up to MaxOpenConns of them, ~130 MB of a
		// processor's heap after 10^7 interactions of history.
		FreeBufOnConnRelease: true,
	}
	if cfg.Cluster != "" {
		opts.Settings = clusterSettings()
	}
	if cfg.Compress {
		opts.Compression = &ch.Compression{Method: ch.CompressionLZ4}
	}
	conn, err := ch.Open(opts)
	if err != nil {
		return nil, fmt.Errorf("open clickhouse connection to %v: %w", cfg.Addr, err)
	}
	return conn, nil
}

func newRetrier(cfg Config) retrier {
	log := cfg.Logger
	return retrier{
		retries: cfg.MaxRetries,
		base:    cfg.RetryBackoff,
		max:     cfg.MaxRetryBackoff,
		log: func(what string, attempt int, wait time.Duration, err error) {
			log.Warn("clickhouse call failed, retrying", "what", what, "attempt", attempt, "wait", wait, slog.Any("error", err))
		},
	}
}

// insertSettings returns the settings every insert runs with. Current
// releases refuse an insert block that spans more than 100 partitions
// (months) by default; a backfill batch may, so the limit is lifted where
// the server has it (18.16 has no such limit).
func insertSettings(ctx context.Context, conn driver.Conn) (ch.Settings, error) {
	var n uint64
	err := conn.QueryRow(ctx, "SELECT count() FROM system.settings WHERE name = 'max_partitions_per_insert_block'").Scan(&n)
	if err != nil {
		return nil, fmt.Errorf("read server settings: %w", err)
	}
	if n == 0 {
		return nil, nil
	}
	return ch.Settings{"max_partitions_per_insert_block": 0}, nil
}

// Close closes the connections. Calls in flight fail; later calls return
// ErrClosed. Close is idempotent.
func (s *Store) Close() error {
	s.closeOnce.Do(func() {
		close(s.closed)
		s.closeErr = s.conn.Close()
	})
	return s.closeErr
}

// check returns ErrClosed after Close.
func (s *Store) check() error {
	select {
	case <-s.closed:
		return ErrClosed
	default:
		return nil
	}
}

// tableColumns returns the names of the columns of database.table.
func tableColumns(ctx context.Context, conn driver.Conn, database, table string) (map[string]bool, error) {
	rows, err := conn.Query(ctx, "SELECT name FROM system.columns WHERE database = ? AND table = ?", database, table)
	if err != nil {
		return nil, fmt.Errorf("read columns of %s.%s: %w", database, table, err)
	}
	defer rows.Close()
	have := map[string]bool{}
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			return nil, fmt.Errorf("scan column of %s.%s: %w", database, table, err)
		}
		have[name] = true
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read columns of %s.%s: %w", database, table, err)
	}
	return have, nil
}

// addMissingColumns sends the ALTER statement st with the clauses whose
// column the table lacks. Another process migrating at the same time (a
// processor and a server starting together) may add them first, making
// the ALTER fail: if every column is there afterwards, that is success.
func addMissingColumns(ctx context.Context, conn driver.Conn, database string, st ddl.Statement) error {
	have, err := tableColumns(ctx, conn, database, st.Table)
	if err != nil {
		return err
	}
	sql, ok := st.AddMissing(func(c string) bool { return have[c] })
	if !ok {
		return nil
	}
	if len(st.Replace) > 0 {
		for _, q := range st.Replace {
			if err := conn.Exec(ctx, q); err != nil {
				return fmt.Errorf("create %s.%s again with its new columns: %w", database, st.Table, err)
			}
		}
		return nil
	}
	err = conn.Exec(ctx, sql)
	if err == nil {
		return nil
	}
	if have, cerr := tableColumns(ctx, conn, database, st.Table); cerr == nil {
		if _, missing := st.AddMissing(func(c string) bool { return have[c] }); !missing {
			return nil
		}
	}
	return fmt.Errorf("add columns to %s.%s: %w", database, st.Table, err)
}

// backfillRows returns how many rows source holds when a table added by
// a migration must be filled from it (target is empty: a database
// written before target existed), else 0.
func backfillRows(ctx context.Context, conn driver.Conn, db string, r retrier, target, source string) (uint64, error) {
	count := func(table string) (uint64, error) {
		var n uint64
		err := r.do(ctx, "count "+table, func(ctx context.Context) error {
			return conn.QueryRow(ctx, "SELECT count() FROM "+db+"."+table).Scan(&n)
		})
		return n, err
	}
	have, err := count(target)
	if err != nil || have > 0 {
		return 0, err
	}
	return count(source)
}
