package clickhouse

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"

	"github.com/agentpulse/agentpulse/processor/store"
)

var _ store.Compactor = (*Store)(nil)

// Compact seals the sealable days and months of every (tenant, model)
// with touches (see store.Compactor and rollup.go): a day is summed on the
// server from its hours in bucket_hours (one key range) into rollups
// (INSERT ... SELECT, nothing crosses the network), a month from its
// days' rollups; each period's rollup_state row is written after its
// rows. Days come before months, so a month redone after a correction
// reads the redone day. Concurrent Compact calls are safe: each writes
// its own gen and the highest gen's state wins.
func (s *Store) Compact(ctx context.Context, lateness time.Duration) (store.CompactStats, error) {
	var st store.CompactStats
	if err := s.check(); err != nil {
		return st, err
	}
	var models []store.TenantModel
	err := s.stream(ctx, "list touched models", "SELECT DISTINCT tenant_id, model FROM "+s.cfg.Database+".bucket_touches",
		nil, func(rows driver.Rows) error {
			var tm store.TenantModel
			if err := rows.Scan(&tm.Tenant, &tm.Model); err != nil {
				return fmt.Errorf("scan touched model: %w", err)
			}
			models = append(models, tm)
			return nil
		})
	if err != nil {
		return st, err
	}
	var errs []error
	for _, tm := range models {
		if err := s.compactModel(ctx, tm.Tenant, tm.Model, lateness, &st); err != nil {
			if ctx.Err() != nil {
				return st, err
			}
			errs = append(errs, err)
		}
	}
	return st, errors.Join(errs...)
}

func (s *Store) compactModel(ctx context.Context, tenant, model string, lateness time.Duration, st *store.CompactStats) error {
	ix, err := s.loadIndex(ctx, tenant, model)
	if err != nil {
		return fmt.Errorf("compact %s/%s: %w", tenant, model, err)
	}
	days := make([]int64, 0, len(ix.touches))
	for d := range ix.touches {
		days = append(days, d)
	}
	sort.Slice(days, func(i, j int) bool { return days[i] < days[j] })
	months := map[int64]bool{}
	var seal []int64
	for _, d := range days {
		p := store.Period{Span: store.SpanDay, Start: d}
		if !store.Sealable(p, ix.watermark, lateness) {
			continue
		}
		months[store.MonthOf(d)] = true
		if !ix.rollup(p).Use {
			seal = append(seal, d)
		}
	}
	for len(seal) > 0 {
		chunk := seal[:min(len(seal), daysPerSeal)]
		seal = seal[len(chunk):]
		covers := make([]map[int32]uint64, len(chunk))
		for i, d := range chunk {
			covers[i] = ix.covers(store.Period{Span: store.SpanDay, Start: d})
		}
		gen, err := s.sealDays(ctx, tenant, model, chunk, covers)
		if err != nil {
			return err
		}
		for i, d := range chunk {
			ix.states[store.Period{Span: store.SpanDay, Start: d}] = rollupState{gen: gen, covers: covers[i]}
		}
		st.Days += len(chunk)
	}
	// Runs of days, shortest first, each from its two halves.
	for span := store.SpanBlock2; span <= store.SpanBlock32; span++ {
		blocks := map[store.Period]bool{}
		for _, d := range days {
			blocks[store.BlockOf(span, d)] = true
		}
		for _, p := range sortedPeriods(blocks) {
			if !store.Sealable(p, ix.watermark, lateness) || ix.rollup(p).Use {
				continue
			}
			var sources []store.PeriodGen
			ready := true
			for _, h := range p.Halves() {
				r := ix.rollup(h)
				if !r.Use {
					ready = false // a half failed to seal: next time
					break
				}
				if r.Gen != 0 {
					sources = append(sources, store.PeriodGen{Period: h, Gen: r.Gen})
				}
			}
			if !ready {
				continue
			}
			covers := ix.covers(p)
			gen, err := s.sealFrom(ctx, tenant, model, p, sources, covers)
			if err != nil {
				return err
			}
			ix.states[p] = rollupState{gen: gen, covers: covers}
			st.Blocks++
		}
	}
	ms := make([]int64, 0, len(months))
	for m := range months {
		ms = append(ms, m)
	}
	sort.Slice(ms, func(i, j int) bool { return ms[i] < ms[j] })
	for _, m := range ms {
		p := store.Period{Span: store.SpanMonth, Start: m}
		if !store.Sealable(p, ix.watermark, lateness) || ix.rollup(p).Use {
			continue
		}
		var sources []store.PeriodGen
		ready := true
		for d := m; d < p.End(); d += 86400 {
			day := store.Period{Span: store.SpanDay, Start: d}
			r := ix.rollup(day)
			if !r.Use {
				ready = false // a day failed to seal: next time
				break
			}
			if r.Gen != 0 {
				sources = append(sources, store.PeriodGen{Period: day, Gen: r.Gen})
			}
		}
		if !ready {
			continue
		}
		if _, err := s.sealFrom(ctx, tenant, model, p, sources, ix.covers(p)); err != nil {
			return err
		}
		st.Months++
	}
	return nil
}

// lastGen keeps gens increasing within a process even when the clock
// does not move between two seals.
var lastGen = make(chan uint64, 1)

func init() { lastGen <- 0 }

// newGen returns a gen above every gen this process made: the wall clock
// in nanoseconds, or one more than the last.
func newGen() uint64 {
	last := <-lastGen
	g := max(uint64(time.Now().UnixNano()), last+1)
	lastGen <- g
	return g
}

// sumColumns sums a rollup's value columns; the aliases differ from the
// columns they sum (18.16).
var sumColumns = selectValues("sumIf(%s, "+nonEmpty+")", "s_")

var rollupInsert = `INSERT INTO %s.rollups (tenant_id, model, span, period, gen, agent_id, inquiry, team_id,
	` + valueList + `)
SELECT tenant_id, model, toUInt8(%d), toUInt32(%d), toUInt64(%d), agent_id, inquiry, team_id, ` + sumColumns

// daysPerSeal bounds the days one statement seals: the server's GROUP BY
// holds one key per (day, agent, inquiry, team) of them.
const daysPerSeal = 7

// sealDays writes the rollup rows of days (sorted) from their current
// hours, in one statement, then their states (covers[i] is days[i]'s),
// and returns their gen.
func (s *Store) sealDays(ctx context.Context, tenant, model string, days []int64, covers []map[int32]uint64) (uint64, error) {
	var ranges []string
	for i := 0; i < len(days); {
		j := i + 1
		for j < len(days) && days[j] == days[j-1]+86400 {
			j++
		}
		ranges = append(ranges, fmt.Sprintf("(hour >= toDateTime(%d) AND hour < toDateTime(%d))", days[i], days[j-1]+86400))
		i = j
	}
	what := fmt.Sprintf("seal %d days of %s/%s from %s", len(days), tenant, model, time.Unix(days[0], 0).UTC().Format(time.DateOnly))
	var gen uint64
	err := s.retry.do(ctx, what, func(ctx context.Context) error {
		// A new gen per attempt: a failed attempt's rows (if any) are
		// never named by a state, so a gen's rows are one insert's.
		gen = newGen()
		q := fmt.Sprintf(`INSERT INTO %[1]s.rollups (tenant_id, model, span, period, gen, agent_id, inquiry, team_id,
	`+valueList+`)
SELECT tenant_id, model, toUInt8(%[2]d), toUInt32(toStartOfDay(hour)) AS r_period, toUInt64(%[3]d), agent_id, inquiry, team_id, `+sumColumns+`
FROM %[1]s.bucket_hours FINAL
WHERE tenant_id = ? AND model = ? AND (%[4]s)
GROUP BY tenant_id, model, r_period, agent_id, inquiry, team_id
HAVING `+prefixedNonEmpty("s_"), s.cfg.Database, store.SpanDay, gen, strings.Join(ranges, " OR "))
		return s.conn.Exec(ctx, q, tenant, model)
	})
	if err != nil {
		return 0, err
	}
	n := len(days)
	tenants, models, spans := make([]string, n), make([]string, n), make([]uint8, n)
	periods, gens, cov := make([]uint32, n), make([]uint64, n), make([]string, n)
	for i, d := range days {
		tenants[i], models[i], spans[i] = tenant, model, uint8(store.SpanDay)
		periods[i], gens[i], cov[i] = uint32(d), gen, formatCovers(covers[i])
	}
	return gen, s.insert(ctx, what+": state", s.q.insertRollupState, []any{tenants, models, spans, periods, gens, cov})
}

// sealFrom writes p's rollup rows from the rollups sources (of p's
// days or halves; no FINAL: a gen's rows are unique), then its state,
// and returns its gen. Without sources (no part in p) only the state.
func (s *Store) sealFrom(ctx context.Context, tenant, model string, p store.Period, sources []store.PeriodGen, covers map[int32]uint64) (uint64, error) {
	what := fmt.Sprintf("seal span %d from %s of %s/%s", p.Span, time.Unix(p.Start, 0).UTC().Format(time.DateOnly), tenant, model)
	gen := newGen()
	if len(sources) > 0 {
		var or []string // OR of equalities: the key ranges (see rollupSumQuery)
		for _, src := range sources {
			or = append(or, fmt.Sprintf("(span = %d AND period = %d AND gen = %d)", src.Span, src.Start, src.Gen))
		}
		err := s.retry.do(ctx, what, func(ctx context.Context) error {
			gen = newGen() // per attempt, as in sealDays
			q := fmt.Sprintf(rollupInsert+`
FROM %s.rollups
WHERE tenant_id = ? AND model = ? AND period >= %d AND period < %d AND (%s)
GROUP BY tenant_id, model, agent_id, inquiry, team_id
HAVING `+prefixedNonEmpty("s_"), s.cfg.Database, p.Span, p.Start, gen, s.cfg.Database, p.Start, p.End(), strings.Join(or, " OR "))
			return s.conn.Exec(ctx, q, tenant, model)
		})
		if err != nil {
			return 0, err
		}
	}
	return gen, s.writeState(ctx, what, tenant, model, p.Span, p.Start, gen, covers)
}

func sortedPeriods(m map[store.Period]bool) []store.Period {
	out := make([]store.Period, 0, len(m))
	for p := range m {
		out = append(out, p)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Start < out[j].Start })
	return out
}

func (s *Store) writeState(ctx context.Context, what, tenant, model string, span store.Span, period int64, gen uint64, covers map[int32]uint64) error {
	cols := []any{[]string{tenant}, []string{model}, []uint8{uint8(span)}, []uint32{uint32(period)}, []uint64{gen},
		[]string{formatCovers(covers)}}
	return s.insert(ctx, what+": state", s.q.insertRollupState, cols)
}
