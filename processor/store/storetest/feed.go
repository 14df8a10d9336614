package storetest

import (
	"time"

	"github.com/agentpulse/agentpulse/processor/store"
	"github.com/agentpulse/agentpulse/schemas"
	"github.com/agentpulse/agentpulse/views"
)

// feed builds the batches a processor would write for one partition: it
// gives each interaction the next offset, applies it when its revision is
// higher than the one the partition applied before, moves its contribution
// between hourly buckets, and emits the full new value of every touched
// bucket versioned by the offset of the last record that touched it.
type feed struct {
	partition int32
	next      int64
	applied   map[ikey]schemas.Interaction
	sums      map[bkey]*feedBucket
}

type feedBucket struct {
	key     store.BucketKey
	sums    views.Sums
	version int64
}

func newFeed(partition int32) *feed {
	return &feed{partition: partition, applied: map[ikey]schemas.Interaction{}, sums: map[bkey]*feedBucket{}}
}

// skip advances the offset without a record (a record the processor
// rejected, or one of another topic's key), like gaps in a real log.
func (f *feed) skip(n int64) { f.next += n }

// batch consumes its in order and returns the batch to store, with the
// checkpoint after the last of them.
func (f *feed) batch(its ...schemas.Interaction) store.Batch {
	b := store.Batch{Partition: f.partition}
	touched := map[bkey]bool{}
	var order []bkey
	touch := func(k store.BucketKey, offset int64) *feedBucket {
		bk := bkeyOf(k)
		fb := f.sums[bk]
		if fb == nil {
			fb = &feedBucket{key: k}
			f.sums[bk] = fb
		}
		fb.version = offset
		if !touched[bk] {
			touched[bk] = true
			order = append(order, bk)
		}
		return fb
	}
	for _, it := range its {
		offset := f.next
		f.next++
		k := ikey{it.TenantID, it.InteractionID}
		old, seen := f.applied[k]
		if seen && old.Revision >= it.Revision {
			continue
		}
		if seen {
			touch(bucketKeyOf(&old), offset).sums.Sub(&old)
		}
		touch(bucketKeyOf(&it), offset).sums.Add(&it)
		f.applied[k] = it
		b.Records = append(b.Records, store.Record{Interaction: it, Partition: f.partition, Offset: offset})
	}
	for _, bk := range order {
		fb := f.sums[bk]
		b.Buckets = append(b.Buckets, store.Bucket{BucketKey: fb.key, Partition: f.partition, Sums: fb.sums, Version: fb.version})
	}
	b.Next = f.next
	return b
}

// bucketKeyOf is the bucket an interaction counts in (the processor's
// BucketKeyOf; repeated here so the suite does not import the processor).
func bucketKeyOf(it *schemas.Interaction) store.BucketKey {
	return store.BucketKey{
		Tenant:  it.TenantID,
		Model:   it.Model,
		Team:    it.TeamID,
		Agent:   it.AgentID,
		Inquiry: it.Inquiry,
		Hour:    it.EndedAt.UTC().Truncate(time.Hour),
	}
}
