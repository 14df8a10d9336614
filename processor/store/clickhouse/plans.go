package clickhouse

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/agentpulse/agentpulse/processor/store"
)

var _ store.PlanStore = (*Store)(nil)

// Plan and catalogue statements (see queries for the 18.16 rules).
const (
	insertPlanSQL = "INSERT INTO {{db}}.plans (tenant_id, plan_id, agent_id, status, created_at_ns, version, body)"
	// The newest state of every selected plan; filters are appended
	// before GROUP BY, a status filter as HAVING.
	selectPlansSQL   = "SELECT argMax(body, version) FROM {{db}}.plans WHERE 1 = 1"
	insertCatalogSQL = "INSERT INTO {{db}}.assistance_catalogs (tenant_id, items, version)"
	selectCatalogSQL = "SELECT argMax(items, version) FROM {{db}}.assistance_catalogs WHERE tenant_id = ? GROUP BY tenant_id"
)

func (s *Store) sql(q string) string { return strings.ReplaceAll(q, "{{db}}", s.cfg.Database) }

// PutPlan inserts a plan state. Reads take the highest version, so a state
// with a lower version than the stored one never shows, and inserting the
// same state twice changes nothing. Retried on transient errors.
func (s *Store) PutPlan(ctx context.Context, rec store.PlanRecord) error {
	if err := s.check(); err != nil {
		return err
	}
	if rec.Version < 0 {
		return fmt.Errorf("put plan %q: negative version %d: %w", rec.Plan.ID, rec.Version, ErrInvalidBatch)
	}
	body, err := json.Marshal(rec)
	if err != nil {
		return fmt.Errorf("encode plan %q: %w", rec.Plan.ID, err)
	}
	p := &rec.Plan
	cols := []any{
		[]string{p.TenantID}, []string{p.ID}, []string{p.AgentID}, []string{string(p.Status)},
		[]int64{p.CreatedAt.UnixNano()}, []uint64{uint64(rec.Version)}, []string{string(body)},
	}
	return s.insert(ctx, "insert plan", s.sql(insertPlanSQL), cols)
}

// Plan returns the newest state of the tenant's plan id.
func (s *Store) Plan(ctx context.Context, tenant, id string) (store.PlanRecord, error) {
	recs, err := s.queryPlans(ctx, s.sql(selectPlansSQL)+" AND tenant_id = ? AND plan_id = ? GROUP BY tenant_id, plan_id", tenant, id)
	if err != nil {
		return store.PlanRecord{}, err
	}
	if len(recs) == 0 {
		return store.PlanRecord{}, fmt.Errorf("plan %q of tenant %q: %w", id, tenant, store.ErrPlanNotFound)
	}
	return recs[0], nil
}

// Plans returns the newest state of every plan q selects, newest created
// first.
func (s *Store) Plans(ctx context.Context, q store.PlanQuery) ([]store.PlanRecord, error) {
	var sb strings.Builder
	sb.WriteString(s.sql(selectPlansSQL))
	var args []any
	if q.Tenant != "" {
		sb.WriteString(" AND tenant_id = ?")
		args = append(args, q.Tenant)
	}
	if q.Agent != "" {
		sb.WriteString(" AND agent_id = ?")
		args = append(args, q.Agent)
	}
	sb.WriteString(" GROUP BY tenant_id, plan_id")
	if q.Status != "" {
		sb.WriteString(" HAVING argMax(status, version) = ?")
		args = append(args, string(q.Status))
	}
	recs, err := s.queryPlans(ctx, sb.String(), args...)
	if err != nil {
		return nil, err
	}
	store.SortPlans(recs)
	return recs, nil
}

func (s *Store) queryPlans(ctx context.Context, query string, args ...any) ([]store.PlanRecord, error) {
	if err := s.check(); err != nil {
		return nil, err
	}
	var out []store.PlanRecord
	err := s.retry.do(ctx, "query plans", func(ctx context.Context) error {
		out = out[:0]
		rows, err := s.conn.Query(ctx, query, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var body string
			if err := rows.Scan(&body); err != nil {
				return fmt.Errorf("scan plan: %w", err)
			}
			var rec store.PlanRecord
			if err := json.Unmarshal([]byte(body), &rec); err != nil {
				return fmt.Errorf("decode plan: %w: %w", err, ErrCorruptRow)
			}
			out = append(out, rec)
		}
		return rows.Err()
	})
	return out, err
}

// AssistanceCatalog returns the tenant's newest catalogue.
func (s *Store) AssistanceCatalog(ctx context.Context, tenant string) ([]string, bool, error) {
	if err := s.check(); err != nil {
		return nil, false, err
	}
	var items []string
	found := false
	err := s.retry.do(ctx, "query assistance catalog", func(ctx context.Context) error {
		items, found = nil, false
		rows, err := s.conn.Query(ctx, s.sql(selectCatalogSQL), tenant)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			if err := rows.Scan(&items); err != nil {
				return fmt.Errorf("scan assistance catalog: %w", err)
			}
			found = true
		}
		return rows.Err()
	})
	if items == nil && found {
		items = []string{}
	}
	return items, found, err
}

// PutAssistanceCatalog inserts the tenant's catalogue at version.
func (s *Store) PutAssistanceCatalog(ctx context.Context, tenant string, items []string, version int64) error {
	if err := s.check(); err != nil {
		return err
	}
	if version < 0 {
		return fmt.Errorf("put assistance catalog: negative version %d: %w", version, ErrInvalidBatch)
	}
	if items == nil {
		items = []string{}
	}
	cols := []any{[]string{tenant}, [][]string{items}, []uint64{uint64(version)}}
	return s.insert(ctx, "insert assistance catalog", s.sql(insertCatalogSQL), cols)
}
