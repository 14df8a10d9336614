package processor

import (
	"time"

	"github.com/agentpulse/agentpulse/processor/store"
	"github.com/agentpulse/agentpulse/schemas"
	"github.com/agentpulse/agentpulse/views"
)

// interactionKey identifies an interaction: its id is unique in a tenant.
type interactionKey struct{ tenant, id string }

// applied is what the fold remembers of the current revision of an
// interaction: enough to retract its contribution when a higher revision
// arrives, and no more (the store keeps the full record).
type applied struct {
	revision int64
	endedAt  time.Time
	// contribution is the interaction alone, as Sums, so retracting it is
	// bucket.Sub of exactly what was added.
	it     schemas.Interaction
	bucket *bucketState
}

// bucketState is one hourly aggregate as the fold holds it.
type bucketState struct {
	key     store.BucketKey
	sums    views.Sums
	version int64
	dirty   bool
}

// fold is the state of one partition: a pure function of the partition's
// records from offset 0 up to the last one applied. It is not safe for
// concurrent use; one goroutine owns each partition's fold.
type fold struct {
	partition int32
	index     map[interactionKey]*applied
	buckets   map[store.BucketKey]*bucketState

	// pending is what the next store batch must carry.
	pending []store.Record
	dirty   []*bucketState
}

func newFold(partition int32) *fold {
	return &fold{
		partition: partition,
		index:     map[interactionKey]*applied{},
		buckets:   map[store.BucketKey]*bucketState{},
	}
}

// Change says what applying one record did, for the updates topic.
type Change struct {
	// Applied is false for a redelivery or an older revision: nothing changed.
	Applied bool
	// Buckets are the buckets whose value changed (one, or two when a
	// revision moved the interaction to another bucket).
	Buckets []store.BucketKey
	// Retracted is the revision the record replaced, nil for a new one.
	Retracted *schemas.Interaction
}

// apply folds one record read at offset. A record whose revision is not
// higher than the applied one changes nothing (redelivery, or a correction
// that was itself corrected already).
func (f *fold) apply(it *schemas.Interaction, offset int64) Change {
	k := interactionKey{it.TenantID, it.InteractionID}
	old := f.index[k]
	if old != nil && old.revision >= it.Revision {
		return Change{}
	}
	var ch Change
	ch.Applied = true
	if old != nil {
		old.bucket.sums.Sub(&old.it)
		f.touch(old.bucket, offset)
		ch.Buckets = append(ch.Buckets, old.bucket.key)
		retracted := old.it
		ch.Retracted = &retracted
	}
	b := f.bucketFor(it)
	b.sums.Add(it)
	f.touch(b, offset)
	if old == nil || old.bucket != b {
		ch.Buckets = append(ch.Buckets, b.key)
	}
	f.index[k] = &applied{revision: it.Revision, endedAt: it.EndedAt, it: *it, bucket: b}
	f.pending = append(f.pending, store.Record{Interaction: *it, Partition: f.partition, Offset: offset})
	return ch
}

// load restores an applied record from the store at start, without marking
// anything for writing: the store already has it.
func (f *fold) load(r store.Record) {
	b := f.bucketFor(&r.Interaction)
	b.sums.Add(&r.Interaction)
	if r.Offset > b.version {
		b.version = r.Offset
	}
	f.index[interactionKey{r.TenantID, r.InteractionID}] = &applied{revision: r.Revision, endedAt: r.EndedAt, it: r.Interaction, bucket: b}
}

func (f *fold) bucketFor(it *schemas.Interaction) *bucketState {
	key := BucketKeyOf(it)
	b := f.buckets[key]
	if b == nil {
		b = &bucketState{key: key}
		f.buckets[key] = b
	}
	return b
}

func (f *fold) touch(b *bucketState, offset int64) {
	b.version = offset
	if !b.dirty {
		b.dirty = true
		f.dirty = append(f.dirty, b)
	}
}

// takeBatch returns what was applied since the last batch, to be stored
// with next as the partition's checkpoint, and starts a new one.
func (f *fold) takeBatch(next int64) store.Batch {
	b := store.Batch{Partition: f.partition, Records: f.pending, Next: next}
	b.Buckets = make([]store.Bucket, len(f.dirty))
	for i, bs := range f.dirty {
		b.Buckets[i] = store.Bucket{BucketKey: bs.key, Sums: bs.sums, Version: bs.version}
		bs.dirty = false
	}
	f.pending, f.dirty = nil, nil
	return b
}

// BucketKeyOf returns the hourly bucket an interaction counts in: its
// tenant, model, team, agent, inquiry and the UTC hour of its ended_at.
func BucketKeyOf(it *schemas.Interaction) store.BucketKey {
	return store.BucketKey{
		Tenant:  it.TenantID,
		Model:   it.Model,
		Team:    it.TeamID,
		Agent:   it.AgentID,
		Inquiry: it.Inquiry,
		Hour:    it.EndedAt.UTC().Truncate(time.Hour),
	}
}
