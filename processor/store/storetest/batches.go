package storetest

import (
	"context"
	"hash/fnv"
	"testing"

	"github.com/agentpulse/agentpulse/processor/store"
	"github.com/agentpulse/agentpulse/schemas"
)

// Batches folds its the way the processor does, without a broker: records
// are spread over partitions by tenant/interaction_id (as ingest keys
// them), each partition folds its records in order, and every partition's
// records are cut into batches of at most size records. Applying the
// batches in the returned order gives a store what the pipeline would. For
// tests of what reads the stores (views, API).
func Batches(its []schemas.Interaction, partitions, size int) []store.Batch {
	feeds := make([]*feed, partitions)
	pending := make([][]schemas.Interaction, partitions)
	for p := range feeds {
		feeds[p] = newFeed(int32(p))
	}
	var out []store.Batch
	for _, it := range its {
		h := fnv.New32a()
		h.Write([]byte(it.TenantID + "/" + it.InteractionID))
		p := int(h.Sum32() % uint32(partitions))
		pending[p] = append(pending[p], it)
		if len(pending[p]) == size {
			out = append(out, feeds[p].batch(pending[p]...))
			pending[p] = nil
		}
	}
	for p := range pending {
		if len(pending[p]) > 0 {
			out = append(out, feeds[p].batch(pending[p]...))
		}
	}
	return out
}

// Fill applies Batches(its, partitions, size) to w, failing tb on an
// error: a store holding what the pipeline would have written.
func Fill(tb testing.TB, w store.Writer, its []schemas.Interaction, partitions, size int) {
	tb.Helper()
	for _, b := range Batches(its, partitions, size) {
		if err := w.Apply(context.Background(), b); err != nil {
			tb.Fatalf("apply batch of partition %d: %v", b.Partition, err)
		}
	}
}
