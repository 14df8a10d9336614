package storeview

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/agentpulse/agentpulse/processor/store"
	"github.com/agentpulse/agentpulse/schemas"
	"github.com/agentpulse/agentpulse/views"
)

// OverlayStore is what an Overlay reads: a store's read side and its
// per-partition checkpoints (store.Store has both).
type OverlayStore interface {
	store.Reader
	Checkpoint(ctx context.Context, partition int32) (int64, error)
}

// Overlay is a store.Reader that answers from a store with the bucket
// parts of processor updates laid over it, so that a figure read right
// after an update is fresh before the processor has flushed the batch.
//
// Buckets answers the store's parts with each overlay part replacing the
// store's part of the same BucketKey and partition when its version is
// higher, and adding it when the store has none; parts with zero volume
// are hidden, like the stores do. LatestData is the store's, or the
// newest ended_at of the overlay's pending interactions when that is
// later. Recent is the store's alone (updates carry interaction ids, not
// the interactions): the coaching review list and the rare team decision
// that reads interactions lag by one flush.
//
// An entry is dropped by Prune once the store's checkpoint of its
// partition is above its version (the store has that value or a newer
// one). Run prunes periodically. Memory is the updates received and not
// yet stored: one flush interval of the processors' output.
//
// Limitation: a correction that moves the model's newest interaction to
// an earlier time is reflected in LatestData once the store has it.
//
// An Overlay is safe for concurrent use; no lock is held while the store
// is read.
type Overlay struct {
	st OverlayStore

	mu      sync.RWMutex
	parts   map[modelKey]map[string]map[partKey]store.Bucket // model → agent → part
	pending map[modelKey][]pendingEnd
	roster  map[string]rosterMap // tenant → the updates' roster parts
	n       int
}

type modelKey struct{ tenant, model string }

// partKey names one partition's part of a bucket; hour in Unix seconds.
type partKey struct {
	team, agent, inquiry string
	hour                 int64
	partition            int32
}

// pendingEnd is the ended_at of interactions applied at offset in
// partition, not yet known to be stored.
type pendingEnd struct {
	partition int32
	offset    int64
	ended     time.Time
}

var _ store.Reader = (*Overlay)(nil)

// NewOverlay returns an empty overlay over st.
func NewOverlay(st OverlayStore) *Overlay {
	return &Overlay{st: st, parts: map[modelKey]map[string]map[partKey]store.Bucket{}, pending: map[modelKey][]pendingEnd{},
		roster: map[string]rosterMap{}}
}

func keyOf(b *store.Bucket) partKey {
	return partKey{b.Team, b.Agent, b.Inquiry, b.Hour.Unix(), b.Partition}
}

// Apply lays an update's bucket parts over the store (per part, the
// higher version wins) and records its interactions' ended_at for
// LatestData. It does not block on the store.
//
// The outcome learner's updates (store.LearnedPartition) are not laid
// over: it publishes them once the store holds them, and no checkpoint
// would ever prune them.
func (o *Overlay) Apply(u schemas.Update) {
	if u.Partition == store.LearnedPartition {
		return
	}
	mk := modelKey{u.Tenant, u.Model}
	o.mu.Lock()
	defer o.mu.Unlock()
	for i := range u.Buckets {
		b := updateBucket(&u, i)
		b.Hour = b.Hour.UTC()
		agents := o.parts[mk]
		if agents == nil {
			agents = map[string]map[partKey]store.Bucket{}
			o.parts[mk] = agents
		}
		byKey := agents[b.Agent]
		if byKey == nil {
			byKey = map[partKey]store.Bucket{}
			agents[b.Agent] = byKey
		}
		pk := keyOf(&b)
		old, had := byKey[pk]
		if had && old.Version >= b.Version {
			continue
		}
		if !had {
			o.n++
		}
		byKey[pk] = b
	}
	var newest time.Time
	for _, it := range u.Interactions {
		if it.EndedAt.After(newest) {
			newest = it.EndedAt
		}
	}
	if !newest.IsZero() {
		o.pending[mk] = append(o.pending[mk], pendingEnd{u.Partition, u.Offset, newest})
	}
	if u.Roster != nil {
		m := o.roster[u.Tenant]
		if m == nil {
			m = rosterMap{}
			o.roster[u.Tenant] = m
		}
		m.put(store.RosterPartOf(&u))
	}
}

// Len returns how many bucket parts the overlay holds.
func (o *Overlay) Len() int {
	o.mu.RLock()
	defer o.mu.RUnlock()
	return o.n
}

// Prune drops every entry the store already holds: parts and pending
// ended_at whose version (offset) is below their partition's checkpoint.
func (o *Overlay) Prune(ctx context.Context) error {
	o.mu.RLock()
	partitions := map[int32]bool{}
	for _, agents := range o.parts {
		for _, byKey := range agents {
			for pk := range byKey {
				partitions[pk.partition] = true
			}
		}
	}
	for _, ends := range o.pending {
		for _, e := range ends {
			partitions[e.partition] = true
		}
	}
	for _, m := range o.roster {
		for _, a := range m {
			for _, p := range a.parts {
				partitions[p.Partition] = true
			}
		}
	}
	o.mu.RUnlock()
	cps := make(map[int32]int64, len(partitions))
	for p := range partitions {
		cp, err := o.st.Checkpoint(ctx, p)
		if err != nil {
			return fmt.Errorf("prune overlay: checkpoint of partition %d: %w", p, err)
		}
		cps[p] = cp
	}
	o.dropBelow(cps)
	return nil
}

// ForgetThrough drops every entry of partition at or below offset: the
// store holds the partition through offset (a processor's rebuilt
// marker). Call it before the cache is refreshed: the records stored
// without updates may have emptied a part the overlay still holds from an
// earlier update, and the store hides empty parts, so only dropping the
// overlay's copy stops it from being counted.
func (o *Overlay) ForgetThrough(partition int32, offset int64) {
	o.dropBelow(map[int32]int64{partition: offset + 1})
}

// dropBelow drops the parts, roster parts and pending ended_at whose
// version is below their partition's entry in cps.
func (o *Overlay) dropBelow(cps map[int32]int64) {
	o.mu.Lock()
	defer o.mu.Unlock()
	for mk, agents := range o.parts {
		for agent, byKey := range agents {
			for pk, b := range byKey {
				if cp, ok := cps[pk.partition]; ok && b.Version < cp {
					delete(byKey, pk)
					o.n--
				}
			}
			if len(byKey) == 0 {
				delete(agents, agent)
			}
		}
		if len(agents) == 0 {
			delete(o.parts, mk)
		}
	}
	o.pruneRoster(cps)
	for mk, ends := range o.pending {
		kept := ends[:0]
		for _, e := range ends {
			if cp, ok := cps[e.partition]; !ok || e.offset >= cp {
				kept = append(kept, e)
			}
		}
		if len(kept) == 0 {
			delete(o.pending, mk)
		} else {
			o.pending[mk] = kept
		}
	}
}

// Run prunes every interval (default 1s) until ctx ends; a failed prune
// is retried at the next tick. It returns ctx's error.
func (o *Overlay) Run(ctx context.Context, interval time.Duration) error {
	if interval <= 0 {
		interval = time.Second
	}
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-t.C:
			_ = o.Prune(ctx) // the store being down is reported by its readers
		}
	}
}

// matching returns the overlay parts q selects, keyed by part.
func (o *Overlay) matching(q store.BucketQuery) map[partKey]store.Bucket {
	o.mu.RLock()
	defer o.mu.RUnlock()
	agents := o.parts[modelKey{q.Tenant, q.Model}]
	if len(agents) == 0 {
		return nil
	}
	var out map[partKey]store.Bucket
	collect := func(byKey map[partKey]store.Bucket) {
		for pk, b := range byKey {
			if b.Hour.Before(q.From) || !b.Hour.Before(q.To) ||
				(q.Team != "" && b.Team != q.Team) || (q.Inquiry != "" && b.Inquiry != q.Inquiry) {
				continue
			}
			if out == nil {
				out = map[partKey]store.Bucket{}
			}
			out[pk] = b
		}
	}
	if q.Agent != "" {
		collect(agents[q.Agent])
	} else {
		for _, byKey := range agents {
			collect(byKey)
		}
	}
	return out
}

// Buckets calls fn with the newest value of every non-empty bucket part q
// selects, the store's and the overlay's (higher version wins).
func (o *Overlay) Buckets(ctx context.Context, q store.BucketQuery, fn func(store.Bucket) error) error {
	over := o.matching(q)
	if len(over) == 0 {
		return o.st.Buckets(ctx, q, fn)
	}
	err := o.st.Buckets(ctx, q, func(b store.Bucket) error {
		pk := keyOf(&b)
		if ob, ok := over[pk]; ok {
			delete(over, pk)
			if ob.Version > b.Version {
				if ob.Empty() {
					return nil
				}
				b = ob
			}
		}
		return fn(b)
	})
	if err != nil {
		return err
	}
	for _, b := range over {
		if b.Empty() {
			continue
		}
		if err := fn(b); err != nil {
			return err
		}
	}
	return nil
}

// LatestData returns the later of the store's latest data and the newest
// ended_at of the overlay's pending interactions of the model.
func (o *Overlay) LatestData(ctx context.Context, tenant, model string) (time.Time, error) {
	var newest time.Time
	o.mu.RLock()
	for _, e := range o.pending[modelKey{tenant, model}] {
		if e.ended.After(newest) {
			newest = e.ended
		}
	}
	o.mu.RUnlock()
	t, err := o.st.LatestData(ctx, tenant, model)
	if errors.Is(err, store.ErrNoData) && !newest.IsZero() {
		return newest, nil
	}
	if err != nil {
		return time.Time{}, err
	}
	if newest.After(t) {
		return newest, nil
	}
	return t, nil
}

// Recent is the store's Recent.
func (o *Overlay) Recent(ctx context.Context, tenant, model, agent, inquiry string, limit int) ([]schemas.Interaction, error) {
	return o.st.Recent(ctx, tenant, model, agent, inquiry, limit)
}

// RecentBefore is the store's: updates carry interaction ids, not the
// interactions, so the overlay has nothing to add (the plans wait for the
// store's checkpoint before reading it).
func (o *Overlay) RecentBefore(ctx context.Context, tenant, model, agent, inquiry string, before time.Time, limit int) ([]schemas.Interaction, error) {
	return o.st.RecentBefore(ctx, tenant, model, agent, inquiry, before, limit)
}

// updateBucket returns the store bucket part u.Buckets[i] stands for.
func updateBucket(u *schemas.Update, i int) store.Bucket {
	b := u.Buckets[i]
	return store.Bucket{
		BucketKey: store.BucketKey{Tenant: u.Tenant, Model: u.Model, Team: b.Team, Agent: u.Agent, Inquiry: b.Inquiry, Hour: b.Hour},
		Partition: u.Partition,
		Sums:      views.Sums(b.Sums),
		Version:   b.Version,
	}
}
