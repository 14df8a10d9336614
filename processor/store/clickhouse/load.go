package clickhouse

import (
	"context"
	"fmt"

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
// same revision applied at two offsets), one is passed. The query is
// retried on transient errors until the first row arrives. It stops at
// fn's first error and returns it unwrapped.
//
// Cost: a scan of interaction_revisions and interactions filtered by
// partition (the log position is not a key prefix) and a sort of the
// partition's current revisions, which the server spills to disk past
// loadSortBytes; it runs only for a partition without a snapshot (the
// first start after an upgrade, or a lost snapshot).
func (s *Store) LoadPartition(ctx context.Context, partition int32, below int64, fn func(store.Record) error) error {
	if err := s.check(); err != nil {
		return err
	}
	if below <= 0 {
		return nil
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var rows driver.Rows
	err := s.retry.do(ctx, "query partition records", func(ctx context.Context) error {
		var err error
		ctx = ch.Context(ctx, ch.WithSettings(ch.Settings{"max_bytes_before_external_sort": loadSortBytes, "max_block_size": loadBlockRows}))
		rows, err = s.conn.Query(ctx, s.q.loadPartition, partition, below, partition, below)
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
