package clickhouse

import (
	"context"
	"fmt"
	"reflect"
	"testing"
	"time"

	"github.com/agentpulse/agentpulse/processor/store"
)

// TestApplyInBlocks stores batches larger than insertBlockRows (so every
// table's insert goes in several blocks), over a plain and an LZ4
// connection, and reads every record and bucket back exactly: no row
// lost, doubled or shifted between columns at a block boundary.
func TestApplyInBlocks(t *testing.T) {
	for _, compress := range []bool{false, true} {
		t.Run(fmt.Sprintf("compress=%v", compress), func(t *testing.T) {
			cfg := testConfig(t, newDatabase(t))
			cfg.Compress = compress
			ctx := context.Background()
			s, err := Open(ctx, cfg)
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			n := 16*insertBlockRows + 500 // per partition: 17 blocks of each
			start := time.Date(2026, 3, 10, 0, 0, 0, 0, time.UTC)
			var batches []store.Batch
			want := map[string]store.Record{}
			for p := range int32(2) {
				b := store.Batch{Partition: p, Next: int64(n)}
				for i := range n {
					it := sample(fmt.Sprintf("p%d-%06d", p, i), int64(1+i%3), fmt.Sprintf("a%03d", i%97), start.Add(time.Duration(i)*time.Minute))
					it.HandleTimeS = float64(i)
					it.SourceRefs = mustRefs(map[string]string{"contact_id": it.InteractionID})
					if i%5 == 0 {
						it.Attributes = mustAttrs(nil)
						it.PredictedSatisfaction = nil
					}
					r := store.Record{Interaction: it, Partition: p, Offset: int64(i)}
					b.Records = append(b.Records, r)
					want[it.InteractionID] = r
					b.Buckets = append(b.Buckets, store.Bucket{BucketKey: store.BucketKey{Tenant: "t1", Model: "voice", Team: "team",
						Agent: it.AgentID, Inquiry: it.Inquiry, Hour: start.Add(time.Duration(i) * time.Hour)}, Partition: p, Version: int64(i)})
					b.Buckets[i].Volume, b.Buckets[i].HandleSum = int64(i+1), float64(i)
				}
				batches = append(batches, b)
			}
			if err := s.ApplyAll(ctx, batches); err != nil {
				t.Fatal(err)
			}
			// The server squashed the blocks of each INSERT: one part per
			// month of the records (March and April), not one per block.
			var parts uint64
			if err := s.conn.QueryRow(ctx, "SELECT count() FROM system.parts WHERE database = ? AND table = 'interactions' AND active", cfg.Database).Scan(&parts); err != nil {
				t.Fatal(err)
			}
			if parts > 2 {
				t.Errorf("%d parts of interactions after one insert of %d blocks, want at most 2 (one per month)", parts, 2*n/insertBlockRows+1)
			}
			for p := range int32(2) {
				got := 0
				err := s.LoadPartition(ctx, p, int64(n), func(r store.Record) error {
					got++
					w, ok := want[r.InteractionID]
					if !ok || !reflect.DeepEqual(r, w) {
						return fmt.Errorf("partition %d loaded %+v, want %+v", p, r, w)
					}
					return nil
				})
				if err != nil {
					t.Fatal(err)
				}
				if got != n {
					t.Errorf("partition %d: loaded %d records, want %d", p, got, n)
				}
			}
			seen := 0
			err = s.Buckets(ctx, store.BucketQuery{Tenant: "t1", Model: "voice", From: start, To: start.Add(time.Duration(n+1) * time.Hour)}, func(b store.Bucket) error {
				i := int(b.Hour.Sub(start) / time.Hour)
				if b.Volume != int64(i+1) || b.HandleSum != float64(i) || b.Version != int64(i) || b.Agent != fmt.Sprintf("a%03d", i%97) {
					return fmt.Errorf("bucket of hour %d: %+v", i, b)
				}
				seen++
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			if seen != 2*n { // a part of each hour in each partition
				t.Errorf("read %d bucket parts, want %d", seen, 2*n)
			}
		})
	}
}
