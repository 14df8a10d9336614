package clickhouse

import (
	"context"
	"fmt"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"

	"github.com/agentpulse/agentpulse/processor/store"
)

var (
	_ store.Summer       = (*Store)(nil)
	_ store.ModelsLister = (*Store)(nil)
)

// stream runs query (retried on transient errors until it starts) and
// calls fn for every row; it stops at fn's first error and returns it.
func (s *Store) stream(ctx context.Context, what, query string, args []any, fn func(driver.Rows) error) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var rows driver.Rows
	err := s.retry.do(ctx, what, func(ctx context.Context) error {
		var err error
		rows, err = s.conn.Query(ctx, query, args...)
		return err
	})
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		if err := fn(rows); err != nil {
			cancel() // stop the server before Close drains the rest
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	return nil
}
