package clickhouse

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"

	ch "github.com/ClickHouse/clickhouse-go/v2"
	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"

	"github.com/agentpulse/agentpulse/processor/store"
	"github.com/agentpulse/agentpulse/views"
)

// SumBuckets sums the current parts of q per (agent, inquiry, team) and
// range start.
//
// Every agent of the model: each range [Starts[i], To) is covered
// (store.PlanRange) by the usable monthly and daily rollups lying wholly
// in it and, for the rest (its ragged ends, days not sealed yet or
// stale), its hours; the ranges' pieces are read at once, one query for
// the rollups and one for the hours, each summing per cell and range
// start on the server (sumIf), and the two are merged here. Both are key
// ranges: rollups are sorted by (tenant, model, span, period) and the
// hours come from bucket_hours, sorted by (tenant, model, hour). A model
// without learned parts (no touch of store.LearnedPartition in its
// index) sums the six base columns only: its learned cells are zero on
// every row, and the learned columns were 10 of the 16 summed (measured
// at 10,000 agents on 18.16: the server's CPU for the rollups' query
// 1.2 s → 0.7 s).
//
// The sums stay one sumIf per column and range on one row per cell:
// grouping by (cell, mask of the ranges a row belongs to) with plain sums
// and folding the masks here was measured slower on 18.16 (0.97 s of
// server CPU against 0.72 s, same columns): the cost is the GROUP BY of
// three String keys, and the masks multiply its groups (×5 at 10,000
// agents) and the rows sent.
//
// One agent or a set (q.Agent, q.Agents): one query over the agents' key
// ranges of buckets (sorted by agent), which holds each agent's 90 days
// in a few granules; the rollups' per-period ranges would read more
// (measured at 1,000 agents: 63 ms through rollups, 7 ms this way). It
// reads every column (no index is loaded).
//
// Hours are read with FINAL, which collapses each part to its highest
// version while merging the sorted data parts: exact because the WHERE
// holds only sorting-key columns; the empty-part condition is applied
// after the collapse, inside the aggregates (sumIf). In cluster mode
// FINAL collapses on each shard, exact because every version of a part
// lives on one shard (sharded by tenant and agent; package ddl). Rollups
// need no FINAL (18.16 runs FINAL in one thread): a gen's rows are the
// output of one INSERT ... SELECT with a GROUP BY, unique per key, and a
// retried seal writes a new gen (see sealDays).
func (s *Store) SumBuckets(ctx context.Context, q store.SumQuery, fn func(store.CellSums) error) error {
	if err := s.check(); err != nil {
		return err
	}
	if len(q.Starts) == 0 {
		return nil
	}
	n := len(q.Starts)
	plans := make([]store.RangePlan, n)
	cols := valueColumns
	if q.Agent != "" || len(q.Agents) > 0 {
		// Some agents: each is one key range of buckets (sorted by agent),
		// fewer rows to read than the rollups' per-period ranges.
		for i, t := range q.Starts {
			if lo, hi, ok := hourRange(t, q.To); ok {
				plans[i].Hours = [][2]int64{{int64(lo), int64(hi)}}
			}
		}
	} else {
		ix, err := s.loadIndex(ctx, q.Tenant, q.Model)
		if err != nil {
			return err
		}
		for i, t := range q.Starts {
			if lo, hi, ok := hourRange(t, q.To); ok {
				plans[i] = ix.plan(int64(lo), int64(hi))
			}
		}
		if !ix.learned() {
			cols = baseColumns
		}
	}
	ctx, cancel := context.WithCancel(ctx) // a failed read stops the other
	defer cancel()
	type key struct{ agent, inquiry, team string }
	type cell struct {
		k    key
		sums []views.Sums
	}
	// read returns a query's non-empty cells in the order it sent them.
	read := func(what, query string, args []any) ([]cell, error) {
		var out []cell
		var agent, inquiry, team string
		err := s.stream(ctx, what, query, args, func(rows driver.Rows) error {
			sums := make([]views.Sums, n)
			dest := make([]any, 0, 3+len(cols)*n)
			dest = append(dest, &agent, &inquiry, &team)
			for i := range sums {
				dest = append(dest, sumsDest(&sums[i])[:len(cols)]...)
			}
			if err := rows.Scan(dest...); err != nil {
				return fmt.Errorf("scan bucket sums: %w", err)
			}
			some := false
			for i := range sums {
				some = some || !sums[i].Empty()
			}
			if some {
				out = append(out, cell{key{agent, inquiry, team}, sums})
			}
			return nil
		})
		return out, err
	}
	// The rollups and the hours are read at once (18.16 reads the hours'
	// FINAL in one thread: the rollups' query overlaps it), and merged in
	// that order, so the answer is the same as one after the other.
	var (
		rolled, hours []cell
		rollErr       error
	)
	done := make(chan struct{})
	go func() {
		defer close(done)
		if query, args, ok := s.rollupSumQuery(q, plans, cols); ok {
			if rolled, rollErr = read("sum rollups", query, args); rollErr != nil {
				cancel()
			}
		}
	}()
	var hourErr error
	if query, args, ok := s.hourSumQuery(q, plans, cols); ok {
		if hours, hourErr = read("sum buckets", query, args); hourErr != nil {
			cancel()
		}
	}
	<-done
	if err := errors.Join(rollErr, hourErr); err != nil {
		return err
	}
	cells := make(map[key][]views.Sums, len(rolled)+len(hours))
	order := make([]key, 0, len(rolled)+len(hours))
	for _, part := range [][]cell{rolled, hours} {
		for _, c := range part {
			cur := cells[c.k]
			if cur == nil {
				cells[c.k] = c.sums
				order = append(order, c.k)
				continue
			}
			for i := range cur {
				cur[i].Merge(c.sums[i])
			}
		}
	}
	for _, k := range order {
		if err := fn(store.CellSums{Agent: k.agent, Inquiry: k.inquiry, Team: k.team, Sums: cells[k]}); err != nil {
			return err
		}
	}
	return nil
}

// baseColumns are valueColumns without the learned cells' (the first six).
var baseColumns = valueColumns[:6]

// sumSelect is the SELECT list of a per-cell, per-range sum of cols
// (valueColumns or baseColumns): conds[i] selects the rows of range i
// (integer literals only), "0" for none. Without the learned columns a
// row is empty when its volume is 0 (its lsat_n and lres_n are).
func sumSelect(conds, cols []string) string {
	empty := nonEmpty
	if len(cols) == len(baseColumns) {
		empty = "volume != 0"
	}
	var sb strings.Builder
	sb.WriteString("SELECT agent_id, inquiry, team_id")
	for _, cond := range conds {
		for _, c := range cols {
			fmt.Fprintf(&sb, ",\n\tsumIf(%s, %s AND (%s))", c, empty, cond)
		}
	}
	return sb.String()
}

// rollupSumQuery reads the rollups of every plan; ok is false when no
// plan reads one.
func (s *Store) rollupSumQuery(q store.SumQuery, plans []store.RangePlan, cols []string) (string, []any, bool) {
	all := map[store.PeriodGen]bool{}
	conds := make([]string, len(plans))
	for i, p := range plans {
		var tuples []string
		for _, pg := range p.Periods {
			all[pg] = true
			tuples = append(tuples, fmt.Sprintf("(%d, %d)", pg.Span, pg.Start))
		}
		conds[i] = "0"
		if len(tuples) > 0 {
			conds[i] = "(span, period) IN (" + strings.Join(tuples, ", ") + ")"
		}
	}
	if len(all) == 0 {
		return "", nil, false
	}
	pgs := make([]store.PeriodGen, 0, len(all))
	for pg := range all {
		pgs = append(pgs, pg)
	}
	sort.Slice(pgs, func(i, j int) bool {
		if pgs[i].Span != pgs[j].Span {
			return pgs[i].Span < pgs[j].Span
		}
		return pgs[i].Start < pgs[j].Start
	})
	var spans []string
	for _, span := range store.Spans {
		// OR of equalities, not a tuple IN: 18.16 narrows the key ranges
		// from these (measured at 10,000 agents: 0.13 s against 1.2 s).
		var or []string
		for _, pg := range pgs {
			if pg.Span == span {
				or = append(or, fmt.Sprintf("(period = %d AND gen = %d)", pg.Start, pg.Gen))
			}
		}
		if len(or) > 0 {
			spans = append(spans, fmt.Sprintf("(span = %d AND (%s))", span, strings.Join(or, " OR ")))
		}
	}
	var sb strings.Builder
	sb.WriteString(sumSelect(conds, cols))
	fmt.Fprintf(&sb, "\nFROM %s.rollups\nWHERE tenant_id = ? AND model = ? AND (%s)", s.cfg.Database, strings.Join(spans, " OR "))
	args := []any{q.Tenant, q.Model}
	agentFilter(&sb, &args, q)
	sb.WriteString("\nGROUP BY agent_id, inquiry, team_id")
	return sb.String(), args, true
}

// hourSumQuery reads the hours of every plan; ok is false when no plan
// reads one.
func (s *Store) hourSumQuery(q store.SumQuery, plans []store.RangePlan, cols []string) (string, []any, bool) {
	conds := make([]string, len(plans))
	var all [][2]int64
	for i, p := range plans {
		var ors []string
		for _, iv := range p.Hours {
			all = append(all, iv)
			ors = append(ors, fmt.Sprintf("(hour >= toDateTime(%d) AND hour < toDateTime(%d))", iv[0], iv[1]))
		}
		conds[i] = "0"
		if len(ors) > 0 {
			conds[i] = strings.Join(ors, " OR ")
		}
	}
	if len(all) == 0 {
		return "", nil, false
	}
	// The union of the intervals, for the key condition.
	sort.Slice(all, func(i, j int) bool { return all[i][0] < all[j][0] })
	var union [][2]int64
	for _, iv := range all {
		if k := len(union); k > 0 && iv[0] <= union[k-1][1] {
			union[k-1][1] = max(union[k-1][1], iv[1])
			continue
		}
		union = append(union, iv)
	}
	var ors []string
	for _, iv := range union {
		ors = append(ors, fmt.Sprintf("(hour >= toDateTime(%d) AND hour < toDateTime(%d))", iv[0], iv[1]))
	}
	table := "bucket_hours"
	if q.Agent != "" || len(q.Agents) > 0 {
		table = "buckets" // sorted by agent
	}
	var sb strings.Builder
	sb.WriteString(sumSelect(conds, cols))
	fmt.Fprintf(&sb, "\nFROM %s.%s FINAL\nWHERE tenant_id = ? AND model = ? AND (%s)", s.cfg.Database, table, strings.Join(ors, " OR "))
	args := []any{q.Tenant, q.Model}
	agentFilter(&sb, &args, q)
	sb.WriteString("\nGROUP BY agent_id, inquiry, team_id")
	return sb.String(), args, true
}

// agentFilter appends q's agent condition: one agent, or a set bound as
// a ch.GroupSet, ('a', 'b'), which the primary key serves.
func agentFilter(sb *strings.Builder, args *[]any, q store.SumQuery) {
	switch {
	case q.Agent != "":
		sb.WriteString(" AND agent_id = ?")
		*args = append(*args, q.Agent)
	case len(q.Agents) > 0:
		ids := make([]any, len(q.Agents))
		for i, a := range q.Agents {
			ids[i] = a
		}
		sb.WriteString(" AND agent_id IN ?")
		*args = append(*args, ch.GroupSet{Value: ids})
	}
}
