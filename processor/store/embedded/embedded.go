// Package embedded is the in-process store: everything in memory, nothing
// on disk. It is the zero-setup default of `agentpulse all`; its state is
// rebuilt at start by replaying the broker's log (its checkpoints start at
// zero), which the broker keeps durably.
//
// A Store is safe for concurrent use: writes take an exclusive lock, reads a
// shared one.
package embedded

import (
	"context"
	"sort"
	"sync"
	"time"

	"github.com/agentpulse/agentpulse/processor/store"
	"github.com/agentpulse/agentpulse/schemas"
)

// Store is the embedded store. The zero value is not usable; call New.
type Store struct {
	mu          sync.RWMutex
	checkpoints map[int32]int64
	// recs holds every applied revision once: the newest revision of each
	// interaction, the others chained from it (rec.older, newest first),
	// so that LoadPartition, Current and CurrentIn answer "as of an
	// offset" exactly.
	recs map[interactionKey]*rec
	// byAgent lists every revision applied with an agent and model, in
	// the order applied; one is current when it heads its chain in recs.
	byAgent   map[agentKey][]*rec
	snapshots map[int32]snapshot
	// keyFilters holds each partition's newest key filter (keyfilter.go).
	keyFilters map[int32]snapshot
	parts      map[modelKey]*modelParts // bucket parts (parts.go)
	latest     map[modelKey]time.Time
	// rolls holds the rollups (rollup.go).
	rolls  rollups
	roster map[string]map[string]map[rosterKey]store.RosterPart // tenant → agent → part
	models map[modelKey]bool                                    // tenant_models

	plans planMem
	// erased holds the customer keys erased (retention.go), pseudonyms
	// the agents erased (erase_agent.go).
	erased     erasures
	pseudonyms renames

	learnedVersion int64 // highest version of a learned part (learned.go)

	// strs is the string table: parts name their agents, teams and
	// inquiries by number (ids: string → number), recs share its strings.
	strs []string
	ids  map[string]uint32
}

type interactionKey struct{ tenant, id string }

// snapshot is a partition's newest Batch.Snapshot and its checkpoint.
type snapshot struct {
	next int64
	data []byte
}
type agentKey struct{ tenant, model, agent string }
type modelKey struct{ tenant, model string }

var _ store.Store = (*Store)(nil)

// New returns an empty store.
func New() *Store {
	return &Store{
		checkpoints: map[int32]int64{},
		recs:        map[interactionKey]*rec{},
		byAgent:     map[agentKey][]*rec{},
		snapshots:   map[int32]snapshot{},
		keyFilters:  map[int32]snapshot{},
		parts:       map[modelKey]*modelParts{},
		latest:      map[modelKey]time.Time{},
		rolls:       newRollups(),
		roster:      map[string]map[string]map[rosterKey]store.RosterPart{},
		models:      map[modelKey]bool{},
		plans:       newPlanMem(),
		strs:        []string{""},
		ids:         map[string]uint32{},
	}
}

// Close releases nothing; it exists for the Store interface.
func (s *Store) Close() error { return nil }

// Apply stores a batch. Applying the same batch twice changes nothing.
func (s *Store) Apply(ctx context.Context, b store.Batch) error {
	return s.ApplyAll(ctx, []store.Batch{b})
}

// ApplyAll stores batches of several partitions, as Apply does each.
func (s *Store) ApplyAll(_ context.Context, bs []store.Batch) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, b := range bs {
		s.apply(b)
	}
	return nil
}

func (s *Store) apply(b store.Batch) {
	for i := range b.Records {
		s.applyRecord(b.Records[i])
	}
	for i := range b.Buckets {
		s.applyBucket(b.Buckets[i])
	}
	for i := range b.Roster {
		s.applyRoster(b.Roster[i])
	}
	if b.Next > s.checkpoints[b.Partition] {
		s.checkpoints[b.Partition] = b.Next
	}
	if b.Snapshot != nil && b.Next >= s.snapshots[b.Partition].next {
		s.snapshots[b.Partition] = snapshot{next: b.Next, data: append([]byte(nil), b.Snapshot...)}
	}
}

func (s *Store) applyRecord(r store.Record) {
	k := interactionKey{r.TenantID, r.InteractionID}
	cur := s.recs[k]
	for old := cur; old != nil; old = old.older {
		if old.revision == r.Revision && old.partition == r.Partition && old.offset == r.Offset {
			return // redelivered write
		}
	}
	s.scrub(&r)
	nr := s.newRec(&r)
	k = s.key(nr) // the store's strings, not the record's
	ak := agentKey{s.strs[nr.tenant], s.strs[nr.model], s.strs[nr.agent]}
	s.byAgent[ak] = append(s.byAgent[ak], nr)
	if cur == nil || cur.revision < r.Revision {
		nr.older = cur
		s.recs[k] = nr
	} else {
		// An older (or equal) revision: it goes into the chain, newest
		// first, and changes nothing current.
		at := cur
		for at.older != nil && at.older.revision >= r.Revision {
			at = at.older
		}
		nr.older, at.older = at.older, nr
		return
	}
	mk := modelKey{ak.tenant, ak.model}
	if ended := nr.endedAt(); ended.After(s.latest[mk]) {
		s.latest[mk] = ended
	}
	if cur != nil && (cur.model != nr.model || cur.endedAt().After(nr.endedAt())) {
		s.recomputeLatest(modelKey{s.strs[cur.tenant], s.strs[cur.model]})
	}
}

// current reports whether r is its interaction's newest revision. The
// caller holds s.mu.
func (s *Store) current(r *rec) bool {
	return s.recs[s.key(r)] == r
}

// recomputeLatest rescans a model's current interactions after a revision
// moved or moved back the one that held the newest ended_at.
func (s *Store) recomputeLatest(mk modelKey) {
	var newest time.Time
	for ak, recs := range s.byAgent {
		if ak.tenant != mk.tenant || ak.model != mk.model {
			continue
		}
		for _, r := range recs {
			if s.current(r) && r.endedAt().After(newest) {
				newest = r.endedAt()
			}
		}
	}
	if newest.IsZero() {
		delete(s.latest, mk)
		return
	}
	s.latest[mk] = newest
}

// Checkpoint returns the next offset to consume for partition.
func (s *Store) Checkpoint(_ context.Context, partition int32) (int64, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.checkpoints[partition], nil
}

// LoadPartition calls fn with the newest revision, among those applied from
// partition at offsets below below, of every interaction, in ascending
// order of ended_at.
func (s *Store) LoadPartition(_ context.Context, partition int32, below int64, fn func(store.Record) error) error {
	s.mu.RLock()
	var out []store.Record
	for _, head := range s.recs {
		if best := newestBelow(head, partition, below); best != nil {
			out = append(out, s.full(best))
		}
	}
	s.mu.RUnlock()
	sort.Slice(out, func(i, j int) bool { return out[i].EndedAt.Before(out[j].EndedAt) })
	for _, r := range out {
		if err := fn(r); err != nil {
			return err
		}
	}
	return nil
}

// Buckets calls fn with every non-empty bucket the query selects.
func (s *Store) Buckets(_ context.Context, q store.BucketQuery, fn func(store.Bucket) error) error {
	s.mu.RLock()
	// The parts selected, compact (a whole model's can be a million):
	// made store.Buckets one at a time once the lock is released, with
	// the string table as it is now (appends never change its entries).
	type sel struct {
		agent uint32
		part
	}
	var out []sel
	strs := s.strs
	mk := modelKey{q.Tenant, q.Model}
	var agents []string
	if q.Agent != "" {
		agents = []string{q.Agent}
	}
	team, teamOK := s.lookup(q.Team)
	inquiry, inquiryOK := s.lookup(q.Inquiry)
	if teamOK && inquiryOK {
		s.eachPart(mk, q.From.Unix()-1, q.To.Unix()+1, agents, func(agent uint32, k pkey, v pval) {
			if h := time.Unix(k.hour, 0); v.empty() || h.Before(q.From) || !h.Before(q.To) ||
				(q.Team != "" && k.team != team) || (q.Inquiry != "" && k.inquiry != inquiry) {
				return
			}
			out = append(out, sel{agent, part{k, v}})
		})
	}
	s.mu.RUnlock()
	for _, p := range out {
		if err := fn(bucketOf(strs, mk, p.agent, p.k, p.v)); err != nil {
			return err
		}
	}
	return nil
}

// LatestData returns the newest ended_at of the tenant's interactions in
// model, or store.ErrNoData.
func (s *Store) LatestData(_ context.Context, tenant, model string) (time.Time, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	t, ok := s.latest[modelKey{tenant, model}]
	if !ok {
		return time.Time{}, store.ErrNoData
	}
	return t, nil
}

// Recent returns up to limit current interactions of an agent on a model
// and inquiry, newest first; none for limit <= 0.
func (s *Store) Recent(_ context.Context, tenant, model, agent, inquiry string, limit int) ([]schemas.Interaction, error) {
	return s.recent(tenant, model, agent, inquiry, time.Time{}, false, limit), nil
}

// RecentBefore is Recent over the interactions that ended before before.
func (s *Store) RecentBefore(_ context.Context, tenant, model, agent, inquiry string, before time.Time, limit int) ([]schemas.Interaction, error) {
	return s.recent(tenant, model, agent, inquiry, before, true, limit), nil
}

// recent is Recent, bounded by ended_at < before when bounded.
func (s *Store) recent(tenant, model, agent, inquiry string, before time.Time, bounded bool, limit int) []schemas.Interaction {
	if limit <= 0 {
		return nil
	}
	s.mu.RLock()
	var out []schemas.Interaction
	iq, known := s.lookup(inquiry)
	for _, r := range s.byAgent[agentKey{tenant, model, agent}] {
		if known && r.inquiry == iq && (!bounded || r.endedAt().Before(before)) && s.current(r) {
			out = append(out, s.full(r).Interaction)
		}
	}
	s.mu.RUnlock()
	sort.Slice(out, func(i, j int) bool {
		if !out[i].EndedAt.Equal(out[j].EndedAt) {
			return out[i].EndedAt.After(out[j].EndedAt)
		}
		return out[i].InteractionID > out[j].InteractionID
	})
	if len(out) > limit {
		out = out[:limit]
	}
	return out
}
