package clickhouse

import (
	"context"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"

	"github.com/agentpulse/agentpulse/processor/store"
)

// Rollups in ClickHouse (store.Compactor; tables in package ddl).
//
// Which rollups a read may use is decided from two small tables, read
// whole for the model at the start of every SumBuckets and Compact:
// bucket_touches (per UTC day and log partition, the highest bucket
// version written to the day) and rollup_state (per sealed period, its
// current gen and covers: the highest touch of each partition it was
// computed after). A period is usable when no touch of any of its days
// is above its covers. This is exact because
//
//   - Apply writes a batch's touches after its bucket parts, so a touch
//     visible to the compactor names parts that its read of the hours
//     sees: a rollup includes at least what its covers say;
//   - a partition's batches are stored one after the other and the touches
//     of one batch are one insert, so the touches visible at any moment
//     are a prefix of each partition's: a write the rollup missed has a
//     higher version than every touch it covers, and its touch (visible
//     once the write is) makes the period stale;
//   - a month is computed from the day rollups the same index found
//     usable, and covers the highest touch of its days.
//
// A stale period is read from its hours (and its days, for a month) until
// the next Compact redoes it with a new gen; the old gen's rows stay and
// are never read again.

// modelIndex is what bucket_touches and rollup_state say about a model.
type modelIndex struct {
	touches   map[int64]map[int32]uint64 // day → partition → highest version
	states    map[store.Period]rollupState
	first     int64 // first touched day (0: none)
	last      int64 // last touched day
	watermark int64 // newest touched hour + 1h
}

type rollupState struct {
	gen    uint64
	covers map[int32]uint64
}

// loadIndex reads the model's touches and rollup states.
func (s *Store) loadIndex(ctx context.Context, tenant, model string) (*modelIndex, error) {
	ix := &modelIndex{touches: map[int64]map[int32]uint64{}, states: map[store.Period]rollupState{}}
	db := s.cfg.Database
	var day, hour uint32
	var part int32
	var version uint64
	err := s.stream(ctx, "read bucket touches", `SELECT day, log_partition, max(version) AS m_version, max(newest_hour) AS m_hour
FROM `+db+`.bucket_touches
WHERE tenant_id = ? AND model = ?
GROUP BY day, log_partition`, []any{tenant, model}, func(rows driver.Rows) error {
		if err := rows.Scan(&day, &part, &version, &hour); err != nil {
			return fmt.Errorf("scan bucket touch: %w", err)
		}
		d := int64(day)
		m := ix.touches[d]
		if m == nil {
			m = map[int32]uint64{}
			ix.touches[d] = m
		}
		m[part] = version
		if ix.first == 0 || d < ix.first {
			ix.first = d
		}
		ix.last = max(ix.last, d)
		ix.watermark = max(ix.watermark, int64(hour)+3600)
		return nil
	})
	if err != nil {
		return nil, err
	}
	var span uint8
	var period uint32
	var gen uint64
	var covers string
	err = s.stream(ctx, "read rollup state", `SELECT span, period, max(gen) AS m_gen, argMax(covers, gen) AS m_covers
FROM `+db+`.rollup_state
WHERE tenant_id = ? AND model = ?
GROUP BY span, period`, []any{tenant, model}, func(rows driver.Rows) error {
		if err := rows.Scan(&span, &period, &gen, &covers); err != nil {
			return fmt.Errorf("scan rollup state: %w", err)
		}
		c, err := parseCovers(covers)
		if err != nil {
			return fmt.Errorf("rollup state of %s/%s span %d period %d: %w", tenant, model, span, period, err)
		}
		ix.states[store.Period{Span: store.Span(span), Start: int64(period)}] = rollupState{gen: gen, covers: c}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return ix, nil
}

// learned reports whether the model has learned parts
// (store.LearnedPartition): a batch of them writes their days' touches
// with that partition, as every batch does, after the parts.
func (ix *modelIndex) learned() bool {
	for _, parts := range ix.touches {
		if _, ok := parts[store.LearnedPartition]; ok {
			return true
		}
	}
	return false
}

// rollup says whether p's rollup is usable (store.Rollup).
func (ix *modelIndex) rollup(p store.Period) store.Rollup {
	st, have := ix.states[p]
	touched := false
	for d := p.Start; d < p.End(); d += 86400 {
		for part, v := range ix.touches[d] {
			touched = true
			if !have || v > st.covers[part] {
				return store.Rollup{}
			}
		}
	}
	if !touched {
		return store.Rollup{Use: true} // no part: nothing to read
	}
	return store.Rollup{Use: true, Gen: st.gen}
}

// covers returns the highest touch per partition of the days of p.
func (ix *modelIndex) covers(p store.Period) map[int32]uint64 {
	out := map[int32]uint64{}
	for d := p.Start; d < p.End(); d += 86400 {
		for part, v := range ix.touches[d] {
			out[part] = max(out[part], v)
		}
	}
	return out
}

// plan covers the bucket hours [lo, hi) with the model's usable rollups.
func (ix *modelIndex) plan(lo, hi int64) store.RangePlan {
	if ix.first == 0 {
		return store.RangePlan{}
	}
	return store.PlanRange(lo, hi, ix.first, ix.last+86400, ix.rollup)
}

func formatCovers(c map[int32]uint64) string {
	parts := make([]int32, 0, len(c))
	for p := range c {
		parts = append(parts, p)
	}
	sort.Slice(parts, func(i, j int) bool { return parts[i] < parts[j] })
	var b strings.Builder
	for i, p := range parts {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, "%d:%d", p, c[p])
	}
	return b.String()
}

func parseCovers(s string) (map[int32]uint64, error) {
	out := map[int32]uint64{}
	if s == "" {
		return out, nil
	}
	for _, f := range strings.Split(s, ",") {
		ps, vs, ok := strings.Cut(f, ":")
		if !ok {
			return nil, fmt.Errorf("covers %q: item %q is not partition:version: %w", s, f, ErrCorruptRow)
		}
		p, err := strconv.ParseInt(ps, 10, 32)
		if err != nil {
			return nil, fmt.Errorf("covers %q: partition %q: %w", s, ps, ErrCorruptRow)
		}
		v, err := strconv.ParseUint(vs, 10, 64)
		if err != nil {
			return nil, fmt.Errorf("covers %q: version %q: %w", s, vs, ErrCorruptRow)
		}
		out[int32(p)] = v
	}
	return out, nil
}

// touchValues are the bucket_touches rows of batches' buckets: per
// (tenant, model, UTC day, partition) the highest version and hour.
func touchValues(batches ...[]store.Bucket) []any {
	type key struct {
		tenant, model string
		day           int64
		part          int32
	}
	type val struct {
		version uint64
		hour    int64
	}
	by := map[key]val{}
	var order []key
	for _, bs := range batches {
		for i := range bs {
			b := &bs[i]
			h := b.Hour.Unix()
			k := key{b.Tenant, b.Model, store.DayOf(h), b.Partition}
			v, ok := by[k]
			if !ok {
				order = append(order, k)
			}
			by[k] = val{max(v.version, uint64(b.Version)), max(v.hour, h)}
		}
	}
	n := len(order)
	tenant, model := make([]string, n), make([]string, n)
	day, hour := make([]uint32, n), make([]uint32, n)
	part, version := make([]int32, n), make([]uint64, n)
	for i, k := range order {
		v := by[k]
		tenant[i], model[i], day[i], part[i] = k.tenant, k.model, uint32(k.day), k.part
		version[i], hour[i] = v.version, uint32(v.hour)
	}
	return []any{tenant, model, day, part, version, hour}
}
