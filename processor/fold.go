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
	agent   *agentState // the agent (of a tenant and model) the bucket counts for
	// published is the worker's update round that last put the bucket in
	// an update: a bucket goes once into its agent's update of a round.
	published uint64
}

// agentState is what the worker's update building needs of one agent of
// a tenant and model, shared by the agent's buckets so that building an
// update looks nothing up.
type agentState struct {
	tenant, model, agent string
	round                uint64         // the update round update belongs to
	update               *Update        // the agent's update of that round
	buckets              []*bucketState // the buckets of update.Buckets, in order
}

// fold is the state of one partition: a pure function of the partition's
// records from offset 0 up to the last one applied. It is not safe for
// concurrent use; one goroutine owns each partition's fold.
type fold struct {
	partition int32
	index     map[string]*applied
	buckets   map[store.BucketKey]*bucketState
	agents    map[agentKey]*agentState
	last      *bucketState // the bucket of the previous record: feeds run by agent

	// pending is what the next store batch must carry.
	pending []store.Record
	dirty   []*bucketState
	// spare is the Records slice of the batch before the last one, reused
	// for the next batch: see takeBatch.
	spare []store.Record
}

type agentKey struct{ tenant, model, agent string }

func newFold(partition int32) *fold {
	return &fold{
		partition: partition,
		index:     map[string]*applied{},
		buckets:   map[store.BucketKey]*bucketState{},
		agents:    map[agentKey]*agentState{},
	}
}

// Change says what applying one record did, for the updates topic.
type Change struct {
	// Applied is false for a redelivery or an older revision: nothing changed.
	Applied bool
	// Buckets are the buckets whose value changed: Buckets[:N], one, or two
	// when a revision moved the interaction to another bucket (the old one
	// first). A fixed array, so that applying a record allocates nothing
	// for it.
	Buckets [2]*bucketState
	N       int
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
		ch.Buckets[ch.N] = old.bucket
		ch.N++
		ch.RetractedRevision = old.revision
	}
	b := f.bucketFor(it)
	b.sums.Add(it)
	f.touch(b, offset)
	if old == nil || old.bucket != b {
		ch.Buckets[ch.N] = b
		ch.N++
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
		b = &bucketState{key: key, agent: f.agentFor(key)}
		f.buckets[key] = b
	}
	f.last = b
	return b
}

// agentFor returns the agent state of a new bucket's key, whose strings
// are already cloned.
func (f *fold) agentFor(key store.BucketKey) *agentState {
	k := agentKey{key.Tenant, key.Model, key.Agent}
	a := f.agents[k]
	if a == nil {
		a = &agentState{tenant: key.Tenant, model: key.Model, agent: key.Agent}
		f.agents[k] = a
	}
	return a
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
//
// The new batch reuses the Records slice of the batch taken before the
// returned one (growing a slice of 50,000 records from nothing for every
// batch cost a fifth of the fold's time): the caller must be done with a
// batch before it takes the batch after next. The worker is: it waits for
// the batch in flight before taking the next.
func (f *fold) takeBatch(next int64) store.Batch {
	b := store.Batch{Partition: f.partition, Records: f.pending, Next: next}
	b.Buckets = make([]store.Bucket, len(f.dirty))
	for i, bs := range f.dirty {
		b.Buckets[i] = store.Bucket{BucketKey: bs.key, Partition: f.partition, Sums: bs.sums, Version: bs.version}
		bs.dirty = false
	}
	// The spare slice still points at the strings and maps of records two
	// batches old; clear it so that those are not kept alive.
	clear(f.spare)
	f.pending, f.spare = f.spare[:0], f.pending
	clear(f.dirty)
	f.dirty = f.dirty[:0]
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
