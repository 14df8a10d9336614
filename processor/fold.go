package processor

import (
	"strings"
	"time"

	"github.com/agentpulse/agentpulse/processor/store"
	"github.com/agentpulse/agentpulse/schemas"
	"github.com/agentpulse/agentpulse/views"
)

// interactionKey identifies an interaction: tenant_id, a NUL byte (which
// no id may contain) and interaction_id, in one freshly allocated string so
// that the index does not keep the decoded record's buffer alive.
func interactionKey(it *schemas.Interaction) string {
	return it.TenantID + "\x00" + it.InteractionID
}

// applied is what the fold remembers of the current revision of an
// interaction: enough to retract its contribution when a higher revision
// arrives, and no more (the store keeps the full record).
type applied struct {
	revision int64
	handle   float64
	psat     float64
	pres     float64
	hasPsat  bool
	hasPres  bool
	bucket   *bucketState
}

// newApplied remembers its contribution to bucket b.
func newApplied(it *schemas.Interaction, b *bucketState) *applied {
	a := &applied{revision: it.Revision, handle: it.HandleTimeS, bucket: b}
	if p := it.PredictedSatisfaction; p != nil {
		a.psat, a.hasPsat = *p, true
	}
	if p := it.PredictedResolution; p != nil {
		a.pres, a.hasPres = *p, true
	}
	return a
}

// retract removes the contribution from its bucket: Sums.Sub of exactly
// the values that were added.
func (a *applied) retract() {
	contribution := schemas.Interaction{HandleTimeS: a.handle}
	if a.hasPsat {
		contribution.PredictedSatisfaction = &a.psat
	}
	if a.hasPres {
		contribution.PredictedResolution = &a.pres
	}
	a.bucket.sums.Sub(&contribution)
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
	index     map[string]*applied
	buckets   map[store.BucketKey]*bucketState
	last      *bucketState // the bucket of the previous record: feeds run by agent

	// pending is what the next store batch must carry.
	pending []store.Record
	dirty   []*bucketState
}

func newFold(partition int32) *fold {
	return &fold{
		partition: partition,
		index:     map[string]*applied{},
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
	// RetractedRevision is the revision the record replaced, 0 for a new
	// interaction.
	RetractedRevision int64
}

// apply folds one record read at offset. A record whose revision is not
// higher than the applied one changes nothing (redelivery, or a correction
// that was itself corrected already).
func (f *fold) apply(it *schemas.Interaction, offset int64) Change {
	k := interactionKey(it)
	old := f.index[k]
	if old != nil && old.revision >= it.Revision {
		return Change{}
	}
	var ch Change
	ch.Applied = true
	if old != nil {
		old.retract()
		f.touch(old.bucket, offset)
		ch.Buckets = append(ch.Buckets, old.bucket.key)
		ch.RetractedRevision = old.revision
	}
	b := f.bucketFor(it)
	b.sums.Add(it)
	f.touch(b, offset)
	if old == nil || old.bucket != b {
		ch.Buckets = append(ch.Buckets, b.key)
	}
	f.index[k] = newApplied(it, b)
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
	f.index[interactionKey(&r.Interaction)] = newApplied(&r.Interaction, b)
}

func (f *fold) bucketFor(it *schemas.Interaction) *bucketState {
	hour := it.EndedAt.UTC().Truncate(time.Hour)
	if l := f.last; l != nil && l.key.Hour.Equal(hour) && l.key.Agent == it.AgentID && l.key.Inquiry == it.Inquiry &&
		l.key.Model == it.Model && l.key.Team == it.TeamID && l.key.Tenant == it.TenantID {
		return l
	}
	key := BucketKeyOf(it)
	b := f.buckets[key]
	if b == nil {
		// The key's strings are cloned so the bucket does not keep the
		// decoded record's buffer alive.
		key.Tenant, key.Model, key.Team = strings.Clone(key.Tenant), strings.Clone(key.Model), strings.Clone(key.Team)
		key.Agent, key.Inquiry = strings.Clone(key.Agent), strings.Clone(key.Inquiry)
		b = &bucketState{key: key}
		f.buckets[key] = b
	}
	f.last = b
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
		b.Buckets[i] = store.Bucket{BucketKey: bs.key, Partition: f.partition, Sums: bs.sums, Version: bs.version}
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
