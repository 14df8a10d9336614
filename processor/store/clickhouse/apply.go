package clickhouse

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"sync"

	ch "github.com/ClickHouse/clickhouse-go/v2"

	"github.com/agentpulse/agentpulse/processor/store"
)

// Apply stores a batch: the records into interactions, then their index
// rows into interaction_revisions, meanwhile the buckets (into buckets and
// bucket_hours, then the days they touched into bucket_touches), then,
// once the records and buckets are stored, the roster parts (and their
// tenant_models pairs) and model_latest parts, and once all of those are stored the checkpoint (a
// snapshots row when the batch carries a snapshot, which is a checkpoint
// as well). Each insert is
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
	return s.ApplyAll(ctx, []store.Batch{b})
}

// ApplyAll stores batches of several partitions (at most one batch of each)
// as Apply stores one, with one insert per table for all of them: the
// records of every batch, then their index rows, meanwhile the buckets,
// and once all of those are stored every checkpoint in one insert (and
// every snapshot in another). A failure at any point leaves a store that
// applying the batches again completes.
func (s *Store) ApplyAll(ctx context.Context, bs []store.Batch) error {
	if err := s.check(); err != nil {
		return err
	}
	// Records and buckets are laid out into columns batch by batch, never
	// copied into one slice first (a copy of every record of a replay).
	recsIn := make([][]store.Record, 0, len(bs))
	bucketsIn := make([][]store.Bucket, 0, len(bs))
	nRecs, nBuckets := 0, 0
	var rosterIn []store.RosterPart
	var latestIn []store.LatestPart
	var cpParts, snapParts []int32
	var cpNext, snapNext []uint64
	var snaps []string
	for _, b := range bs {
		if b.Next < 0 {
			return fmt.Errorf("apply partition %d: negative checkpoint %d: %w", b.Partition, b.Next, ErrInvalidBatch)
		}
		recsIn, nRecs = append(recsIn, b.Records), nRecs+len(b.Records)
		bucketsIn, nBuckets = append(bucketsIn, b.Buckets), nBuckets+len(b.Buckets)
		rosterIn = append(rosterIn, b.Roster...)
		latestIn = append(latestIn, b.Latest...)
		switch {
		case b.Snapshot != nil:
			// The snapshot row is the checkpoint too: one insert stores both.
			snapParts, snapNext, snaps = append(snapParts, b.Partition), append(snapNext, uint64(b.Next)), append(snaps, string(b.Snapshot))
		case b.Next > 0:
			cpParts, cpNext = append(cpParts, b.Partition), append(cpNext, uint64(b.Next))
		}
	}
	if len(bs) == 1 {
		rosterIn, latestIn = bs[0].Roster, bs[0].Latest // no copy
	}
	var recs *interactionColumns
	if nRecs > 0 {
		var err error
		if recs, err = newInteractionColumns(recsIn...); err != nil {
			return fmt.Errorf("apply partition %d: %w", bs[0].Partition, err)
		}
	}
	var buckets *bucketColumns
	if nBuckets > 0 {
		var err error
		if buckets, err = newBucketColumns(bucketsIn...); err != nil {
			return fmt.Errorf("apply partition %d: %w", bs[0].Partition, err)
		}
	}
	var roster *rosterColumns
	if len(rosterIn) > 0 {
		var err error
		if roster, err = newRosterColumns(rosterIn); err != nil {
			return fmt.Errorf("apply partition %d: %w", bs[0].Partition, err)
		}
	}
	var latest *latestColumns
	if len(latestIn) > 0 {
		var err error
		if latest, err = newLatestColumns(latestIn); err != nil {
			return fmt.Errorf("apply partition %d: %w", bs[0].Partition, err)
		}
	}
	// The contract orders only the checkpoint after records and buckets;
	// running independent inserts at once keeps client encoding and server
	// work overlapped.
	var wg sync.WaitGroup
	var bucketErr, revErr, rosterErr, recErr, latestErr error
	bucketsDone := make(chan struct{})
	wg.Go(func() {
		defer close(bucketsDone)
		if buckets != nil {
			bucketErr = s.applyBuckets(ctx, bucketsIn, buckets)
		}
	})
	if recs != nil {
		recErr = s.insert(ctx, "insert interactions", s.q.insertInteractions, recs.interactionValues())
		if recErr == nil {
			wg.Go(func() {
				revErr = s.insert(ctx, "insert interaction revisions", s.q.insertRevisions, recs.revisionValues())
			})
		}
	}
	// Roster and model_latest parts name interactions whose rows
	// LatestData reads: they follow the records (and the buckets).
	<-bucketsDone
	if recErr == nil && bucketErr == nil {
		if latest != nil {
			wg.Go(func() { latestErr = s.insert(ctx, "insert model latest", s.q.insertLatest, latest.values()) })
		}
		if roster != nil {
			rosterErr = s.insertRoster(ctx, roster)
		}
	}
	wg.Wait()
	if err := errors.Join(recErr, revErr, bucketErr, rosterErr, latestErr); err != nil {
		return err
	}
	if len(snapParts) > 0 {
		if err := s.insert(ctx, "insert snapshot", s.q.insertSnapshot, []any{snapParts, snapNext, snaps}); err != nil {
			return err
		}
	}
	if len(cpParts) > 0 {
		if err := s.insert(ctx, "insert checkpoint", s.q.insertCheckpoint, []any{cpParts, cpNext}); err != nil {
			return err
		}
	}
	return nil
}

// applyBuckets stores a batch's bucket parts into buckets and
// bucket_hours at once, then, once both hold them, the days they touched
// (bucket_touches: a touch makes a sealed day stale, and must never be
// visible before its parts; see rollup.go).
func (s *Store) applyBuckets(ctx context.Context, bs [][]store.Bucket, cols *bucketColumns) error {
	var wg sync.WaitGroup
	var hoursErr error
	wg.Go(func() { hoursErr = s.insert(ctx, "insert bucket hours", s.q.insertBucketHours, cols.values()) })
	err := s.insert(ctx, "insert buckets", s.q.insertBuckets, cols.values())
	wg.Wait()
	if err := errors.Join(err, hoursErr); err != nil {
		return err
	}
	return s.insert(ctx, "insert bucket touches", s.q.insertTouches, touchValues(bs...))
}

// insertBlockRows is the most rows insert appends to the driver's block
// before sending it (batch.Flush) within the same INSERT, on a single
// server. The driver makes its columns and its encode buffer anew for
// every INSERT and grows them by doubling, so an insert of R rows
// allocated and copied about four times its bytes; in blocks, the columns
// and the buffer grow to one block and are reused for the rest, so an
// insert allocates about four blocks' bytes whatever R (in a replay, the
// driver's garbage was half of everything the processor allocated, and
// garbage collection a third of its CPU). The server squashes the blocks
// of one INSERT into parts as before (min_insert_block_size_rows; checked
// on 18.16 by TestApplyInBlocks), and acknowledges the INSERT once, at the
// end, as before. In cluster mode inserts go whole: a synchronous insert
// into a Distributed table is not squashed, so each block would make a
// part on every shard.
const insertBlockRows = 1024

// insert sends one columnar insert, with retries. Every attempt prepares a
// fresh driver batch and appends the same column slices, so a retry never
// re-sends a half-consumed batch. The columns go in blocks of at most
// s.blockRows rows.
func (s *Store) insert(ctx context.Context, what, query string, cols []any) error {
	rows := 0
	if len(cols) > 0 {
		rows = reflect.ValueOf(cols[0]).Len()
	}
	block := s.blockRows
	if block <= 0 {
		block = max(rows, 1)
	}
	return s.retry.do(ctx, what, func(ctx context.Context) error {
		if s.settings != nil {
			ctx = ch.Context(ctx, ch.WithSettings(s.settings))
		}
		batch, err := s.conn.PrepareBatch(ctx, query)
		if err != nil {
			return err
		}
		defer batch.Close()
		for lo := 0; lo == 0 || lo < rows; lo += block {
			hi := min(rows, lo+block)
			for i, col := range cols {
				if lo > 0 || hi < rows {
					col = reflect.ValueOf(col).Slice(lo, hi).Interface()
				}
				if err := batch.Column(i).Append(col); err != nil {
					_ = batch.Abort()
					return err
				}
			}
			if hi < rows {
				if err := batch.Flush(); err != nil {
					_ = batch.Abort()
					return err
				}
			}
		}
		return batch.Send()
	})
}
