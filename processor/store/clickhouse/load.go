package clickhouse

import (
	"context"
	"fmt"
	"time"

	ch "github.com/ClickHouse/clickhouse-go/v2"
	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"

	"github.com/agentpulse/agentpulse/processor/store"
)

// loadSortBytes is the memory past which the server sorts a partition's
// load on disk: the history of a partition may be far larger than the
// server's memory limit.
const loadSortBytes = 256 << 20

// loadBlockRows is the rows per block the server sends a load in. The
// driver holds up to four blocks per query (two buffered, one read, one
// decoded) and every partition loads at once: at the server's default of
// 65,505 rows of whole records that was over 1 GB at 8 partitions, more
// than the state the load keeps.
const loadBlockRows = 4096

// LoadPartition calls fn with the newest revision of every interaction
// that partition applied at offsets below below, in ascending order of
// ended_at, streaming from the server. Of two rows with the same newest revision (the
// same revision applied at two offsets), one is passed. It stops at
// fn's first error and returns it unwrapped.
//
// Cost: it reads one calendar month (UTC, the tables' partitions) at a
// time, oldest first: each month is one query, retried on transient
// errors until its first row arrives, whose sort covers that month only
// (spilled to disk past loadSortBytes). A single query over the whole
// history made the server scan and sort every month before its first
// row: at 10^7 interactions that outlasted the driver's read timeout, and
// every retry started one more whole-history query beside the abandoned
// ones. Each month's query also scans the narrow interaction_revisions
// index (the log position is not a key prefix) to find its interactions'
// newest revisions wherever they moved. It runs only for a partition
// without a snapshot (the first start after an upgrade, or a lost
// snapshot).
func (s *Store) LoadPartition(ctx context.Context, partition int32, below int64, fn func(store.Record) error) error {
	if err := s.check(); err != nil {
		return err
	}
	if below <= 0 {
		return nil
	}
	var (
		n           uint64
		first, last int64
	)
	if err := s.retry.do(ctx, "query partition bounds", func(ctx context.Context) error {
		return s.conn.QueryRow(ctx, s.q.loadBounds, partition, below).Scan(&n, &first, &last)
	}); err != nil {
		return err
	}
	if n == 0 {
		return nil
	}
	for from := monthStart(first); from.UnixNano() <= last; {
		to := from.AddDate(0, 1, 0)
		if err := s.loadMonth(ctx, partition, below, from.UnixNano(), to.UnixNano(), fn); err != nil {
			return err
		}
		from = to
	}
	return nil
}

// monthStart is the start (UTC) of the calendar month of ns.
func monthStart(ns int64) time.Time {
	t := time.Unix(0, ns).UTC()
	return time.Date(t.Year(), t.Month(), 1, 0, 0, 0, 0, time.UTC)
}

// loadMonth is LoadPartition's read of the interactions whose newest
// revision below below ended in [from, to) (Unix ns).
func (s *Store) loadMonth(ctx context.Context, partition int32, below, from, to int64, fn func(store.Record) error) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var rows driver.Rows
	err := s.retry.do(ctx, "query partition records", func(ctx context.Context) error {
		var err error
		ctx = ch.Context(ctx, ch.WithSettings(ch.Settings{"max_bytes_before_external_sort": loadSortBytes, "max_block_size": loadBlockRows}))
		rows, err = s.conn.Query(ctx, s.q.loadPartition, partition, below, from, to, partition, below, partition, below, from, to)
		return err
	})
	if err != nil {
		return err
	}
	defer rows.Close()
	var sc rowScanner
	for rows.Next() {
		r, err := sc.scan(rows)
		if err != nil {
			return err
		}
		if err := fn(r); err != nil {
			cancel() // stop the server before Close drains the rest
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("read partition %d records: %w", partition, err)
	}
	return nil
}
