package clickhouse

import (
	"context"
	"fmt"
	"math"

	"github.com/agentpulse/agentpulse/processor/store"
)

// ApplyLearned stores the outcome learner's bucket parts
// (store.LearnedWriter) as Apply stores a batch's parts: into buckets and
// bucket_hours, then their touches (a touched sealed day's rollups are
// redone). Idempotent; it validates every part before writing any.
func (s *Store) ApplyLearned(ctx context.Context, parts []store.Bucket) error {
	if err := s.check(); err != nil {
		return err
	}
	if len(parts) == 0 {
		return nil
	}
	for i := range parts {
		if p := parts[i].Partition; p != store.LearnedPartition {
			return fmt.Errorf("learned part %s/%s/%s: partition %d, want %d: %w",
				parts[i].Tenant, parts[i].Model, parts[i].Agent, p, store.LearnedPartition, ErrInvalidBatch)
		}
	}
	cols, err := newBucketColumns(parts)
	if err != nil {
		return fmt.Errorf("apply learned parts: %w", err)
	}
	return s.applyBuckets(ctx, [][]store.Bucket{parts}, cols)
}

// LearnedVersion returns the highest version of a learned part stored, 0
// when none is. It reads one column of buckets' learned rows.
func (s *Store) LearnedVersion(ctx context.Context) (int64, error) {
	if err := s.check(); err != nil {
		return 0, err
	}
	var v uint64
	err := s.retry.do(ctx, "read learned version", func(ctx context.Context) error {
		return s.conn.QueryRow(ctx, fmt.Sprintf("SELECT max(version) FROM %s.buckets WHERE log_partition = %d",
			s.cfg.Database, store.LearnedPartition)).Scan(&v)
	})
	if err != nil {
		return 0, err
	}
	if v > math.MaxInt64 {
		return 0, fmt.Errorf("read learned version: %d overflows int64: %w", v, ErrCorruptRow)
	}
	return int64(v), nil
}
