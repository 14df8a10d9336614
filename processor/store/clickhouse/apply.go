package clickhouse

import (
	"context"
	"errors"
	"fmt"
	"sync"

	ch "github.com/ClickHouse/clickhouse-go/v2"

	"github.com/agentpulse/agentpulse/processor/store"
)

// Apply stores a batch: the records into interactions, then their index
// rows into interaction_revisions and interaction_timeline, meanwhile the
// buckets (into buckets and bucket_hours), then the days the buckets
// touched (bucket_touches), and once all of those are stored the
// checkpoint. Each insert is
// retried on transient errors. Every insert is idempotent (identical rows
// collapse; reads take the newest revision, the highest version and the
// highest checkpoint), so a failure at any point leaves a store that
// applying the batch again completes. Reads see a new revision once its
// index rows are stored, never before its full row.
//
// Apply validates the whole batch before writing anything and returns an
// error wrapping ErrInvalidBatch for a value the tables cannot hold. It
// stops between retries when ctx is done. It uses up to four connections
// at once.
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
	// The contract orders only the checkpoint after records and buckets;
	// running independent inserts at once keeps client encoding and server
	// work overlapped.
	var wg sync.WaitGroup
	var bucketErr, revErr, timelineErr error
	if buckets != nil {
		wg.Go(func() { bucketErr = s.applyBuckets(ctx, b.Buckets, buckets) })
	}
	var recErr error
	if recs != nil {
		recErr = s.insert(ctx, "insert interactions", s.q.insertInteractions, recs.interactionValues())
		if recErr == nil {
			wg.Go(func() {
				timelineErr = s.insert(ctx, "insert interaction timeline", s.q.insertTimeline, recs.timelineValues())
			})
			revErr = s.insert(ctx, "insert interaction revisions", s.q.insertRevisions, recs.revisionValues())
		}
	}
	wg.Wait()
	if err := errors.Join(recErr, revErr, timelineErr, bucketErr); err != nil {
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

// applyBuckets stores a batch's bucket parts into buckets and
// bucket_hours at once, then, once both hold them, the days they touched
// (bucket_touches: a touch makes a sealed day stale, and must never be
// visible before its parts; see rollup.go).
func (s *Store) applyBuckets(ctx context.Context, bs []store.Bucket, cols *bucketColumns) error {
	var wg sync.WaitGroup
	var hoursErr error
	wg.Go(func() { hoursErr = s.insert(ctx, "insert bucket hours", s.q.insertBucketHours, cols.values()) })
	err := s.insert(ctx, "insert buckets", s.q.insertBuckets, cols.values())
	wg.Wait()
	if err := errors.Join(err, hoursErr); err != nil {
		return err
	}
	return s.insert(ctx, "insert bucket touches", s.q.insertTouches, touchValues(bs))
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
