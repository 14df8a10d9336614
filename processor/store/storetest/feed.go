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
	// byAgent holds the current interactions of each agent's model, and
	// newest the newest of them (ended_at, then id): the roster parts.
	byAgent map[akey]map[string]schemas.Interaction
	newest  map[akey]schemas.Interaction
}

// akey names an agent's model.
type akey struct{ tenant, agent, model string }

func akeyOf(it *schemas.Interaction) akey { return akey{it.TenantID, it.AgentID, it.Model} }

// newerIt is the roster's order: ended_at, then interaction_id.
func newerIt(a, b *schemas.Interaction) bool {
	if !a.EndedAt.Equal(b.EndedAt) {
		return a.EndedAt.After(b.EndedAt)
	}
	return a.InteractionID > b.InteractionID
}

// rosterRemove and rosterAdd keep byAgent and newest.
func (f *feed) rosterRemove(it *schemas.Interaction) {
	k := akeyOf(it)
	delete(f.byAgent[k], it.InteractionID)
	if f.newest[k].InteractionID != it.InteractionID {
		return
	}
	delete(f.newest, k)
	for _, o := range f.byAgent[k] {
		if n, ok := f.newest[k]; !ok || newerIt(&o, &n) {
			f.newest[k] = o
		}
	}
}

func (f *feed) rosterAdd(it *schemas.Interaction) {
	k := akeyOf(it)
	if f.byAgent[k] == nil {
		f.byAgent[k] = map[string]schemas.Interaction{}
	}
	f.byAgent[k][it.InteractionID] = *it
	if n, ok := f.newest[k]; !ok || newerIt(it, &n) {
		f.newest[k] = *it
	}
}

type feedBucket struct {
	key     store.BucketKey
	sums    views.Sums
	version int64
}

func newFeed(partition int32) *feed {
	return &feed{partition: partition, applied: map[ikey]schemas.Interaction{}, sums: map[bkey]*feedBucket{},
		byAgent: map[akey]map[string]schemas.Interaction{}, newest: map[akey]schemas.Interaction{}}
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
	rosterAt := map[akey]int64{}
	var rosterOrder []akey
	rosterTouch := func(it *schemas.Interaction, offset int64) {
		k := akeyOf(it)
		if _, ok := rosterAt[k]; !ok {
			rosterOrder = append(rosterOrder, k)
		}
		rosterAt[k] = offset
	}
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
			f.rosterRemove(&old)
			rosterTouch(&old, offset)
		}
		touch(bucketKeyOf(&it), offset).sums.Add(&it)
		f.rosterAdd(&it)
		rosterTouch(&it, offset)
		f.applied[k] = it
		b.Records = append(b.Records, store.Record{Interaction: it, Partition: f.partition, Offset: offset})
	}
	for _, bk := range order {
		fb := f.sums[bk]
		b.Buckets = append(b.Buckets, store.Bucket{BucketKey: fb.key, Partition: f.partition, Sums: fb.sums, Version: fb.version})
	}
	for _, k := range rosterOrder {
		p := store.RosterPart{Tenant: k.tenant, Agent: k.agent, Model: k.model, Partition: f.partition, Version: rosterAt[k]}
		if n, ok := f.newest[k]; ok {
			p.Team, p.InteractionID, p.EndedAt = n.TeamID, n.InteractionID, n.EndedAt
		}
		b.Roster = append(b.Roster, p)
	}
	// The models whose roster parts the batch touched get their newest
	// part (the newest of the partition's roster parts): store.LatestPart.
	type mkey struct{ tenant, model string }
	latestAt := map[mkey]int64{}
	var latestOrder []mkey
	for _, k := range rosterOrder {
		m := mkey{k.tenant, k.model}
		if _, ok := latestAt[m]; !ok {
			latestOrder = append(latestOrder, m)
		}
		latestAt[m] = max(latestAt[m], rosterAt[k])
	}
	for _, m := range latestOrder {
		p := store.LatestPart{Tenant: m.tenant, Model: m.model, Partition: f.partition, Version: latestAt[m]}
		var best *schemas.Interaction
		for k, n := range f.newest {
			if k.tenant == m.tenant && k.model == m.model && (best == nil || newerIt(&n, best)) {
				best = &n
			}
		}
		if best != nil {
			p.Agent, p.InteractionID, p.EndedAt = best.AgentID, best.InteractionID, best.EndedAt
		}
		b.Latest = append(b.Latest, p)
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
