package embedded

import (
	"context"
	"slices"
	"time"

	"github.com/agentpulse/agentpulse/processor/store"
)

var _ store.Retainer = (*Store)(nil)

// erasures are the customer_key hashes erased per tenant, by the key
// they were made with: the embedded store is rebuilt from the log, which
// still holds the customer keys, so a record applied after an erasure is
// scrubbed as it is stored (scrub).
type erasures map[string]map[string]map[string]bool // tenant → string(hash key) → hash → erased

// erasedKey reports whether customer key v of tenant was erased: one hash
// per hash key in use (one, two while erasures made before keyed hashes
// are kept). s.mu is held.
func (s *Store) erasedKey(tenant, v string) bool {
	for k, hashes := range s.erased[tenant] {
		var key []byte
		if k != legacyKey {
			key = []byte(k)
		}
		if hashes[store.SubjectHash(key, v)] {
			return true
		}
	}
	return false
}

// legacyKey stands for SubjectMatch's nil Key (plain SHA-256) in erasures.
const legacyKey = "\x00sha256"

// scrub blanks r's customer_key when it was erased and renames an
// erased agent (erase_agent.go). s.mu is held.
func (s *Store) scrub(r *store.Record) {
	if len(s.erased) == 0 && len(s.pseudonyms) == 0 {
		return // no erasure: no hashing on the replay's hot path
	}
	if r.CustomerKey != "" && len(s.erased[r.TenantID]) > 0 && s.erasedKey(r.TenantID, r.CustomerKey) {
		r.CustomerKey = ""
	}
	r.AgentID = s.renamed(r.TenantID, r.AgentID)
}

// RetentionTenants lists the tenants with interactions or buckets.
func (s *Store) RetentionTenants(context.Context) ([]string, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	seen := map[string]bool{}
	var out []string
	add := func(t string) {
		if !seen[t] {
			seen[t] = true
			out = append(out, t)
		}
	}
	for mk := range s.parts {
		add(mk.tenant)
	}
	for mk := range s.latest {
		add(mk.tenant)
	}
	slices.Sort(out)
	return out, nil
}

// Retain removes what ended before each tenant's cutoff (store.Retainer),
// under the write lock.
func (s *Store) Retain(_ context.Context, cutoffs map[string]time.Time) (map[string]store.RetainStats, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := map[string]store.RetainStats{}
	for tenant, cut := range cutoffs {
		out[tenant] = s.retain(tenant, cut.UTC())
	}
	return out, nil
}

func (s *Store) retain(tenant string, cut time.Time) store.RetainStats {
	var st store.RetainStats
	if !s.holdsBefore(tenant, cut.Unix()) {
		return st // the hourly steady state: nothing to scan
	}
	touched := map[modelKey]bool{}
	// Interactions and their revisions: a chain goes whole when its head
	// (the current revision) ended before cut, else only its revisions
	// that did; byAgent then drops the revisions removed.
	gone := map[*rec]bool{}
	for k, head := range s.recs {
		if k.tenant != tenant {
			continue
		}
		if head.endedAt().Before(cut) {
			st.Interactions++
			for r := head; r != nil; r = r.older {
				gone[r] = true
				st.Revisions++
			}
			delete(s.recs, k)
			touched[modelKey{s.strs[head.tenant], s.strs[head.model]}] = true
			continue
		}
		for at := head; at.older != nil; {
			if r := at.older; r.endedAt().Before(cut) {
				gone[r] = true
				st.Revisions++
				at.older = r.older
				continue
			}
			at = at.older
		}
	}
	if len(gone) > 0 {
		for ak, recs := range s.byAgent {
			if ak.tenant != tenant {
				continue
			}
			kept := slices.DeleteFunc(recs, func(r *rec) bool { return gone[r] })
			if len(kept) == 0 {
				delete(s.byAgent, ak)
				continue
			}
			s.byAgent[ak] = kept
		}
	}
	for mk := range touched {
		if l, ok := s.latest[mk]; ok && l.Before(cut) {
			s.recomputeLatest(mk)
		}
	}
	// Bucket parts, their day index and the rollups starting before cut.
	c := cut.Unix()
	for mk, mp := range s.parts {
		if mk.tenant != tenant {
			continue
		}
		for day, byAgent := range mp.days {
			if day+86400 <= c {
				for _, parts := range byAgent {
					st.Buckets += int64(len(parts))
				}
				delete(mp.days, day)
				continue
			}
			for agent, parts := range byAgent {
				parts = slices.DeleteFunc(parts, func(p part) bool {
					gone := time.Unix(p.k.hour, 0).Before(cut)
					if gone {
						st.Buckets++
					}
					return gone
				})
				if len(parts) == 0 {
					delete(byAgent, agent)
				} else {
					byAgent[agent] = parts
				}
			}
			if len(byAgent) == 0 {
				delete(mp.days, day)
			}
		}
		for p := range s.rolls.sealed[mk] {
			if p.Start < c {
				delete(s.rolls.sealed[mk], p)
			}
		}
		if len(mp.days) == 0 {
			delete(s.parts, mk)
			delete(s.rolls.sealed, mk)
			delete(s.rolls.newest, mk)
		}
	}
	// Roster parts whose newest interaction is gone.
	for agent, parts := range s.roster[tenant] {
		for k, p := range parts {
			if !p.Empty() && p.EndedAt.Before(cut) {
				delete(parts, k)
			}
		}
		if len(parts) == 0 {
			delete(s.roster[tenant], agent)
		}
	}
	return st
}

// holdsBefore reports whether the tenant has a bucket part of a day
// before c (unix seconds). Every stored revision counts in a bucket part
// of its hour, stored with it, and a part is emptied rather than deleted
// when its interactions move, so a tenant without such a day holds no
// revision, bucket or rollup before c. s.mu is held.
func (s *Store) holdsBefore(tenant string, c int64) bool {
	for mk, mp := range s.parts {
		if mk.tenant != tenant {
			continue
		}
		for d := range mp.days {
			if d < c {
				return true
			}
		}
	}
	return false
}

// EraseCustomer blanks the customer_key of the tenant's revisions that m
// matches, now and in every record stored later.
func (s *Store) EraseCustomer(_ context.Context, tenant string, m store.SubjectMatch) (int64, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.erased == nil {
		s.erased = erasures{}
	}
	if s.erased[tenant] == nil {
		s.erased[tenant] = map[string]map[string]bool{}
	}
	k := legacyKey
	if m.Key != nil {
		k = string(m.Key)
	}
	if s.erased[tenant][k] == nil {
		s.erased[tenant][k] = map[string]bool{}
	}
	s.erased[tenant][k][m.Hash] = true
	var n int64
	for k, head := range s.recs {
		if k.tenant != tenant {
			continue
		}
		for r := head; r != nil; r = r.older {
			if c := r.customer(); c != "" && m.Matches(c) {
				r.setCustomer("")
				n++
			}
		}
	}
	return n, nil
}
