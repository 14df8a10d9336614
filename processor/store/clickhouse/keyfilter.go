package clickhouse

import (
	"context"
	"fmt"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"

	"github.com/agentpulse/agentpulse/processor/store"
)

// Keys calls fn with the key of every interaction partition applied below
// below, once per revision, streaming from the server. The query is
// retried on transient errors until the first row arrives. It stops at
// fn's first error and returns it unwrapped.
//
// Cost: a scan of interaction_revisions filtered by partition; the
// processor runs it when it rebuilds a partition's key filter, which it
// does less often as the history grows.
func (s *Store) Keys(ctx context.Context, partition int32, below int64, fn func(store.InteractionKey) error) error {
	if err := s.check(); err != nil {
		return err
	}
	if below <= 0 {
		return nil
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var rows driver.Rows
	err := s.retry.do(ctx, "query partition keys", func(ctx context.Context) error {
		var err error
		rows, err = s.conn.Query(ctx, s.q.keys, partition, below)
		return err
	})
	if err != nil {
		return err
	}
	defer rows.Close()
	var k store.InteractionKey
	for rows.Next() {
		if err := rows.Scan(&k.Tenant, &k.ID); err != nil {
			return fmt.Errorf("scan partition %d keys: %w", partition, err)
		}
		if err := fn(k); err != nil {
			cancel()
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("read partition %d keys: %w", partition, err)
	}
	return nil
}

// SaveKeyFilter stores partition's key filter built below builtBelow: one
// single-row insert; the newest built_below wins on read and on merge.
func (s *Store) SaveKeyFilter(ctx context.Context, partition int32, builtBelow int64, filter []byte) error {
	if err := s.check(); err != nil {
		return err
	}
	if builtBelow < 0 {
		return fmt.Errorf("key filter of partition %d: built below %d, want at least 0", partition, builtBelow)
	}
	return s.insert(ctx, "insert key filter", s.q.insertKeyFilter,
		[]any{[]int32{partition}, []uint64{uint64(builtBelow)}, []string{string(filter)}})
}

// KeyFilter returns the newest key filter stored for partition and the
// offset it was built below; 0 and nil when none.
func (s *Store) KeyFilter(ctx context.Context, partition int32) (int64, []byte, error) {
	if err := s.check(); err != nil {
		return 0, nil, err
	}
	var below uint64
	var filter string
	found := false
	err := s.retry.do(ctx, "read key filter", func(ctx context.Context) error {
		rows, err := s.conn.Query(ctx, s.q.keyFilter, partition)
		if err != nil {
			return err
		}
		defer rows.Close()
		found = false
		for rows.Next() {
			if err := rows.Scan(&below, &filter); err != nil {
				return fmt.Errorf("scan key filter: %w", err)
			}
			found = true
		}
		return rows.Err()
	})
	if err != nil || !found {
		return 0, nil, err
	}
	return int64(below), []byte(filter), nil
}
