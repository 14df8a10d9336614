package clickhouse

import (
	"context"
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"

	"github.com/agentpulse/agentpulse/processor/store"
)

// Checkpoint returns the highest checkpoint stored for partition, 0 when
// none was.
func (s *Store) Checkpoint(ctx context.Context, partition int32) (int64, error) {
	if err := s.check(); err != nil {
		return 0, err
	}
	var next uint64
	err := s.retry.do(ctx, "read checkpoint", func(ctx context.Context) error {
		return s.conn.QueryRow(ctx, s.q.checkpoint, partition, partition).Scan(&next)
	})
	if err != nil {
		return 0, err
	}
	if next > math.MaxInt64 {
		return 0, fmt.Errorf("read checkpoint of partition %d: %d overflows int64: %w", partition, next, ErrCorruptRow)
	}
	return int64(next), nil
}

// Buckets calls fn with the newest value (highest version) of every bucket
// of q that is not empty (views.Sums.Empty), in no particular order, streaming from the
// server. The query is retried on transient errors until the first row
// arrives; an error after that is returned, not retried. It stops at fn's first
// error and returns it.
func (s *Store) Buckets(ctx context.Context, q store.BucketQuery, fn func(store.Bucket) error) error {
	if err := s.check(); err != nil {
		return err
	}
	lo, hi, ok := hourRange(q.From, q.To)
	if !ok {
		return nil
	}
	var sb strings.Builder
	if q.Agent != "" {
		sb.WriteString(s.q.buckets) // one agent: a key range of buckets
	} else {
		sb.WriteString(s.q.bucketsByHour) // a range of hours: a key range of bucket_hours
	}
	args := []any{q.Tenant, q.Model, lo, hi}
	for _, f := range []struct{ col, val string }{{"agent_id", q.Agent}, {"team_id", q.Team}, {"inquiry", q.Inquiry}} {
		if f.val != "" {
			sb.WriteString(" AND " + f.col + " = ?")
			args = append(args, f.val)
		}
	}
	sb.WriteString("\nGROUP BY agent_id, inquiry, team_id, hour, log_partition\nHAVING " + prefixedNonEmpty("v_"))
	query := sb.String()

	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var rows driver.Rows
	err := s.retry.do(ctx, "query buckets", func(ctx context.Context) error {
		var err error
		rows, err = s.conn.Query(ctx, query, args...)
		return err
	})
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		b := store.Bucket{BucketKey: store.BucketKey{Tenant: q.Tenant, Model: q.Model}}
		var hour uint32
		var version uint64
		dest := append([]any{&b.Agent, &b.Inquiry, &b.Team, &hour, &b.Partition}, sumsDest(&b.Sums)...)
		if err := rows.Scan(append(dest, &version)...); err != nil {
			return fmt.Errorf("scan bucket: %w", err)
		}
		b.Hour = time.Unix(int64(hour), 0).UTC()
		b.Version = int64(version)
		if err := fn(b); err != nil {
			cancel() // stop the server before Close drains the rest
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("read buckets: %w", err)
	}
	return nil
}

// hourRange turns [from, to) into DateTime seconds [lo, hi) selecting the
// same whole-second hours: both bounds round up to a whole second. ok is
// false when the range selects nothing DateTime can hold.
func hourRange(from, to time.Time) (lo, hi uint32, ok bool) {
	ceil := func(t time.Time) int64 {
		s := t.Unix()
		if t.Nanosecond() > 0 {
			s++
		}
		return s
	}
	l, h := max(ceil(from), 0), min(ceil(to), math.MaxUint32)
	if h <= l {
		return 0, 0, false
	}
	return uint32(l), uint32(h), true
}
