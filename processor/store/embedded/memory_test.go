package embedded

import (
	"context"
	"fmt"
	"runtime"
	"testing"
	"time"

	"github.com/agentpulse/agentpulse/processor/store"
	"github.com/agentpulse/agentpulse/schemas"
	"github.com/agentpulse/agentpulse/views"
)

// perRecordBytes bounds the heap the store keeps per interaction of
// make run's shape: one decoded record (its strings in one decoder
// allocation, source refs, optional numbers) and the bucket part it lands
// in, one part per interaction as at make run's scale. Measured 477 B
// with the compact rec and parts; the store.Record and two maps of
// *store.Bucket they replaced kept 1,314 B.
const perRecordBytes = 620

// TestHeapPerRecord guards the embedded store's compact representation:
// make run keeps every interaction of its history in it.
func TestHeapPerRecord(t *testing.T) {
	const n = 20000
	hour := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	record := func(i int) []byte {
		ended := hour.Add(time.Duration(i) * time.Minute)
		return fmt.Appendf(nil, `{"tenant_id":"demo","interaction_id":"sim-%08d","revision":1,"model":"voice",`+
			`"agent_id":"agent-%04d","team_id":"team-%02d","inquiry":"billing","started_at":%q,"ended_at":%q,`+
			`"handle_time_s":312.5,"predicted_satisfaction":0.8,"predicted_resolution":0.7,"hold_s":12,`+
			`"customer_key":"cust-%06d","initiation":"inbound","source":"simulator","source_refs":{"sim_id":"7/agent-%04d/20260301/%d"}}`,
			i, i%300, i%30, ended.Add(-5*time.Minute).Format(time.RFC3339), ended.Format(time.RFC3339), i%5000, i%300, i)
	}
	s := New()
	before := heapAlloc()
	for i := 0; i < n; i += 500 {
		b := store.Batch{Partition: int32(i % 8), Next: int64(i + 500)}
		for j := i; j < i+500; j++ {
			it, err := schemas.DecodeInteraction(record(j))
			if err != nil {
				t.Fatal(err)
			}
			b.Records = append(b.Records, store.Record{Interaction: it, Partition: b.Partition, Offset: int64(j)})
			var sums views.Sums
			sums.Add(&it)
			b.Buckets = append(b.Buckets, store.Bucket{BucketKey: store.BucketKey{Tenant: it.TenantID, Model: it.Model,
				Team: it.TeamID, Agent: it.AgentID, Inquiry: it.Inquiry, Hour: it.EndedAt.Truncate(time.Hour)},
				Partition: b.Partition, Sums: sums, Version: int64(j)})
		}
		if err := s.Apply(context.Background(), b); err != nil {
			t.Fatal(err)
		}
	}
	per := float64(heapAlloc()-before) / n
	runtime.KeepAlive(s)
	t.Logf("%.0f B per record kept", per)
	if per > perRecordBytes {
		t.Errorf("the store keeps %.0f B per record, more than %d", per, perRecordBytes)
	}
}

func heapAlloc() int64 {
	runtime.GC()
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return int64(m.HeapAlloc)
}
