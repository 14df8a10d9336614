package clickhouse

import (
	"context"
	"fmt"
	"time"

	"github.com/agentpulse/agentpulse/schemas/ddl"
)

// Mutations and partition drops (retention and erasure).
//
// A Distributed table cannot be altered: in cluster mode (cfg.Cluster)
// every ALTER goes to the shard-local tables behind it, ON CLUSTER, through
// ClickHouse's distributed DDL queue (ZooKeeper, which Migrate's ON
// CLUSTER statements need too): one statement that every server of the
// cluster runs on its *_local table (replicated tables then replicate the
// mutation or drop to their replicas). Mutations run in the background on
// each server; alter waits until no server of the cluster has one of the
// table left undone, reading every shard's system.mutations through the
// cluster() table function. Rows are found and counted through the
// Distributed tables as in single-server mode, and written (the copies an
// agent's erasure makes) through them, so they land on the shard of their
// sharding key.

// alterPrefix is "ALTER TABLE <table> " in single-server mode and
// "ALTER TABLE <table>_local ON CLUSTER <cluster> " in cluster mode.
func (s *Store) alterPrefix(table string) string {
	if s.cfg.Cluster == "" {
		return "ALTER TABLE " + s.cfg.Database + "." + table + " "
	}
	return "ALTER TABLE " + s.cfg.Database + "." + table + ddl.LocalSuffix + " ON CLUSTER " + s.cfg.Cluster + " "
}

// alter sends ALTER TABLE table <action> (retried: every action here is
// idempotent).
func (s *Store) alter(ctx context.Context, what, table, action string, args ...any) error {
	q := s.alterPrefix(table) + action
	return s.retry.do(ctx, what, func(ctx context.Context) error { return s.conn.Exec(ctx, q, args...) })
}

// systemOf returns where to read the system table sys (parts,
// mutations) about table, and the table's name there: system.sys and
// table, or in cluster mode every shard's system.sys (cluster()) and the
// table's local name.
func (s *Store) systemOf(sys, table string) (from, name string) {
	if s.cfg.Cluster == "" {
		return "system." + sys, table
	}
	return "cluster('" + s.cfg.Cluster + "', system, " + sys + ")", table + ddl.LocalSuffix
}

// mutate sends the mutation action (DELETE WHERE …, UPDATE … WHERE …) of
// table and waits until the server, or every shard in cluster mode, has
// done every mutation of the table.
func (s *Store) mutate(ctx context.Context, table, action string, args ...any) error {
	if err := s.alter(ctx, "mutate "+table, table, action, args...); err != nil {
		return err
	}
	mutations, name := s.systemOf("mutations", table)
	for {
		n, err := s.count(ctx, `SELECT count() FROM `+mutations+` WHERE database = ? AND table = ? AND is_done = 0`, s.cfg.Database, name)
		if err != nil || n == 0 {
			return err
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("wait for the mutation of %s: %w", table, ctx.Err())
		case <-time.After(20 * time.Millisecond):
		}
	}
}
