package processor

import (
	"slices"
	"strings"
	"time"

	"github.com/agentpulse/agentpulse/processor/store"
	"github.com/agentpulse/agentpulse/schemas"
)

// The roster as keyed state. For every agent of a tenant's model the fold
// keeps the partition's view of the agent's newest current interaction,
// "newest" being the greatest (ended_at, interaction_id), the order of
// views.CompareNewestFirst. An agent's current team is the team of their
// newest interaction over every model and partition: readers merge the
// parts (store.NewerPart), like bucket parts. A part changes when a record
// makes another interaction the newest, or changes the newest one's team,
// ended_at or agent; the fold then stores the part's full value
// (store.Batch.Roster) and the worker publishes it in the agent's update
// (Update.Roster), versioned by the record's offset.
//
// Exact under corrections and late data: a late interaction is newest only
// if its ended_at says so; a correction that moves the newest interaction
// away (another agent or model, or an earlier ended_at) makes the next one
// the newest. For that, rosterState keeps the rosterTop newest current
// interactions of the agent (a prefix of them in order: every current
// interaction outside top is older than top's last), and a count of them
// all. When removals empty top while the count says interactions remain,
// the partition's applied index is scanned once for the agent's newest
// rosterTop (rosterRecover: O(interactions of the partition), rare: it
// takes rosterTop corrections away from an agent's newest interactions
// with no newer one in between).

// rosterTop is how many of an agent's newest interactions a partition
// keeps per model.
const rosterTop = 8

// rosterEntry is one current interaction of an agent, as the roster needs it.
type rosterEntry struct {
	ended int64 // ended_at, unix nanoseconds
	id    string
	team  string
}

// newer reports whether x is newer than y: (ended_at, id) greater.
func (x *rosterEntry) newer(y *rosterEntry) bool {
	if x.ended != y.ended {
		return x.ended > y.ended
	}
	return x.id > y.id
}

// rosterState is one agent's roster part in one model of a partition.
type rosterState struct {
	top     []rosterEntry // newest first; see the comment above
	count   int           // the agent's current interactions in the model
	version int64         // offset of the record that last changed the part
	dirty   bool          // in fold.rosterDirty: the next batch stores it
	pub     bool          // changed since the agent's last update
}

// newest returns the part's interaction; ok false without one.
func (r *rosterState) newest() (rosterEntry, bool) {
	if len(r.top) == 0 {
		return rosterEntry{}, false
	}
	return r.top[0], true
}

// insert records a new current interaction.
func (r *rosterState) insert(x rosterEntry) {
	complete := len(r.top) == r.count
	r.count++
	i, _ := slices.BinarySearchFunc(r.top, x, func(e, t rosterEntry) int {
		if e.newer(&t) {
			return -1
		}
		return 1
	})
	// The id may share the decoded record's buffer: keep a copy, so that
	// the roster does not keep records alive.
	switch {
	case i < len(r.top):
		x.id = strings.Clone(x.id)
		r.top = slices.Insert(r.top, i, x)
		if len(r.top) > rosterTop {
			r.top = r.top[:rosterTop]
		}
	case complete && len(r.top) < rosterTop:
		x.id = strings.Clone(x.id)
		r.top = append(r.top, x)
	}
}

// remove forgets a current interaction; it reports whether top was
// emptied while others remain (the caller recovers).
func (r *rosterState) remove(id string) (recover bool) {
	r.count--
	for i := range r.top {
		if r.top[i].id == id {
			r.top = slices.Delete(r.top, i, i+1)
			break
		}
	}
	return len(r.top) == 0 && r.count > 0
}

// rosterRetract removes the interaction id of the old revision, which
// counted for bucket old's agent, before the fold applies the new one.
func (f *fold) rosterRetract(old *bucketState, id string) rosterEntry {
	a := old.agent
	before, _ := a.roster.newest()
	if a.roster.remove(id) {
		f.rosterRecover(a, id)
	}
	return before
}

// rosterApply records it, now counting for bucket b's agent, at offset,
// and marks the parts that changed: the agent's, and retractedFrom's (the
// agent the previous revision counted for, with its newest before the
// retraction) when there was one.
func (f *fold) rosterApply(it *schemas.Interaction, b *bucketState, retractedFrom *agentState, before rosterEntry, offset int64) {
	a := b.agent
	prev, _ := a.roster.newest()
	if retractedFrom == a {
		prev = before
	}
	a.roster.insert(rosterEntry{ended: it.EndedAt.UnixNano(), id: it.InteractionID, team: b.team})
	f.rosterChanged(a, prev, offset)
	if retractedFrom != nil && retractedFrom != a {
		f.rosterChanged(retractedFrom, before, offset)
	}
}

// rosterChanged marks a's part changed at offset unless its newest is prev.
func (f *fold) rosterChanged(a *agentState, prev rosterEntry, offset int64) {
	if cur, _ := a.roster.newest(); cur == prev {
		return
	}
	a.roster.version = offset
	a.roster.pub = true
	f.rosterMarkDirty(a)
}

func (f *fold) rosterMarkDirty(a *agentState) {
	if !a.roster.dirty {
		a.roster.dirty = true
		f.rosterDirty = append(f.rosterDirty, a)
	}
}

// rosterLoad records a loaded record (state restored from the store) and
// marks its part for the next batch, so that a store written before the
// roster existed gets every part.
func (f *fold) rosterLoad(r *store.Record, b *bucketState) {
	a := b.agent
	a.roster.insert(rosterEntry{ended: r.EndedAt.UnixNano(), id: r.InteractionID, team: b.team})
	a.roster.version = max(a.roster.version, r.Offset)
	f.rosterMarkDirty(a)
}

// rosterRecover refills a's top: from every current interaction of a in
// memory (the days' indexes), and, once days have left memory, from the
// newest of a's interactions that left it, read from the store as of the
// batch's first offset (fold.evictedNewest). An interaction that left
// memory and came back (hydrate) is read from memory only: memory holds
// its current revision, the store as of the batch may not (it may be the
// very one moving away). The store is asked for more until rosterTop of
// its answers are not in memory, or it has no more: then every current
// interaction newer than the new top's last is among those inserted, as
// insert's invariant wants. skip is the interaction being retracted (its
// entry still names its old bucket).
func (f *fold) rosterRecover(a *agentState, skip string) {
	f.rosterRecoveries++
	var found []rosterEntry
	for _, d := range f.days {
		d.index.each(func(key []byte, e *applied) {
			b := d.buckets[e.bucket]
			if b.agent != a {
				return
			}
			if id := string(key[len(a.tenant)+1:]); id != skip {
				found = append(found, rosterEntry{ended: e.ended, id: id, team: b.team})
			}
		})
	}
	if f.evictedThrough != minDay && f.evictedNewest != nil {
		inMemory := len(found)
		for limit := 2 * rosterTop; ; limit *= 4 {
			rs := f.evictedNewest(a.tenant, a.model, a.agent, limit)
			found = found[:inMemory]
			for i := range rs {
				r := &rs[i]
				if r.InteractionID == skip {
					continue
				}
				if e, _ := f.find(&r.Interaction, keyHash(f.seed, &r.Interaction)); e != nil {
					continue // in memory: found above if still a's
				}
				found = append(found, rosterEntry{ended: r.EndedAt.UnixNano(), id: strings.Clone(r.InteractionID), team: f.intern(r.TeamID)})
			}
			if len(found)-inMemory >= rosterTop || len(rs) < limit {
				break
			}
		}
	}
	// insert keeps the newest rosterTop whatever the order; counting every
	// entry keeps its completeness test right until the count is restored.
	count := a.roster.count
	a.roster.top, a.roster.count = a.roster.top[:0], 0
	for _, e := range found {
		a.roster.insert(e)
	}
	a.roster.count = count
}

// takeRoster returns the roster parts to store with the next batch.
func (f *fold) takeRoster() []store.RosterPart {
	if len(f.rosterDirty) == 0 {
		return nil
	}
	out := make([]store.RosterPart, len(f.rosterDirty))
	for i, a := range f.rosterDirty {
		out[i] = a.rosterPart(f.partition)
		a.roster.dirty = false
	}
	clear(f.rosterDirty)
	f.rosterDirty = f.rosterDirty[:0]
	return out
}

// rosterPart is a's roster part as the store keeps it.
func (a *agentState) rosterPart(partition int32) store.RosterPart {
	p := store.RosterPart{Tenant: a.tenant, Agent: a.agent, Model: a.model, Partition: partition, Version: a.roster.version}
	if e, ok := a.roster.newest(); ok {
		p.Team, p.InteractionID, p.EndedAt = e.team, e.id, time.Unix(0, e.ended).UTC()
	}
	return p
}

// rosterUpdate returns a's part for its update when it changed since the
// last one, nil otherwise.
func (a *agentState) rosterUpdate() *schemas.UpdateRoster {
	if !a.roster.pub {
		return nil
	}
	a.roster.pub = false
	p := a.rosterPart(0)
	return &schemas.UpdateRoster{Team: p.Team, InteractionID: p.InteractionID, EndedAt: p.EndedAt, Version: p.Version}
}
