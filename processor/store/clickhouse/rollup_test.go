package clickhouse

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/agentpulse/agentpulse/processor/store"
	"github.com/agentpulse/agentpulse/views"
)

// sums reads SumBuckets of t1/voice over [from, to) as sorted lines.
func sumLines(t *testing.T, s *Store, from, to time.Time) []string {
	t.Helper()
	var out []string
	err := s.SumBuckets(context.Background(), store.SumQuery{Tenant: "t1", Model: "voice", To: to, Starts: []time.Time{from}},
		func(c store.CellSums) error {
			out = append(out, fmt.Sprintf("%s/%s/%s %+v", c.Agent, c.Inquiry, c.Team, c.Sums[0]))
			return nil
		})
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(out)
	return out
}

// TestBackfillBucketHours: a database whose buckets were written before
// bucket_hours and bucket_touches existed (emptied here) answers the same
// after Migrate, and its days seal.
func TestBackfillBucketHours(t *testing.T) {
	db := newDatabase(t)
	s := openStore(t, db)
	ctx := context.Background()
	base := time.Date(2026, 1, 30, 0, 0, 0, 0, time.UTC)
	var bs []store.Bucket
	for h := range 24 * 5 {
		bs = append(bs, store.Bucket{BucketKey: store.BucketKey{Tenant: "t1", Model: "voice", Agent: fmt.Sprint("a", h%3),
			Team: "A", Inquiry: "x", Hour: base.Add(time.Duration(h) * time.Hour)}, Version: int64(h + 1),
			Sums: views.Sums{Volume: 2, HandleSum: 121}})
	}
	if err := s.Apply(ctx, store.Batch{Buckets: bs, Next: 200}); err != nil {
		t.Fatal(err)
	}
	from, to := base.Add(5*time.Hour), base.Add(4*24*time.Hour+3*time.Hour)
	want := sumLines(t, s, from, to)
	for _, table := range []string{"bucket_hours", "bucket_touches"} {
		if err := s.conn.Exec(ctx, "TRUNCATE TABLE "+db+"."+table); err != nil {
			t.Fatal(err)
		}
	}
	if got := sumLines(t, s, from, to); len(got) != 0 {
		t.Fatalf("emptied: %v", got)
	}
	if err := Migrate(ctx, testConfig(t, db)); err != nil {
		t.Fatal(err)
	}
	if got := sumLines(t, s, from, to); !slices.Equal(got, want) {
		t.Fatalf("after backfill:\n%v\nwant\n%v", got, want)
	}
	st, err := s.Compact(ctx, 0)
	if err != nil {
		t.Fatal(err)
	}
	if st.Days != 5 || st.Months != 1 { // Jan 30 .. Feb 3 (the watermark is Feb 4 00:00), January
		t.Fatalf("Compact = %+v, want 5 days and 1 month", st)
	}
	if got := sumLines(t, s, from, to); !slices.Equal(got, want) {
		t.Fatalf("after sealing:\n%v\nwant\n%v", got, want)
	}
}
