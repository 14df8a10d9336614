package embedded

import (
	"context"
	"time"

	"github.com/agentpulse/agentpulse/processor/store"
	"github.com/agentpulse/agentpulse/views"
)

var _ store.Compactor = (*Store)(nil)

// cellKey is one (agent, inquiry, team) of a model.
type cellKey struct{ agent, inquiry, team string }

// ckey is a cellKey with its strings numbered (Store.strs).
type ckey struct{ agent, inquiry, team uint32 }

// rollup is one sealed period's merged rows: the Sums of every cell with
// interactions in it, kept as pvals (version unused) like the parts.
type rollup struct {
	gen   uint64
	cells map[ckey]pval
}

func newRollup(gen uint64) *rollup { return &rollup{gen: gen, cells: map[ckey]pval{}} }

// add merges o into the cell k.
func (ru *rollup) add(k ckey, o views.Sums) {
	c := ru.cells[k]
	sum := c.sums()
	sum.Merge(o)
	ru.cells[k] = pvalOf(&sum, 0, c.cells) // c.cells is this rollup's own
}

// rollups are the embedded store's daily, run and monthly rollups, guarded by
// the store's lock. A write to a day drops the day's and its month's
// rollup (stale), so every rollup held is current; Compact seals again.
type rollups struct {
	// sealed holds the current rollups of each model.
	sealed map[modelKey]map[store.Period]*rollup
	// newest is each model's watermark: its newest bucket hour plus one
	// hour, unix seconds.
	newest map[modelKey]int64
	gen    uint64
}

func newRollups() rollups {
	return rollups{
		sealed: map[modelKey]map[store.Period]*rollup{},
		newest: map[modelKey]int64{},
	}
}

// touch drops the rollups a part stored at hour (unix seconds) makes stale.
func (r *rollups) touch(mk modelKey, hour int64) {
	day := store.DayOf(hour)
	r.newest[mk] = max(r.newest[mk], hour+3600)
	if sealed := r.sealed[mk]; sealed != nil {
		for _, span := range store.Spans {
			if span == store.SpanMonth {
				delete(sealed, store.Period{Span: store.SpanMonth, Start: store.MonthOf(day)})
			} else {
				delete(sealed, store.BlockOf(span, day))
			}
		}
	}
}

// Compact seals every sealable day and month of every model that has no
// current rollup (see store.Compactor), under the write lock.
func (s *Store) Compact(_ context.Context, lateness time.Duration) (store.CompactStats, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var st store.CompactStats
	r := &s.rolls
	for mk, mp := range s.parts {
		byDay := mp.days
		wm := r.newest[mk]
		sealed := r.sealed[mk]
		if sealed == nil {
			sealed = map[store.Period]*rollup{}
			r.sealed[mk] = sealed
		}
		months := map[int64]bool{}
		for day, parts := range byDay {
			p := store.Period{Span: store.SpanDay, Start: day}
			if !store.Sealable(p, wm, lateness) {
				continue
			}
			months[store.MonthOf(day)] = true
			if sealed[p] != nil {
				continue
			}
			r.gen++
			ru := newRollup(r.gen)
			for agent, ps := range parts {
				for _, p := range ps {
					if !p.v.empty() {
						ru.add(ckey{agent, p.k.inquiry, p.k.team}, p.v.sums())
					}
				}
			}
			sealed[p] = ru
			st.Days++
		}
		// Runs of days, shortest first: each from its two halves.
		for span := store.SpanBlock2; span <= store.SpanBlock32; span++ {
			for day := range byDay {
				p := store.BlockOf(span, day)
				if sealed[p] != nil || !store.Sealable(p, wm, lateness) {
					continue
				}
				r.gen++
				ru := newRollup(r.gen)
				for _, h := range p.Halves() {
					hr := sealed[h]
					if hr == nil {
						continue // a half without parts (its days were sealed above)
					}
					for k, v := range hr.cells {
						ru.add(k, v.sums())
					}
				}
				sealed[p] = ru
				st.Blocks++
			}
		}
		for m := range months {
			p := store.Period{Span: store.SpanMonth, Start: m}
			if sealed[p] != nil || !store.Sealable(p, wm, lateness) {
				continue
			}
			r.gen++
			ru := newRollup(r.gen)
			for d := m; d < p.End(); d += 86400 {
				dr := sealed[store.Period{Span: store.SpanDay, Start: d}]
				if dr == nil {
					continue // a day without parts
				}
				for k, v := range dr.cells {
					ru.add(k, v.sums())
				}
			}
			sealed[p] = ru
			st.Months++
		}
	}
	return st, nil
}

// plan covers [lo, hi) of a model with its current rollups and hours;
// called under the read lock.
func (s *Store) plan(mk modelKey, lo, hi int64) store.RangePlan {
	mp := s.parts[mk]
	if mp == nil || len(mp.days) == 0 {
		return store.RangePlan{}
	}
	byDay := mp.days
	first, last := int64(0), int64(0)
	for d := range byDay {
		if first == 0 || d < first {
			first = d
		}
		last = max(last, d)
	}
	sealed := s.rolls.sealed[mk]
	return store.PlanRange(lo, hi, first, last+86400, func(p store.Period) store.Rollup {
		if ru := sealed[p]; ru != nil {
			return store.Rollup{Use: true, Gen: ru.gen}
		}
		// A period without any part is read as empty.
		for d := p.Start; d < p.End(); d += 86400 {
			if len(byDay[d]) > 0 {
				return store.Rollup{}
			}
		}
		return store.Rollup{Use: true}
	})
}

// SumBuckets merges, per (agent, inquiry, team) and range start, the
// rollups and hours that cover each range (store.PlanRange), under the
// read lock, and calls fn once the lock is released.
func (s *Store) SumBuckets(_ context.Context, q store.SumQuery, fn func(store.CellSums) error) error {
	if len(q.Starts) == 0 {
		return nil
	}
	n := len(q.Starts)
	cells := map[cellKey][]views.Sums{}
	var order []cellKey
	add := func(k cellKey, i int, v views.Sums) {
		sums := cells[k]
		if sums == nil {
			sums = make([]views.Sums, n)
			cells[k] = sums
			order = append(order, k)
		}
		sums[i].Merge(v)
	}
	mk := modelKey{q.Tenant, q.Model}
	s.mu.RLock()
	for i, start := range q.Starts {
		lo, hi, ok := hourSeconds(start, q.To)
		if !ok {
			continue
		}
		plan := s.plan(mk, lo, hi)
		for _, p := range plan.Periods {
			for k, v := range s.rolls.sealed[mk][p.Period].cells {
				if agent := s.strs[k.agent]; q.Selects(agent) {
					add(cellKey{agent, s.strs[k.inquiry], s.strs[k.team]}, i, v.sums())
				}
			}
		}
		for _, iv := range plan.Hours {
			s.hoursOf(mk, q, iv, func(agent uint32, k pkey, v pval) {
				add(cellKey{s.strs[agent], s.strs[k.inquiry], s.strs[k.team]}, i, v.sums())
			})
		}
	}
	s.mu.RUnlock()
	for _, k := range order {
		if err := fn(store.CellSums{Agent: k.agent, Inquiry: k.inquiry, Team: k.team, Sums: cells[k]}); err != nil {
			return err
		}
	}
	return nil
}

// hoursOf calls fn with every non-empty part of the model's agents q
// selects whose hour lies in iv; under the read lock.
func (s *Store) hoursOf(mk modelKey, q store.SumQuery, iv [2]int64, fn func(agent uint32, k pkey, v pval)) {
	agents := q.Agents
	if q.Agent != "" {
		agents = []string{q.Agent}
	}
	if len(agents) == 0 {
		agents = nil
	}
	s.eachPart(mk, iv[0], iv[1], agents, func(agent uint32, k pkey, v pval) {
		if !v.empty() && k.hour >= iv[0] && k.hour < iv[1] {
			fn(agent, k, v)
		}
	})
}

// hourSeconds turns [from, to) into unix seconds selecting the same whole
// hours (a bucket hour h is in the range when from <= h < to); ok is false
// when the range is empty.
func hourSeconds(from, to time.Time) (lo, hi int64, ok bool) {
	ceil := func(t time.Time) int64 {
		s := t.Unix()
		if t.Nanosecond() > 0 {
			s++
		}
		return s
	}
	lo, hi = ceil(from), ceil(to)
	return lo, hi, lo < hi
}
