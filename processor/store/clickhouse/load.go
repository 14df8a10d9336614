package clickhouse

import (
	"context"
	"fmt"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"

	"github.com/agentpulse/agentpulse/processor/store"
)

// LoadPartition calls fn with the newest revision of every interaction
// that partition applied at offsets below below, in no particular order,
// streaming from the server. Of two rows with the same newest revision (the
// same revision applied at two offsets), one is passed. The query is
// retried on transient errors until the first row arrives. It stops at
// fn's first error and returns it unwrapped.
//
// Cost: a scan of interaction_revisions and interactions filtered by
// partition (the log position is not a key prefix); it runs once per
// partition assignment.
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
