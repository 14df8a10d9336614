package embedded

import (
	"context"
	"time"

	"github.com/agentpulse/agentpulse/processor/store"
)

// Snapshot returns the newest snapshot stored for partition.
func (s *Store) Snapshot(_ context.Context, partition int32) (int64, []byte, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	sn, ok := s.snapshots[partition]
	if !ok {
		return 0, nil, nil
	}
	return sn.next, append([]byte(nil), sn.data...), nil
}

// newestBelow returns the newest revision in the chain from head applied
// from partition at offsets below below, nil when none. The chain is
// newest first, so that is the first that qualifies. The caller holds s.mu.
func newestBelow(head *rec, partition int32, below int64) *rec {
	for r := head; r != nil; r = r.older {
		if r.partition == partition && r.offset < below {
			return r
		}
	}
	return nil
}

// Current calls fn with the newest revision below below of each of keys
// that partition applied.
func (s *Store) Current(_ context.Context, partition int32, below int64, keys []store.InteractionKey, fn func(store.Record) error) error {
	s.mu.RLock()
	var out []store.Record
	seen := make(map[interactionKey]bool, len(keys))
	for _, k := range keys {
		ik := interactionKey{k.Tenant, k.ID}
		if seen[ik] {
			continue
		}
		seen[ik] = true
		if r := newestBelow(s.recs[ik], partition, below); r != nil {
			out = append(out, s.full(r))
		}
	}
	s.mu.RUnlock()
	for _, r := range out {
		if err := fn(r); err != nil {
			return err
		}
	}
	return nil
}

// CurrentIn calls fn with the newest revision below below of every
// interaction of partition whose newest revision below below counts in one
// of keys.
func (s *Store) CurrentIn(_ context.Context, partition int32, below int64, keys []store.BucketKey, fn func(store.Record) error) error {
	want := make(map[store.BucketKey]bool, len(keys))
	for _, k := range keys {
		k.Hour = k.Hour.UTC()
		want[k] = true
	}
	s.mu.RLock()
	var out []store.Record
	seen := map[interactionKey]bool{}
	agents := map[agentKey]bool{}
	for _, k := range keys {
		ak := agentKey{k.Tenant, k.Model, k.Agent}
		if agents[ak] {
			continue
		}
		agents[ak] = true
		for _, c := range s.byAgent[ak] {
			ik := s.key(c)
			if seen[ik] || c.partition != partition || c.offset >= below {
				continue
			}
			seen[ik] = true
			r := newestBelow(s.recs[ik], partition, below)
			if r != nil && want[s.bucketOf(r)] {
				out = append(out, s.full(r))
			}
		}
	}
	s.mu.RUnlock()
	for _, r := range out {
		if err := fn(r); err != nil {
			return err
		}
	}
	return nil
}

// bucketOf is the bucket a record counts in.
func (s *Store) bucketOf(r *rec) store.BucketKey {
	return store.BucketKey{Tenant: s.strs[r.tenant], Model: s.strs[r.model], Team: s.strs[r.team], Agent: s.strs[r.agent],
		Inquiry: s.strs[r.inquiry], Hour: r.endedAt().Truncate(time.Hour)}
}

// NewestOf returns up to limit of agent's newest current interactions in
// model among those partition applied below below.
func (s *Store) NewestOf(_ context.Context, partition int32, below int64, tenant, model, agent string, limit int) ([]store.Record, error) {
	s.mu.RLock()
	var out []store.Record
	seen := map[interactionKey]bool{}
	for _, c := range s.byAgent[agentKey{tenant, model, agent}] {
		ik := s.key(c)
		if seen[ik] || c.partition != partition || c.offset >= below {
			continue
		}
		seen[ik] = true
		if r := newestBelow(s.recs[ik], partition, below); r != nil && s.strs[r.agent] == agent && s.strs[r.model] == model {
			out = append(out, s.full(r))
		}
	}
	s.mu.RUnlock()
	store.SortNewestFirst(out)
	if len(out) > limit {
		out = out[:limit]
	}
	return out, nil
}
