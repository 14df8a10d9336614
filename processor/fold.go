package processor

import (
	"fmt"
	"hash/maphash"
	"strings"
	"time"

	"github.com/agentpulse/agentpulse/processor/store"
	"github.com/agentpulse/agentpulse/schemas"
	"github.com/agentpulse/agentpulse/views"
)

// remember sets e to it's contribution to bucket b.
func (e *applied) remember(it *schemas.Interaction, b *bucketState) {
	e.revision, e.handle, e.bucket = it.Revision, it.HandleTimeS, b.slot
	e.ended = it.EndedAt.UnixNano()
	e.psat, e.hasPsat, e.pres, e.hasPres = 0, false, 0, false
	if p := it.PredictedSatisfaction; p != nil {
		e.psat, e.hasPsat = *p, true
	}
	if p := it.PredictedResolution; p != nil {
		e.pres, e.hasPres = *p, true
	}
}

// retract removes e's contribution from bucket b: Sums.Sub of exactly the
// values that were added.
func (e *applied) retract(b *bucketState) {
	contribution := schemas.Interaction{HandleTimeS: e.handle}
	if e.hasPsat {
		contribution.PredictedSatisfaction = &e.psat
	}
	if e.hasPres {
		contribution.PredictedResolution = &e.pres
	}
	b.sums.Sub(&contribution)
}

// bucketState is one hourly aggregate as the fold holds it.
type bucketState struct {
	day     *dayState // the day of hour
	slot    int32     // index in day.buckets
	team    string
	inquiry string
	hour    time.Time
	sums    views.Sums
	version int64
	dirty   bool
	agent   *agentState // the agent (of a tenant and model) the bucket counts for
	// published is the worker's update round that last put the bucket in
	// an update: a bucket goes once into its agent's update of a round.
	published uint64
}

// key is the bucket's store key.
func (b *bucketState) key() store.BucketKey {
	return store.BucketKey{Tenant: b.agent.tenant, Model: b.agent.model, Team: b.team, Agent: b.agent.agent, Inquiry: b.inquiry, Hour: b.hour}
}

// agentState is what the worker's update building needs of one agent of
// a tenant and model, shared by the agent's buckets so that building an
// update looks nothing up.
type agentState struct {
	tenant, model, agent string
	round                uint64          // the update round update belongs to
	update               *schemas.Update // the agent's update of that round
	buckets              []*bucketState  // the buckets of update.Buckets, in order
	roster               rosterState     // the agent's roster part (roster.go)
}

// fold is the state of one partition: a pure function of the partition's
// records from offset 0 up to the last one applied. It keeps in memory the
// interactions and bucket parts of recent days of event time (days); older
// days leave memory once stored (evict) and come back from the store when
// a record needs them (the worker's hydrate). It is not safe for
// concurrent use; one goroutine owns each partition's fold.
type fold struct {
	partition int32
	seed      maphash.Seed
	days      map[int32]*dayState // by day number (UTC days since 1970)
	// where maps the hash of every interaction key in memory to the day
	// that holds it, or to minDay when keys of several days share the
	// hash (then every day is looked at): one lookup tells a new
	// interaction from one in memory.
	where map[uint64]int32
	// bucketsPeak and wherePeak are the most keys the maps held since
	// they were made: see shrinkMaps.
	bucketsPeak, wherePeak int
	buckets                map[bucketIndexKey]*bucketState
	strs                   map[string]string // interned team, inquiry, tenant and model strings
	agents                 map[agentKey]*agentState
	last                   *bucketState // the bucket of the previous record: feeds run by agent

	// horizon is how far behind watermark a day must end to leave memory;
	// 0 keeps everything.
	horizon time.Duration
	// watermark is the newest ended_at (unix ns) of the revisions applied.
	watermark int64
	// evictedThrough is the newest day that ever left memory (minDay when
	// none): a bucket part of that day or older that is not in memory may
	// be in the store, and must be loaded before it changes.
	evictedThrough int32
	// evicted holds the keys of interactions that left memory.
	evicted evictedFilter
	// seq counts the batches taken; changes since belong to batch seq+1.
	seq uint64

	// pending is what the next store batch must carry.
	pending []store.Record
	dirty   []*bucketState
	// rosterDirty are the agents whose roster part the next batch stores;
	// rosterRecoveries counts rosterRecover scans.
	rosterDirty      []*agentState
	rosterRecoveries int
	// latestStored is the last LatestPart stored per model (latest.go).
	latestStored map[tenantModel]latestStored
	// evictedNewest returns up to limit of an agent's newest current
	// interactions in a model among those the partition applied below the
	// current batch's first offset, from the store (the worker's lookup;
	// nil in tests without a store): rosterRecover's view of what left
	// memory.
	evictedNewest func(tenant, model, agent string, limit int) []store.Record
	// spare is the Records slice of the batch before the last one, reused
	// for the next batch: see takeBatch.
	spare []store.Record
	// keyBuf is needs' scratch for an interaction's key.
	keyBuf []byte
}

// minDay stands for "no day".
const minDay = -1 << 31

type agentKey struct{ tenant, model, agent string }

func newFold(partition int32) *fold {
	return &fold{
		partition:      partition,
		seed:           maphash.MakeSeed(),
		days:           map[int32]*dayState{},
		where:          map[uint64]int32{},
		buckets:        map[bucketIndexKey]*bucketState{},
		strs:           map[string]string{},
		agents:         map[agentKey]*agentState{},
		evictedThrough: minDay,
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
// that was itself corrected already). An interaction or bucket part that
// left memory must have been brought back first (hydrate).
func (f *fold) apply(it *schemas.Interaction, offset int64) Change {
	h := keyHash(f.seed, it)
	e, d := f.find(it, h)
	if e != nil && e.revision >= it.Revision {
		return Change{}
	}
	var ch Change
	ch.Applied = true
	var oldBucket *bucketState
	var rosterBefore rosterEntry
	var retractedFrom *agentState
	if e != nil {
		oldBucket = d.buckets[e.bucket]
		rosterBefore, retractedFrom = f.rosterRetract(oldBucket, it.InteractionID), oldBucket.agent
		e.retract(oldBucket)
		f.touch(oldBucket, offset)
		ch.Buckets[ch.N] = oldBucket
		ch.N++
		ch.RetractedRevision = e.revision
	}
	b := f.bucketFor(it)
	b.sums.Add(it)
	f.touch(b, offset)
	if oldBucket != b {
		ch.Buckets[ch.N] = b
		ch.N++
	}
	if e != nil && b.day != d {
		// Moved to another day: the entry moves to that day's index.
		d.index.remove(it, h)
		if f.where[h] == d.day {
			delete(f.where, h)
		}
		e = nil
	}
	if e == nil {
		e = f.add(b.day, it, h)
	}
	e.remember(it, b)
	if ns := it.EndedAt.UnixNano(); ns > f.watermark {
		f.watermark = ns
	}
	f.rosterApply(it, b, retractedFrom, rosterBefore, offset)
	f.pending = append(f.pending, store.Record{Interaction: *it, Partition: f.partition, Offset: offset})
	return ch
}

// find returns the entry of it's key (hash h) and its day, nil when the
// interaction is not in memory.
func (f *fold) find(it *schemas.Interaction, h uint64) (*applied, *dayState) {
	n, ok := f.where[h]
	if !ok {
		return nil, nil
	}
	if n != minDay {
		if d := f.days[n]; d != nil {
			if e := d.index.lookup(it, h); e != nil {
				return e, d
			}
		}
		return nil, nil
	}
	for _, d := range f.days {
		if e := d.index.lookup(it, h); e != nil {
			return e, d
		}
	}
	return nil, nil
}

// add indexes it's key (hash h, not in memory) in day d.
func (f *fold) add(d *dayState, it *schemas.Interaction, h uint64) *applied {
	if n, ok := f.where[h]; ok && n != d.day {
		f.where[h] = minDay
	} else {
		f.where[h] = d.day
	}
	f.wherePeak = max(f.wherePeak, len(f.where))
	return d.index.add(it, h)
}

// load restores an applied record from the store at start, without marking
// anything for writing: the store already has it.
func (f *fold) load(r store.Record) {
	b := f.bucketFor(&r.Interaction)
	b.sums.Add(&r.Interaction)
	if r.Offset > b.version {
		b.version = r.Offset
	}
	f.remember(&r.Interaction, b)
	if ns := r.EndedAt.UnixNano(); ns > f.watermark {
		f.watermark = ns
	}
	f.rosterLoad(&r, b)
}

// remember indexes it, counted in b, unless it is in memory already.
func (f *fold) remember(it *schemas.Interaction, b *bucketState) {
	h := keyHash(f.seed, it)
	if e, _ := f.find(it, h); e != nil {
		return
	}
	f.add(b.day, it, h).remember(it, b)
}

func (f *fold) bucketFor(it *schemas.Interaction) *bucketState {
	hour := it.EndedAt.UTC().Truncate(time.Hour)
	l := f.last
	if l != nil && l.hour.Equal(hour) && l.agent.agent == it.AgentID && l.inquiry == it.Inquiry &&
		l.agent.model == it.Model && l.team == it.TeamID && l.agent.tenant == it.TenantID {
		return l
	}
	var a *agentState
	if l != nil && l.agent.agent == it.AgentID && l.agent.model == it.Model && l.agent.tenant == it.TenantID {
		a = l.agent // feeds run by agent: no lookup
	} else {
		a = f.agentFor(it)
	}
	key := bucketIndexKey{agent: a, team: it.TeamID, inquiry: it.Inquiry, hour: hour.Unix()}
	b := f.buckets[key]
	if b == nil {
		day := dayOf(hour.UnixNano())
		if day <= f.evictedThrough {
			// The part may be in the store: counting from zero would
			// overwrite it. The worker loads such parts before folding.
			panic(fmt.Sprintf("processor: partition %d: bucket part %v of an evicted day folded before it was loaded", f.partition, BucketKeyOf(it)))
		}
		b = f.newBucket(key)
	}
	f.last = b
	return b
}

// newBucket adds an empty bucket part for key, in its day.
func (f *fold) newBucket(key bucketIndexKey) *bucketState {
	// The strings are interned so that buckets share them and do not
	// keep the decoded record's buffer alive.
	key.team, key.inquiry = f.intern(key.team), f.intern(key.inquiry)
	hour := time.Unix(key.hour, 0).UTC()
	d := f.day(dayOf(hour.UnixNano()))
	if len(d.slab) == 0 {
		d.slab = make([]bucketState, bucketSlab)
	}
	b := &d.slab[0]
	d.slab = d.slab[1:]
	*b = bucketState{day: d, slot: int32(len(d.buckets)), agent: key.agent, team: key.team, inquiry: key.inquiry, hour: hour}
	d.buckets = append(d.buckets, b)
	f.buckets[key] = b
	f.bucketsPeak = max(f.bucketsPeak, len(f.buckets))
	return b
}

// bucketSlab is how many bucket parts a day allocates at once.
const bucketSlab = 64

// bucketIndexKey is a bucket's key in fold.buckets: the agent's state
// stands for tenant, model and agent, so that the key is small.
type bucketIndexKey struct {
	agent         *agentState
	team, inquiry string
	hour          int64 // unix seconds of the UTC hour: hashed and compared cheaper than a time.Time
}

// intern returns a copy of s shared by every bucket with the same value.
func (f *fold) intern(s string) string {
	if v, ok := f.strs[s]; ok {
		return v
	}
	v := strings.Clone(s)
	f.strs[v] = v
	return v
}

// agentFor returns the state of an interaction's agent.
func (f *fold) agentFor(it *schemas.Interaction) *agentState {
	return f.agent(it.TenantID, it.Model, it.AgentID)
}

func (f *fold) agent(tenant, model, agent string) *agentState {
	k := agentKey{tenant, model, agent}
	a := f.agents[k]
	if a == nil {
		a = &agentState{tenant: f.intern(tenant), model: f.intern(model), agent: strings.Clone(agent)}
		f.agents[agentKey{a.tenant, a.model, a.agent}] = a
	}
	return a
}

func (f *fold) touch(b *bucketState, offset int64) {
	b.version = offset
	b.day.touched = f.seq + 1
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
	f.seq++
	b := store.Batch{Partition: f.partition, Records: f.pending, Next: next, Latest: f.takeLatest()}
	b.Roster = f.takeRoster()
	b.Buckets = make([]store.Bucket, len(f.dirty))
	for i, bs := range f.dirty {
		b.Buckets[i] = store.Bucket{BucketKey: bs.key(), Partition: f.partition, Sums: bs.sums, Version: bs.version}
		bs.dirty = false
	}
	// The spare slice still points at the strings and maps of records two
	// batches old; clear it so that those are not kept alive.
	clear(f.spare)
	f.pending, f.spare = f.spare[:0], f.pending
	switch n := len(b.Records); {
	case cap(f.pending) > 1024 && cap(f.pending) > 4*n:
		// Batches became much smaller (caught up after a replay): do not
		// keep a replay-sized slice for them.
		f.pending = nil
	case cap(f.pending) < n:
		// The next batch is likely about as large as this one: make room
		// for it at once. Growing by doubling copied every record (about
		// 300 bytes with pointers, so under the write barrier while the
		// GC marks) about once more: an eighth of a replay's fold time.
		f.pending = make([]store.Record, 0, n)
	}
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
