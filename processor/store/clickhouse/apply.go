package clickhouse

import (
	"context"
	"errors"
	"fmt"
	"sync"

	ch "github.com/ClickHouse/clickhouse-go/v2"

	"github.com/agentpulse/agentpulse/processor/store"
)

// Apply stores a batch in four inserts, each retried on transient errors:
// the records into interactions, their index rows into
// interaction_revisions, the buckets, and last the checkpoint. Every insert
// is idempotent (identical rows collapse; reads take the newest revision,
// the highest version and the highest checkpoint), so a failure at any
// point leaves a store that applying the batch again completes. Reads see a
// new revision once its interaction_revisions row is stored.
//
// Apply validates the whole batch before writing anything and returns an
// error wrapping ErrInvalidBatch for a value the tables cannot hold. It
// stops between retries when ctx is done.
func (s *Store) Apply(ctx context.Context, b store.Batch) error {
	if err := s.check(); err != nil {
		return err
	}
	if b.Next < 0 {
		return fmt.Errorf("apply partition %d: negative checkpoint %d: %w", b.Partition, b.Next, ErrInvalidBatch)
	}
	var recs *interactionColumns
	if len(b.Records) > 0 {
		var err error
		if recs, err = newInteractionColumns(b.Records); err != nil {
			return fmt.Errorf("apply partition %d: %w", b.Partition, err)
		}
	}
	var buckets *bucketColumns
	if len(b.Buckets) > 0 {
		var err error
		if buckets, err = newBucketColumns(b.Buckets); err != nil {
			return fmt.Errorf("apply partition %d: %w", b.Partition, err)
		}
	}
	// Buckets go in on a second connection while the records do: the
	// contract orders only the checkpoint after both, and the overlap keeps
	// client encoding and server merging busy at once.
	var wg sync.WaitGroup
	var bucketErr error
	if buckets != nil {
		wg.Go(func() { bucketErr = s.insert(ctx, "insert buckets", s.q.insertBuckets, buckets.values()) })
	}
	var recErr error
	if recs != nil {
		recErr = s.insert(ctx, "insert interactions", s.q.insertInteractions, recs.interactionValues())
		if recErr == nil {
			recErr = s.insert(ctx, "insert interaction revisions", s.q.insertRevisions, recs.revisionValues())
		}
	}
	wg.Wait()
	if err := errors.Join(recErr, bucketErr); err != nil {
		return err
	}
	if b.Next > 0 {
		cols := []any{[]int32{b.Partition}, []uint64{uint64(b.Next)}}
		if err := s.insert(ctx, "insert checkpoint", s.q.insertCheckpoint, cols); err != nil {
			return err
		}
	}
	return nil
}

// insert sends one columnar insert, with retries. Every attempt prepares a
// fresh driver batch and appends the same column slices, so a retry never
// re-sends a half-consumed batch.
func (s *Store) insert(ctx context.Context, what, query string, cols []any) error {
	return s.retry.do(ctx, what, func(ctx context.Context) error {
		if s.settings != nil {
			ctx = ch.Context(ctx, ch.WithSettings(s.settings))
		}
		batch, err := s.conn.PrepareBatch(ctx, query)
		if err != nil {
			return err
		}
		defer batch.Close()
		for i, col := range cols {
			if err := batch.Column(i).Append(col); err != nil {
				_ = batch.Abort()
				return err
			}
		}
		return batch.Send()
	})
}
