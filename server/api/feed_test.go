package api_test

import (
	"hash/fnv"
	"time"

	"github.com/agentpulse/agentpulse/processor/store"
	"github.com/agentpulse/agentpulse/schemas"
	"github.com/agentpulse/agentpulse/views"
)

// feed builds the batches a processor would write (the logic of
// processor/store/storetest's feed, which is unexported): interactions are
// spread over partitions by (tenant, interaction); each partition gives
// them offsets, applies a revision only when it is higher than the one
// applied before, moves its contribution between hourly buckets (Sub from
// the old bucket, Add to the new), and emits the full new value of every
// touched bucket part versioned by the offset of the last record that
// touched it.
type feed struct {
	parts []*partFeed
}

type partFeed struct {
	partition int32
	next      int64
	applied   map[[2]string]schemas.Interaction
	sums      map[store.BucketKey]*feedBucket
	pending   []schemas.Interaction
}

type feedBucket struct {
	sums    views.Sums
	version int64
}

func newFeed(partitions int) *feed {
	f := &feed{}
	for p := range partitions {
		f.parts = append(f.parts, &partFeed{partition: int32(p), applied: map[[2]string]schemas.Interaction{}, sums: map[store.BucketKey]*feedBucket{}})
	}
	return f
}

// batches routes its to their partitions, in order, and cuts every
// partition's records into batches of at most size records.
func (f *feed) batches(its []schemas.Interaction, size int) []store.Batch {
	var out []store.Batch
	for _, it := range its {
		h := fnv.New32a()
		h.Write([]byte(it.TenantID + "/" + it.InteractionID))
		p := f.parts[h.Sum32()%uint32(len(f.parts))]
		p.pending = append(p.pending, it)
		if len(p.pending) == size {
			out = append(out, p.flush())
		}
	}
	for _, p := range f.parts {
		if len(p.pending) > 0 {
			out = append(out, p.flush())
		}
	}
	return out
}

func (p *partFeed) flush() store.Batch {
	b := store.Batch{Partition: p.partition}
	var order []store.BucketKey
	touched := map[store.BucketKey]bool{}
	touch := func(k store.BucketKey, offset int64) *feedBucket {
		fb := p.sums[k]
		if fb == nil {
			fb = &feedBucket{}
			p.sums[k] = fb
		}
		fb.version = offset
		if !touched[k] {
			touched[k] = true
			order = append(order, k)
		}
		return fb
	}
	for _, it := range p.pending {
		offset := p.next
		p.next++
		k := [2]string{it.TenantID, it.InteractionID}
		old, seen := p.applied[k]
		if seen && old.Revision >= it.Revision {
			continue
		}
		if seen {
			touch(bucketKeyOf(&old), offset).sums.Sub(&old)
		}
		touch(bucketKeyOf(&it), offset).sums.Add(&it)
		p.applied[k] = it
		b.Records = append(b.Records, store.Record{Interaction: it, Partition: p.partition, Offset: offset})
	}
	for _, k := range order {
		fb := p.sums[k]
		b.Buckets = append(b.Buckets, store.Bucket{BucketKey: k, Partition: p.partition, Sums: fb.sums, Version: fb.version})
	}
	b.Next = p.next
	p.pending = p.pending[:0]
	return b
}

// bucketKeyOf is the bucket an interaction counts in (the processor's
// BucketKeyOf).
func bucketKeyOf(it *schemas.Interaction) store.BucketKey {
	return store.BucketKey{
		Tenant: it.TenantID, Model: it.Model, Team: it.TeamID, Agent: it.AgentID, Inquiry: it.Inquiry,
		Hour: it.EndedAt.UTC().Truncate(time.Hour),
	}
}
