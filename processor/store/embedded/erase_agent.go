package embedded

import (
	"context"
	"slices"

	"github.com/agentpulse/agentpulse/processor/store"
)

// renames are the pseudonyms of erased agents per tenant: records,
// bucket parts and roster parts stored later (a rebuild from the log) are
// renamed as they are stored.
type renames map[string]map[string]string // tenant → agent → pseudonym

// renamed returns the pseudonym of tenant's agent, or agent. s.mu is held.
func (s *Store) renamed(tenant, agent string) string {
	if p, ok := s.pseudonyms[tenant][agent]; ok {
		return p
	}
	return agent
}

// RetentionAgents lists the tenant's agents with roster parts.
func (s *Store) RetentionAgents(_ context.Context, tenant string) ([]string, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	var out []string
	for a := range s.roster[tenant] {
		out = append(out, a)
	}
	slices.Sort(out)
	return out, nil
}

// EraseAgent renames the tenant's agent to pseudonym everywhere, now and
// in everything stored later.
func (s *Store) EraseAgent(_ context.Context, tenant, agent, pseudonym string) (store.AgentErased, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.pseudonyms == nil {
		s.pseudonyms = renames{}
	}
	if s.pseudonyms[tenant] == nil {
		s.pseudonyms[tenant] = map[string]string{}
	}
	s.pseudonyms[tenant][agent] = pseudonym
	var out store.AgentErased
	// Revisions: every revision applied with the agent is in its byAgent
	// lists (keyed by the agent it was applied with; the same recs head or
	// are chained in s.recs), so renaming the recs there renames them
	// everywhere; the lists move to the pseudonym's keys.
	for ak, recs := range s.byAgent {
		if ak.tenant != tenant || ak.agent != agent {
			continue
		}
		for _, r := range recs {
			if s.strs[r.agent] == agent {
				r.agent = s.id(pseudonym)
				out.Revisions++
			}
		}
		nk := agentKey{ak.tenant, ak.model, pseudonym}
		s.byAgent[nk] = append(s.byAgent[nk], recs...)
		delete(s.byAgent, ak)
	}
	// Bucket parts, their day index and the rollups' cells.
	for mk, mp := range s.parts {
		if mk.tenant != tenant {
			continue
		}
		from, ok := s.lookup(agent)
		if !ok {
			continue
		}
		to := s.id(pseudonym)
		for _, byAgent := range mp.days {
			parts := byAgent[from]
			if parts == nil {
				continue
			}
			delete(byAgent, from)
			dst := byAgent[to]
			if dst == nil {
				byAgent[to] = parts
				out.Buckets += int64(len(parts))
				continue
			}
			for _, p := range parts {
				dst = put(dst, p.k, p.v, false)
				out.Buckets++
			}
			byAgent[to] = dst
		}
		for _, ru := range s.rolls.sealed[mk] {
			for ck, v := range ru.cells {
				if ck.agent == from {
					delete(ru.cells, ck)
					ru.add(ckey{to, ck.inquiry, ck.team}, v.sums())
				}
			}
		}
	}
	// Roster parts.
	if parts := s.roster[tenant][agent]; parts != nil {
		for k, p := range parts {
			p.Agent = pseudonym
			parts[k] = p
			out.Roster++
		}
		delete(s.roster[tenant], agent)
		s.roster[tenant][pseudonym] = parts
	}
	return out, nil
}
