package embedded

import (
	"cmp"
	"slices"
	"time"

	"github.com/agentpulse/agentpulse/outcomes"
	"github.com/agentpulse/agentpulse/processor/store"
	"github.com/agentpulse/agentpulse/views"
)

// The bucket parts are most of the store's memory (about one part per
// interaction at make run's scale), so a part is kept pointer-free and
// small: strings as numbers of the store's string table (Store.strs), the
// hour in Unix seconds, the part's value inline, the learned cells (zero in
// every part the processor writes) apart.
//
// modelParts holds one model's parts by UTC day, then agent: a day's parts
// are what the rollups seal, an agent's what an agent's reads select (a
// model has at most a few hundred days, each looked up once). An agent's
// parts of a day (a few dozen: hours × inquiries) are a slice sorted by
// pkey: a Go map that small costs several times its entries.
type modelParts struct {
	days map[int64]map[uint32][]part // UTC day (unix seconds) → agent → parts, sorted by pkey
}

// part is one stored bucket part.
type part struct {
	k pkey
	v pval
}

func comparePkeys(a, b pkey) int {
	return cmp.Or(cmp.Compare(a.hour, b.hour), cmp.Compare(a.team, b.team), cmp.Compare(a.inquiry, b.inquiry),
		cmp.Compare(a.partition, b.partition))
}

// put stores v at k in the sorted list unless the part there has a higher
// version (when newer is set), and returns the list.
func put(list []part, k pkey, v pval, newer bool) []part {
	i, found := slices.BinarySearchFunc(list, k, func(p part, k pkey) int { return comparePkeys(p.k, k) })
	if !found {
		return slices.Insert(list, i, part{k, v})
	}
	if !newer || list[i].v.version <= v.version {
		list[i].v = v
	}
	return list
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

// bucketOf returns the part as a store.Bucket, its strings from strs (the
// store's string table).
func bucketOf(strs []string, mk modelKey, agent uint32, k pkey, v pval) store.Bucket {
	return store.Bucket{
		BucketKey: store.BucketKey{Tenant: mk.tenant, Model: mk.model, Team: strs[k.team], Agent: strs[agent],
			Inquiry: strs[k.inquiry], Hour: time.Unix(k.hour, 0).UTC()},
		Partition: k.partition, Sums: v.sums(), Version: v.version,
	}
}

// applyBucket stores b unless its part holds a higher version.
func (s *Store) applyBucket(b store.Bucket) {
	mk := modelKey{s.strs[s.id(b.Tenant)], s.strs[s.id(b.Model)]}
	mp := s.parts[mk]
	if mp == nil {
		mp = &modelParts{days: map[int64]map[uint32][]part{}}
		s.parts[mk] = mp
	}
	hour := b.Hour.Unix()
	day := store.DayOf(hour)
	agents := mp.days[day]
	if agents == nil {
		agents = map[uint32][]part{}
		mp.days[day] = agents
	}
	agent := s.id(s.renamed(b.Tenant, b.Agent))
	k := pkey{hour: hour, team: s.id(b.Team), inquiry: s.id(b.Inquiry), partition: b.Partition}
	agents[agent] = put(agents[agent], k, newPval(&b), true)
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
				for _, p := range parts {
					fn(a, p.k, p.v)
				}
			}
			continue
		}
		for _, a := range ids {
			for _, p := range byAgent[a] {
				fn(a, p.k, p.v)
			}
		}
	}
}
