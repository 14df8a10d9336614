package learn

import (
	"cmp"
	"slices"
	"strings"
	"time"

	"github.com/agentpulse/agentpulse/outcomes"
	"github.com/agentpulse/agentpulse/processor"
	"github.com/agentpulse/agentpulse/processor/store"
	"github.com/agentpulse/agentpulse/schemas"
)

// cells places the learned cells of interactions in the learner's bucket
// parts (store.LearnedPartition): per bucket key, the sum of the learned
// cells of the interactions whose current revision counts in it, as the
// reference adds them (views/reference: a target's cell only where the
// feed does not predict it).
//
// It follows every interaction record (place: the current revision's
// bucket key and which targets the feed predicts, an equal or lower
// revision changing nothing, as in the processor's fold) and every cell
// the stream emits (score). A bucket whose members or members' cells
// changed is dirty; flush recomputes each dirty bucket from its members
// in interaction-id order, so its value is a function of the members'
// cells, not of the order they changed in: byte-identical after a replay.
//
// Bounded by the present, like the stream: a tenant's buckets of hours
// ending more than horizon before its newest ended_at leave memory (their
// members' cells no longer change: labels mature within OutcomeDays). With
// an archive (archive.go) their members go to disk: a later revision of
// one takes its cell out of its archived bucket and moves it
// (followDropped), and an interaction placed in an hour that old is
// archived there at once, its bucket recomputed from the archive. Without
// one, such interactions have no learned cell and a revision of a dropped
// one is taken as new.
//
// Not safe for concurrent use: Learner guards it with its mutex.
type cells struct {
	horizon time.Duration
	ix      map[ixKey]*ixCell
	members map[bkey][]string // interaction ids, sorted (the key holds the tenant)
	dirty   map[bkey]bool
	// held are the buckets whose stored value is not zero: a bucket
	// whose members all carry the feed's predictions (no learned cell)
	// is never written, unless to retract a value written before.
	held    map[bkey]bool
	newest  map[string]time.Time // per tenant: the newest ended_at placed
	evicted map[string]int64     // per tenant: the unix day eviction last ran for
	// names numbers the keys' strings (tenants, models, teams, agents,
	// inquiries: few distinct values), so a bucket key is 32 bytes
	// without pointers and an interaction held costs its id and a few
	// words, not five strings and a time.
	names map[string]uint32
	strs  []string // by number
	// arch, when not nil, keeps the interactions dropped from memory;
	// archDirty are the archived buckets whose members changed; pos is
	// the learner's position (records consumed) the archive's writes are
	// made at; err is the archive's first I/O error (the learner stops).
	arch      *archive
	archDirty map[bkey]bool
	pos       int64
	err       error
	// low bounds the present as the stream's sealing is bounded
	// (Stream.SetLowWatermark): while a partition lags, a tenant's newest
	// ended_at read from another does not move its records out of
	// memory. Zero: no bound.
	low time.Time
}

type ixKey struct{ tenant, id string }

// bkey is a store.BucketKey with its strings numbered (cells.names) and
// its hour in Unix seconds.
type bkey struct {
	tenant, model, team, agent, inquiry uint32
	hour                                int64
}

// ixCell is one interaction's current placement and learned scores (the
// stream's, before the feed's predictions are taken out): per target the
// served prediction and the label, from which its cell is one Cell.Add.
type ixCell struct {
	Revision         int64
	Key              bkey
	FeedSat, FeedRes bool
	Sat, Res         score
}

// score is one target's learned prediction and label of an interaction.
type score struct {
	P float64
	// OK: predicted (else no cell); Has: labelled; Value: the label.
	OK, Has, Value bool
}

// cell is the interaction's cell of the target: empty without a
// prediction.
func (s score) cell() outcomes.Cell {
	var c outcomes.Cell
	if s.OK {
		c.Add(s.P, s.Has, s.Value)
	}
	return c
}

// learned returns the cells the interaction adds to its bucket.
func (c *ixCell) learned() (sat, res outcomes.Cell) {
	if !c.FeedSat {
		sat = c.Sat.cell()
	}
	if !c.FeedRes {
		res = c.Res.cell()
	}
	return sat, res
}

func newCells(horizon time.Duration) *cells {
	return &cells{horizon: horizon, ix: map[ixKey]*ixCell{}, members: map[bkey][]string{},
		dirty: map[bkey]bool{}, held: map[bkey]bool{}, newest: map[string]time.Time{}, evicted: map[string]int64{},
		names: map[string]uint32{}, archDirty: map[bkey]bool{}}
}

// number returns s's number in c.names.
func (c *cells) number(s string) uint32 {
	if v, ok := c.names[s]; ok {
		return v
	}
	v := uint32(len(c.strs))
	s = strings.Clone(s) // not a substring of a decoded record: see place
	c.names[s] = v
	c.strs = append(c.strs, s)
	return v
}

// key numbers a bucket key.
func (c *cells) key(k store.BucketKey) bkey {
	return bkey{tenant: c.number(k.Tenant), model: c.number(k.Model), team: c.number(k.Team), agent: c.number(k.Agent),
		inquiry: c.number(k.Inquiry), hour: k.Hour.Unix()}
}

// bucketKey is the store's key of a numbered one.
func (c *cells) bucketKey(k bkey) store.BucketKey {
	return store.BucketKey{Tenant: c.strs[k.tenant], Model: c.strs[k.model], Team: c.strs[k.team], Agent: c.strs[k.agent],
		Inquiry: c.strs[k.inquiry], Hour: time.Unix(k.hour, 0).UTC()}
}

// keyOf is the interaction's bucket key (processor.BucketKeyOf), numbered.
func (c *cells) keyOf(it *schemas.Interaction) bkey { return c.key(processor.BucketKeyOf(it)) }

// revise moves a tracked interaction's cell to key (its bucket changed)
// and marks the bucket dirty when the feed's predictions came or went.
func (c *cells) revise(cur *ixCell, key bkey, id string, feedSat, feedRes bool) {
	if cur.Key != key {
		// The members' copy of id, not the caller's (a substring of its
		// decoded record, which it would pin whole).
		if m := c.members[cur.Key]; m != nil {
			if i, found := slices.BinarySearch(m, id); found {
				id = m[i]
			}
		} else {
			id = strings.Clone(id)
		}
		c.leave(cur.Key, id)
		c.join(key, id)
		cur.Key = key
	}
	if cur.FeedSat != feedSat || cur.FeedRes != feedRes {
		cur.FeedSat, cur.FeedRes = feedSat, feedRes
		c.dirty[key] = true
	}
}

// place records an interaction's revision.
func (c *cells) place(it *schemas.Interaction) {
	key := c.keyOf(it)
	k := ixKey{c.strs[key.tenant], it.InteractionID}
	feedSat, feedRes := it.PredictedSatisfaction != nil, it.PredictedResolution != nil
	cur := c.ix[k]
	beyond := c.beyond(key)
	if cur == nil {
		if beyond {
			// Beyond the horizon: archived in its bucket (the stream's
			// cells for it follow in score), or no cell without an archive.
			c.toArchive(key, it.InteractionID, archived{Revision: it.Revision, FeedSat: feedSat, FeedRes: feedRes})
			c.saw(it)
			return
		}
		cur = &ixCell{Revision: it.Revision, Key: key, FeedSat: feedSat, FeedRes: feedRes}
		// Its own copy of the id: it.InteractionID is a substring of the
		// decoded record's one string, which a kept id would pin whole.
		k.id = strings.Clone(k.id)
		c.ix[k] = cur
		c.join(key, k.id)
	} else {
		if it.Revision <= cur.Revision {
			return
		}
		cur.Revision = it.Revision
		if beyond {
			// Moved into an hour whose bucket left memory: archived there
			// (taken out of where it was).
			c.leave(cur.Key, it.InteractionID)
			delete(c.ix, k)
			c.toArchive(key, it.InteractionID, archived{Revision: it.Revision, FeedSat: feedSat, FeedRes: feedRes, Sat: cur.Sat, Res: cur.Res})
			c.saw(it)
			return
		}
		c.revise(cur, key, it.InteractionID, feedSat, feedRes)
	}
	c.saw(it)
}

// beyond reports whether key's hour is older than the horizon and its
// bucket is not in memory: its members are archived (or, without an
// archive, have no cell).
func (c *cells) beyond(key bkey) bool {
	return time.Unix(key.hour, 0).Add(c.horizon).Before(c.present(c.strs[key.tenant])) && c.members[key] == nil
}

// present is the tenant's newest ended_at, bounded by the low watermark.
func (c *cells) present(tenant string) time.Time {
	if n := c.newest[tenant]; c.low.IsZero() || !c.low.Before(n) {
		return n
	}
	return c.low
}

// toArchive archives an interaction in bucket key (archived); without an
// archive it is dropped.
func (c *cells) toArchive(key bkey, id string, e archived) {
	if c.arch == nil {
		return
	}
	e.Key = c.bucketKey(key)
	c.archWrite(change{tenant: e.Key.Tenant, id: id, e: e})
	c.archDirty[key] = true
}

// archWrite writes changes to the archive, marking the archived buckets
// they leave dirty.
func (c *cells) archWrite(chs ...change) {
	if c.err != nil {
		return
	}
	for i := range chs {
		if old, ok := c.archGet(chs[i].tenant, chs[i].id); ok && (chs[i].del || old.Key != chs[i].e.Key) {
			c.archDirty[c.key(old.Key)] = true
		}
	}
	if err := c.arch.write(c.pos, chs); err != nil {
		c.err = err
	}
}

func (c *cells) archGet(tenant, id string) (archived, bool) {
	if c.arch == nil || c.err != nil {
		return archived{}, false
	}
	e, ok, err := c.arch.get(tenant, id)
	if err != nil {
		c.err = err
		return archived{}, false
	}
	return e, ok
}

// followDropped takes a revision of an interaction the stream no longer
// holds (streamHolds false) but the cells know, in memory or archived:
// the stream dropped it once its cells were final, so the revision moves
// those cells, unchanged, to its new bucket (the stream's rule for a
// correction of a sealed day: it keeps its prediction), and must not
// reach the stream, which would take it as a new contact and train on it
// a second time. It reports whether it took the record.
func (c *cells) followDropped(it *schemas.Interaction, streamHolds bool) bool {
	if c.arch == nil {
		return false
	}
	key := c.keyOf(it)
	tenant := c.strs[key.tenant]
	k := ixKey{tenant, it.InteractionID}
	if streamHolds {
		// A correction the stream takes. Were the interaction archived
		// (the cells keep a bucket a day longer than the stream keeps a
		// contact, so hardly ever), it leaves the archive: place puts it
		// back in memory, or in the archive beyond the horizon.
		if c.ix[k] == nil {
			if _, ok := c.archGet(tenant, it.InteractionID); ok {
				c.archWrite(change{tenant: tenant, id: it.InteractionID, del: true})
			}
		}
		return false
	}
	feedSat, feedRes := it.PredictedSatisfaction != nil, it.PredictedResolution != nil
	cur := c.ix[k]
	if cur == nil {
		e, ok := c.archGet(tenant, it.InteractionID)
		if !ok {
			return c.err != nil // a new interaction (or a failed archive: stopping)
		}
		if it.Revision > e.Revision {
			e.Revision, e.FeedSat, e.FeedRes = it.Revision, feedSat, feedRes
			if c.beyond(key) {
				c.toArchive(key, it.InteractionID, e)
			} else {
				c.archWrite(change{tenant: tenant, id: it.InteractionID, del: true})
				c.ix[k] = &ixCell{Revision: e.Revision, Key: key, FeedSat: feedSat, FeedRes: feedRes, Sat: e.Sat, Res: e.Res}
				c.join(key, it.InteractionID)
			}
			c.saw(it)
		}
		return true
	}
	if it.Revision <= cur.Revision {
		return true
	}
	if c.beyond(key) {
		c.leave(cur.Key, it.InteractionID)
		delete(c.ix, k)
		c.toArchive(key, it.InteractionID, archived{Revision: it.Revision, FeedSat: feedSat, FeedRes: feedRes, Sat: cur.Sat, Res: cur.Res})
	} else {
		cur.Revision = it.Revision
		c.revise(cur, key, it.InteractionID, feedSat, feedRes)
	}
	c.saw(it)
	return true
}

// saw moves the tenant's newest ended_at.
func (c *cells) saw(it *schemas.Interaction) {
	if end := it.EndedAt.UTC(); end.After(c.newest[it.TenantID]) {
		c.newest[it.TenantID] = end
	}
}

func (c *cells) join(key bkey, id string) {
	m := c.members[key]
	if i, found := slices.BinarySearch(m, id); !found {
		c.members[key] = slices.Insert(m, i, id)
	}
	c.dirty[key] = true
}

func (c *cells) leave(key bkey, id string) {
	m := c.members[key]
	if i, found := slices.BinarySearch(m, id); found {
		c.members[key] = slices.Delete(m, i, i+1)
	}
	c.dirty[key] = true
}

// score records the stream's current cells of an interaction.
func (c *cells) score(e *outcomes.Emitted) {
	cur := c.ix[ixKey{e.Tenant, e.ID}]
	sat, res := scoreOf(e, outcomes.Satisfaction), scoreOf(e, outcomes.Resolution)
	if cur == nil { // archived (placed beyond the horizon), or unknown
		if a, ok := c.archGet(e.Tenant, e.ID); ok && (a.Sat != sat || a.Res != res) {
			a.Sat, a.Res = sat, res
			c.toArchive(c.key(a.Key), e.ID, a)
		}
		return
	}
	if sat != cur.Sat || res != cur.Res {
		cur.Sat, cur.Res = sat, res
		c.dirty[cur.Key] = true
	}
}

// scoreOf is the target's score in an emitted cell (zero without a
// prediction).
func scoreOf(e *outcomes.Emitted, tg outcomes.Target) score {
	p, l := e.Pred[tg], e.Label[tg]
	if !p.OK {
		return score{}
	}
	return score{P: p.P, OK: true, Has: l.Has, Value: l.Has && l.Value}
}

// flush returns the full value of every dirty bucket (Version unset), in
// key order, then drops what passed the horizon.
func (c *cells) flush() []store.Bucket {
	type dirtyKey struct {
		k  bkey
		bk store.BucketKey
	}
	keys := make([]dirtyKey, 0, len(c.dirty))
	for k := range c.dirty {
		keys = append(keys, dirtyKey{k, c.bucketKey(k)})
	}
	slices.SortFunc(keys, func(a, b dirtyKey) int { return compareKeys(a.bk, b.bk) })
	out := make([]store.Bucket, 0, len(keys))
	for _, dk := range keys {
		k := dk.k
		b := c.value(k)
		zero := b.Sums.Empty()
		if !zero || c.held[k] {
			out = append(out, b)
		}
		if zero {
			delete(c.held, k)
		} else {
			c.held[k] = true
		}
		if len(c.members[k]) == 0 {
			delete(c.members, k)
		}
	}
	clear(c.dirty)
	out = append(out, c.archivedValues()...)
	c.evict()
	return out
}

// archivedValues returns the full value of every archived bucket whose
// members changed, in key order: its members' cells added in id order,
// as for a bucket in memory. It is written even when zero (it may retract
// a value written before).
func (c *cells) archivedValues() []store.Bucket {
	keys := make([]store.BucketKey, 0, len(c.archDirty))
	for k := range c.archDirty {
		keys = append(keys, c.bucketKey(k))
	}
	clear(c.archDirty)
	slices.SortFunc(keys, compareKeys)
	out := make([]store.Bucket, 0, len(keys))
	for _, k := range keys {
		if c.err != nil {
			return nil
		}
		ids, err := c.arch.members(k)
		if err != nil {
			c.err = err
			return nil
		}
		b := store.Bucket{BucketKey: k, Partition: store.LearnedPartition}
		for _, id := range ids {
			e, ok := c.archGet(k.Tenant, id)
			if !ok {
				continue
			}
			x := ixCell{FeedSat: e.FeedSat, FeedRes: e.FeedRes, Sat: e.Sat, Res: e.Res}
			sat, res := x.learned()
			b.Lsat.Merge(sat)
			b.Lres.Merge(res)
		}
		out = append(out, b)
	}
	return out
}

// value is a bucket's learned part, its members' cells added in id order.
func (c *cells) value(k bkey) store.Bucket {
	b := store.Bucket{BucketKey: c.bucketKey(k), Partition: store.LearnedPartition}
	for _, id := range c.members[k] {
		sat, res := c.ix[ixKey{b.Tenant, id}].learned()
		b.Lsat.Merge(sat)
		b.Lres.Merge(res)
	}
	return b
}

// evict drops, once per tenant and day of its newest ended_at, the
// buckets of hours older than the horizon and their interactions.
func (c *cells) evict() {
	for tenant := range c.newest {
		newest := c.present(tenant)
		day := newest.Unix() / 86400
		if c.evicted[tenant] == day {
			continue
		}
		c.evicted[tenant] = day
		limit := newest.Add(-c.horizon)
		var chs []change
		for k, m := range c.members {
			if c.strs[k.tenant] != tenant || !time.Unix(k.hour, 0).Before(limit) {
				continue
			}
			for _, id := range m {
				if x := c.ix[ixKey{tenant, id}]; x != nil && c.arch != nil {
					chs = append(chs, change{tenant: tenant, id: id, e: archived{Revision: x.Revision, Key: c.bucketKey(k),
						FeedSat: x.FeedSat, FeedRes: x.FeedRes, Sat: x.Sat, Res: x.Res}})
				}
				delete(c.ix, ixKey{tenant, id})
			}
			delete(c.members, k)
			delete(c.dirty, k)
			delete(c.held, k)
		}
		if len(chs) > 0 && c.err == nil {
			if err := c.arch.write(c.pos, chs); err != nil { // their buckets' values are stored: nothing dirty
				c.err = err
			}
		}
	}
}

func compareKeys(a, b store.BucketKey) int {
	return cmp.Or(cmp.Compare(a.Tenant, b.Tenant), cmp.Compare(a.Model, b.Model), cmp.Compare(a.Agent, b.Agent),
		cmp.Compare(a.Inquiry, b.Inquiry), cmp.Compare(a.Team, b.Team), a.Hour.Compare(b.Hour))
}
