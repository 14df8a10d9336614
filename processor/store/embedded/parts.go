package embedded

import (
	"time"

	"github.com/agentpulse/agentpulse/outcomes"
	"github.com/agentpulse/agentpulse/processor/store"
	"github.com/agentpulse/agentpulse/views"
)

// The bucket parts are most of the store's memory (about one part per
// interaction at make run's scale), so a part is kept pointer-free and
// small: strings as numbers of the store's string table (Store.strs), the
// hour in Unix seconds, the part's value inline in its map, the learned
// cells (zero in every part the processor writes) apart.
//
// modelParts holds one model's parts by UTC day, then agent: a day's parts
// are what the rollups seal, an agent's what an agent's reads select (a
// model has at most a few hundred days, each looked up once).
type modelParts struct {
	days map[int64]map[uint32]map[pkey]pval // UTC day (unix seconds) → agent → parts
}

// pkey names a part within its model, day and agent.
type pkey struct {
	hour          int64 // unix seconds
	team, inquiry uint32
	partition     int32
}

// pval is a part's value: views.Sums without its learned cells, which are
// in cells when either is not zero.
type pval struct {
	version                  int64
	volume, psatN, presN     int64
	handle, psatSum, presSum float64
	cells                    *[2]outcomes.Cell // Lsat, Lres; nil when both are zero
}

func newPval(b *store.Bucket) pval { return pvalOf(&b.Sums, b.Version, nil) }

// pvalOf returns s and version as a pval; its learned cells go to cells
// when that is not nil, else to a new array.
func pvalOf(s *views.Sums, version int64, cells *[2]outcomes.Cell) pval {
	v := pval{version: version, volume: s.Volume, psatN: s.PsatN, presN: s.PresN,
		handle: s.HandleSum, psatSum: s.PsatSum, presSum: s.PresSum}
	if s.Lsat != (outcomes.Cell{}) || s.Lres != (outcomes.Cell{}) {
		if cells == nil {
			cells = new([2]outcomes.Cell)
		}
		*cells = [2]outcomes.Cell{s.Lsat, s.Lres}
		v.cells = cells
	}
	return v
}

// sums returns the part's Sums.
func (v pval) sums() views.Sums {
	s := views.Sums{Volume: v.volume, HandleSum: v.handle, PsatN: v.psatN, PsatSum: v.psatSum, PresN: v.presN, PresSum: v.presSum}
	if v.cells != nil {
		s.Lsat, s.Lres = v.cells[0], v.cells[1]
	}
	return s
}

// empty is views.Sums.Empty.
func (v pval) empty() bool {
	return v.volume == 0 && (v.cells == nil || (v.cells[0].N == 0 && v.cells[1].N == 0))
}

// id returns the number of v in the store's string table, adding it; the
// caller holds s.mu for writing. 0 is "".
func (s *Store) id(v string) uint32 {
	if v == "" {
		return 0
	}
	if n, ok := s.ids[v]; ok {
		return n
	}
	if len(s.strs) == 0 {
		s.strs = append(s.strs, "")
	}
	n := uint32(len(s.strs))
	c := string([]byte(v)) // never a substring of a record: see rec
	s.strs = append(s.strs, c)
	s.ids[c] = n
	return n
}

// lookup returns the number of v, false when the table has none (so no
// part names it); the caller holds s.mu.
func (s *Store) lookup(v string) (uint32, bool) {
	if v == "" {
		return 0, true
	}
	n, ok := s.ids[v]
	return n, ok
}

// bucket returns the part as a store.Bucket.
func (s *Store) bucket(mk modelKey, agent uint32, k pkey, v pval) store.Bucket {
	return store.Bucket{
		BucketKey: store.BucketKey{Tenant: mk.tenant, Model: mk.model, Team: s.strs[k.team], Agent: s.strs[agent],
			Inquiry: s.strs[k.inquiry], Hour: time.Unix(k.hour, 0).UTC()},
		Partition: k.partition, Sums: v.sums(), Version: v.version,
	}
}

// applyBucket stores b unless its part holds a higher version.
func (s *Store) applyBucket(b store.Bucket) {
	mk := modelKey{s.strs[s.id(b.Tenant)], s.strs[s.id(b.Model)]}
	mp := s.parts[mk]
	if mp == nil {
		mp = &modelParts{days: map[int64]map[uint32]map[pkey]pval{}}
		s.parts[mk] = mp
	}
	hour := b.Hour.Unix()
	day := store.DayOf(hour)
	agents := mp.days[day]
	if agents == nil {
		agents = map[uint32]map[pkey]pval{}
		mp.days[day] = agents
	}
	agent := s.id(s.renamed(b.Tenant, b.Agent))
	parts := agents[agent]
	if parts == nil {
		parts = map[pkey]pval{}
		agents[agent] = parts
	}
	k := pkey{hour: hour, team: s.id(b.Team), inquiry: s.id(b.Inquiry), partition: b.Partition}
	if old, ok := parts[k]; ok && old.version > b.Version {
		return
	}
	parts[k] = newPval(&b)
	s.rolls.touch(mk, hour)
}

// eachPart calls fn with every part of the model whose day overlaps
// [lo, hi) (unix seconds) of the agents selected (all when agents is
// nil); under s.mu. The caller checks the hour.
func (s *Store) eachPart(mk modelKey, lo, hi int64, agents []string, fn func(agent uint32, k pkey, v pval)) {
	mp := s.parts[mk]
	if mp == nil {
		return
	}
	var ids []uint32
	if agents != nil {
		for _, a := range agents {
			if n, ok := s.lookup(a); ok {
				ids = append(ids, n)
			}
		}
		if len(ids) == 0 {
			return
		}
	}
	for day, byAgent := range mp.days {
		if day+86400 <= lo || day >= hi {
			continue
		}
		if agents == nil {
			for a, parts := range byAgent {
				for k, v := range parts {
					fn(a, k, v)
				}
			}
			continue
		}
		for _, a := range ids {
			for k, v := range byAgent[a] {
				fn(a, k, v)
			}
		}
	}
}
