package clickhouse

import (
	"context"
	"encoding/hex"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	ch "github.com/ClickHouse/clickhouse-go/v2"
	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"

	"github.com/agentpulse/agentpulse/processor/store"
)

// Retention and erasure in ClickHouse (store.Retainer).
//
// Tables are partitioned by month of event time but not by tenant, so a
// month partition is dropped whole (ALTER TABLE … DROP PARTITION, which
// frees its files at once) only when every tenant with rows in it has a
// cutoff at or after the month's end; the rest is removed by mutations
// (ALTER TABLE … DELETE WHERE tenant_id = …), valid on 18.16 and current
// releases, asynchronous on the server: Retain waits for them
// (system.mutations) before it returns. A mutation is sent only when a
// count finds rows to remove, so a pass that has nothing to do rewrites
// no part. The tables without a month partition (bucket_touches,
// rollup_state, roster) are small and always use mutations; model_latest
// too (retainLatest). A pass that removed something of a tenant ends with
// a touch of its cutoff day (touchCutoff), so that a rollup a concurrent
// Compact sealed from hours read before the deletions is stale at once.

var _ store.Retainer = (*Store)(nil)

// retained is one table's retention: its time condition (one bound
// parameter, the cutoff in the column's unit), whether moved interactions
// (by id) go too, and its month partition expression ("" when none).
type retained struct {
	table     string
	cond      string
	ns        bool // the bound is unix nanoseconds, else seconds
	byID      bool
	partition string
}

var retainedTables = []retained{
	{"interactions", "ended_at_ns < ?", true, true, "toYYYYMM(toDateTime(intDiv(ended_at_ns, 1000000000), 'UTC'))"},
	{"interaction_revisions", "ended_at_ns < ?", true, true, "toYYYYMM(toDateTime(intDiv(ended_at_ns, 1000000000), 'UTC'))"},
	{"buckets", "hour < toDateTime(?)", false, false, "toYYYYMM(hour)"},
	{"bucket_hours", "hour < toDateTime(?)", false, false, "toYYYYMM(hour)"},
	{"bucket_touches", "day < ?", false, false, ""},
	{"rollups", "period < ?", false, false, "toYYYYMM(toDateTime(period, 'UTC'))"},
	{"rollup_state", "period < ?", false, false, ""},
	{"roster", "ended_at_ns < ? AND interaction_id != ''", true, false, ""},
}

// RetentionTenants lists the tenants of bucket_touches and tenant_models.
func (s *Store) RetentionTenants(ctx context.Context) ([]string, error) {
	if err := s.check(); err != nil {
		return nil, err
	}
	db := s.cfg.Database
	var out []string
	err := s.stream(ctx, "list tenants", `SELECT DISTINCT tenant_id FROM `+db+`.bucket_touches
UNION ALL SELECT DISTINCT tenant_id FROM `+db+`.tenant_models`, nil, func(rows driver.Rows) error {
		var t string
		if err := rows.Scan(&t); err != nil {
			return fmt.Errorf("scan tenant: %w", err)
		}
		if !slices.Contains(out, t) {
			out = append(out, t)
		}
		return nil
	})
	slices.Sort(out)
	return out, err
}

// Retain removes what ended before each tenant's cutoff (see the comment
// above and store.Retainer).
func (s *Store) Retain(ctx context.Context, cutoffs map[string]time.Time) (map[string]store.RetainStats, error) {
	if err := s.check(); err != nil {
		return nil, err
	}
	out := map[string]store.RetainStats{}
	moved := map[string][]string{}
	removes := map[string]bool{} // tenants the pass removes anything of
	for tenant, cut := range cutoffs {
		st, ids, err := s.retainCounts(ctx, tenant, cut)
		if err != nil {
			return nil, err
		}
		out[tenant], moved[tenant] = st, ids
		rolled, err := s.count(ctx, `SELECT count() FROM `+s.cfg.Database+`.rollup_state WHERE tenant_id = ? AND period < ?`, tenant, cut.Unix())
		if err != nil {
			return nil, err
		}
		removes[tenant] = st != (store.RetainStats{}) || rolled > 0
	}
	for _, t := range retainedTables {
		if t.partition != "" {
			if err := s.dropPartitions(ctx, t, cutoffs); err != nil {
				return nil, err
			}
		}
		for tenant, cut := range cutoffs {
			if err := s.retainTable(ctx, t, tenant, cut, moved[tenant]); err != nil {
				return nil, err
			}
		}
	}
	for tenant, cut := range cutoffs {
		if err := s.retainLatest(ctx, tenant, cut); err != nil {
			return nil, err
		}
		if removes[tenant] {
			if err := s.touchCutoff(ctx, tenant, cut); err != nil {
				return nil, err
			}
		}
	}
	return out, nil
}

// touchCutoff writes, once the pass's deletions are done, a touch of
// partition store.RetentionPartition on the cutoff day of every model of
// the tenant. A Compact running during the pass (the compactor of another
// process) may have read hours before they were deleted and sealed a
// period reaching back before the cutoff after the pass deleted such
// rollups: every such period contains the cutoff day, and its covers
// (read before this touch existed) lack the touch's partition, so reads
// treat it as stale and read its days and hours, and the next Compact
// reseals it from what remains. A Compact that reads the index after
// the touch reads hours after the deletions. Touches of later passes
// replace it (days before a cutoff go).
func (s *Store) touchCutoff(ctx context.Context, tenant string, cut time.Time) error {
	var models []string
	err := s.stream(ctx, "retention: models", `SELECT DISTINCT model FROM `+s.cfg.Database+`.bucket_touches WHERE tenant_id = ?`,
		[]any{tenant}, func(rows driver.Rows) error {
			var m string
			if err := rows.Scan(&m); err != nil {
				return fmt.Errorf("scan model: %w", err)
			}
			models = append(models, m)
			return nil
		})
	if err != nil || len(models) == 0 {
		return err
	}
	n := len(models)
	tenants, days, parts, versions, hours := make([]string, n), make([]uint32, n), make([]int32, n), make([]uint64, n), make([]uint32, n)
	for i := range models {
		tenants[i], days[i], parts[i], versions[i], hours[i] = tenant, uint32(cut.Unix()), store.RetentionPartition, newGen(), uint32(cut.Unix())
	}
	return s.insert(ctx, "retention: touch the cutoff day", s.q.insertTouches, []any{tenants, models, days, parts, versions, hours})
}

// retainLatest removes the tenant's model_latest parts whose value (the
// row of the highest version) names an interaction ended before cut: it
// is the newest current interaction of its model in its log partition,
// so that partition has none of the model left, and the part would name
// a removed row (LatestData would fall back to the roster at every call).
// Every row of such a part up to that version goes, so no older value
// becomes the part's; a row the processor writes meanwhile has a higher
// version and stays. Parts whose value ended at or after cut name a
// current interaction that stays, and are left as they are.
func (s *Store) retainLatest(ctx context.Context, tenant string, cut time.Time) error {
	table := s.cfg.Database + ".model_latest"
	var conds []string
	args := []any{tenant}
	err := s.stream(ctx, "retention: model_latest parts before the cutoff", `SELECT model, log_partition, max(version)
FROM `+table+`
WHERE tenant_id = ?
GROUP BY model, log_partition
HAVING argMax(interaction_id, version) != '' AND argMax(ended_at_ns, version) < ?`, []any{tenant, cut.UnixNano()}, func(rows driver.Rows) error {
		var model string
		var partition int32
		var version uint64
		if err := rows.Scan(&model, &partition, &version); err != nil {
			return fmt.Errorf("scan model_latest part: %w", err)
		}
		conds = append(conds, "(model = ? AND log_partition = ? AND version <= ?)")
		args = append(args, model, partition, version)
		return nil
	})
	if err != nil || len(conds) == 0 {
		return err
	}
	return s.mutate(ctx, "model_latest", `DELETE WHERE tenant_id = ? AND (`+strings.Join(conds, " OR ")+`)`, args...)
}

// bound is the cutoff in t's unit.
func (t retained) bound(cut time.Time) int64 {
	if t.ns {
		return cut.UnixNano()
	}
	return cut.Unix()
}

// retainCounts counts what Retain removes of a tenant and returns the
// interactions whose current revision ended before cut while an older
// one ended at or after it (corrections moving back across the cutoff):
// their rows at or after the cutoff go by id.
func (s *Store) retainCounts(ctx context.Context, tenant string, cut time.Time) (store.RetainStats, []string, error) {
	db, c := s.cfg.Database, cut.UnixNano()
	var st store.RetainStats
	var ids []string
	err := s.stream(ctx, "retention: interactions before the cutoff", `SELECT interaction_id, max(ended_at_ns) >= ? AS m_moved
FROM `+db+`.interaction_revisions
WHERE tenant_id = ? AND interaction_id IN (SELECT interaction_id FROM `+db+`.interaction_revisions WHERE tenant_id = ? AND ended_at_ns < ?)
GROUP BY interaction_id
HAVING argMax(ended_at_ns, revision) < ?`, []any{c, tenant, tenant, c, c}, func(rows driver.Rows) error {
		var id string
		var m uint8
		if err := rows.Scan(&id, &m); err != nil {
			return fmt.Errorf("scan interaction: %w", err)
		}
		st.Interactions++
		if m != 0 {
			ids = append(ids, id)
		}
		return nil
	})
	if err != nil {
		return st, nil, err
	}
	cond, args := "ended_at_ns < ?", []any{tenant, c}
	if len(ids) > 0 {
		cond, args = "(ended_at_ns < ? OR interaction_id IN ?)", []any{tenant, c, ch.GroupSet{Value: toAny(ids)}}
	}
	if st.Revisions, err = s.count(ctx, `SELECT count() FROM (SELECT DISTINCT interaction_id, revision, log_partition, log_offset
FROM `+db+`.interaction_revisions WHERE tenant_id = ? AND `+cond+`)`, args...); err != nil {
		return st, nil, err
	}
	st.Buckets, err = s.count(ctx, `SELECT count() FROM (SELECT DISTINCT model, agent_id, inquiry, team_id, hour, log_partition
FROM `+db+`.bucket_hours WHERE tenant_id = ? AND hour < toDateTime(?))`, tenant, cut.Unix())
	return st, ids, err
}

// count runs a query answering one UInt64.
func (s *Store) count(ctx context.Context, query string, args ...any) (int64, error) {
	var n uint64
	err := s.retry.do(ctx, "retention count", func(ctx context.Context) error {
		return s.conn.QueryRow(ctx, query, args...).Scan(&n)
	})
	return int64(n), err
}

// retainTable removes a tenant's rows of t before cut (and of moved
// interactions) with a mutation, when there are any.
func (s *Store) retainTable(ctx context.Context, t retained, tenant string, cut time.Time, moved []string) error {
	cond, args := t.cond, []any{tenant, t.bound(cut)}
	if t.byID && len(moved) > 0 {
		cond, args = "("+t.cond+" OR interaction_id IN ?)", append(args, ch.GroupSet{Value: toAny(moved)})
	}
	table := s.cfg.Database + "." + t.table
	n, err := s.count(ctx, `SELECT count() FROM `+table+` WHERE tenant_id = ? AND `+cond, args...)
	if err != nil || n == 0 {
		return err
	}
	return s.mutate(ctx, t.table, `DELETE WHERE tenant_id = ? AND `+cond, args...)
}

// dropPartitions drops every month partition of t whose tenants all have
// a cutoff at or after the month's end.
func (s *Store) dropPartitions(ctx context.Context, t retained, cutoffs map[string]time.Time) error {
	var parts []string
	from, name := s.systemOf("parts", t.table)
	err := s.stream(ctx, "list partitions of "+t.table, `SELECT DISTINCT partition FROM `+from+`
WHERE database = ? AND table = ? AND active`, []any{s.cfg.Database, name}, func(rows driver.Rows) error {
		var p string
		if err := rows.Scan(&p); err != nil {
			return fmt.Errorf("scan partition: %w", err)
		}
		parts = append(parts, p)
		return nil
	})
	if err != nil {
		return err
	}
	for _, p := range parts {
		month, err := strconv.Atoi(strings.Trim(p, "'"))
		if err != nil || month < 197001 {
			continue // not a month partition
		}
		end := time.Date(month/100, time.Month(month%100), 1, 0, 0, 0, 0, time.UTC).AddDate(0, 1, 0)
		drop := true
		err = s.stream(ctx, "tenants of a partition", `SELECT DISTINCT tenant_id FROM `+s.cfg.Database+`.`+t.table+`
WHERE `+t.partition+` = ?`, []any{uint32(month)}, func(rows driver.Rows) error {
			var tenant string
			if err := rows.Scan(&tenant); err != nil {
				return fmt.Errorf("scan tenant: %w", err)
			}
			if cut, ok := cutoffs[tenant]; !ok || cut.Before(end) {
				drop = false
			}
			return nil
		})
		if err != nil {
			return err
		}
		if !drop {
			continue
		}
		if err := s.alter(ctx, "drop partition of "+t.table, t.table, `DROP PARTITION `+strconv.Itoa(month)); err != nil {
			return err
		}
	}
	return nil
}

// EraseCustomer blanks customer_key in the tenant's interactions that m
// matches (ALTER TABLE … UPDATE, waited for). ClickHouse has no HMAC
// function: the keyed hash is computed from the key's two pads
// (store.HMACPads), sent hex-encoded.
func (s *Store) EraseCustomer(ctx context.Context, tenant string, m store.SubjectMatch) (int64, error) {
	if err := s.check(); err != nil {
		return 0, err
	}
	table := s.cfg.Database + ".interactions"
	cond, args := `tenant_id = ? AND customer_key != '' AND lower(hex(SHA256(customer_key))) = ?`, []any{tenant, m.Hash}
	if m.Key != nil {
		inner, outer := store.HMACPads(m.Key)
		cond = `tenant_id = ? AND customer_key != '' AND lower(hex(SHA256(concat(unhex(?), toString(SHA256(concat(unhex(?), customer_key))))))) = ?`
		args = []any{tenant, hex.EncodeToString(outer), hex.EncodeToString(inner), m.Hash}
	}
	n, err := s.count(ctx, `SELECT count() FROM `+table+` WHERE `+cond, args...)
	if err != nil || n == 0 {
		return n, err
	}
	return n, s.mutate(ctx, "interactions", `UPDATE customer_key = '' WHERE `+cond, args...)
}

func toAny(ids []string) []any {
	out := make([]any, len(ids))
	for i, id := range ids {
		out[i] = id
	}
	return out
}
