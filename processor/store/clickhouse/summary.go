package clickhouse

import (
	"context"
	"fmt"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"

	"github.com/agentpulse/agentpulse/processor/store"
)

var (
	_ store.Summer       = (*Store)(nil)
	_ store.NewestReader = (*Store)(nil)
	_ store.ModelsLister = (*Store)(nil)
)

// NewestBuckets finds every agent's newest hour with a non-empty part in
// the tenant's model and the (inquiry, team) of that hour's parts, in two
// steps that avoid grouping every part (18.16 has no window functions):
//
//  1. per agent, the newest hour of any row with a non-zero volume, any
//     version: no current non-empty part is newer (its row has a
//     non-zero volume), so it is an upper bound;
//  2. the current value (argMax per part) of the parts of those hours:
//     where one is non-empty, that hour is the agent's newest.
//
// An agent whose parts of that hour were all emptied by a newer version
// (an interaction corrected away) is read again alone, part by part.
// Measured at 10,000 agents × 90 days on 18.16: 1.5 s, against 17 s for
// argMax over every part.
func (s *Store) NewestBuckets(ctx context.Context, tenant, model, agent string, fn func(store.AgentNewest) error) error {
	if err := s.check(); err != nil {
		return err
	}
	filter := ""
	args := []any{tenant, model}
	if agent != "" {
		filter = " AND agent_id = ?"
		args = append(args, agent)
	}
	args = append(args, args...)
	db := s.cfg.Database
	query := `SELECT agent_id, hour_s, groupArray(inquiry), groupArray(team_id)
FROM (
	SELECT agent_id, inquiry, team_id, toUInt32(hour) AS hour_s, argMax(volume, version) AS v_volume
	FROM ` + db + `.buckets
	WHERE tenant_id = ? AND model = ?` + filter + ` AND (agent_id, hour) IN (
		SELECT agent_id, max(hour)
		FROM ` + db + `.buckets
		WHERE tenant_id = ? AND model = ?` + filter + ` AND volume != 0
		GROUP BY agent_id)
	GROUP BY agent_id, inquiry, team_id, hour, log_partition
	HAVING v_volume != 0)
GROUP BY agent_id, hour_s`
	// Which agents have a candidate hour at all: those missing from the
	// answer are read again alone.
	candidates := map[string]bool{}
	err := s.stream(ctx, "newest bucket candidates", `SELECT DISTINCT agent_id FROM `+db+`.buckets
WHERE tenant_id = ? AND model = ?`+filter+` AND volume != 0`, args[:len(args)/2], func(rows driver.Rows) error {
		var a string
		if err := rows.Scan(&a); err != nil {
			return fmt.Errorf("scan agent: %w", err)
		}
		candidates[a] = true
		return nil
	})
	if err != nil {
		return err
	}
	var hour uint32
	err = s.stream(ctx, "newest buckets", query, args, func(rows driver.Rows) error {
		a := store.AgentNewest{}
		if err := rows.Scan(&a.Agent, &hour, &a.Inquiry, &a.Team); err != nil {
			return fmt.Errorf("scan newest buckets: %w", err)
		}
		if len(a.Inquiry) != len(a.Team) {
			return fmt.Errorf("newest buckets of agent %q: %d inquiries, %d teams: %w", a.Agent, len(a.Inquiry), len(a.Team), ErrCorruptRow)
		}
		delete(candidates, a.Agent)
		a.Hour = time.Unix(int64(hour), 0).UTC()
		return fn(a)
	})
	if err != nil {
		return err
	}
	for id := range candidates {
		if err := s.newestOfAgent(ctx, tenant, model, id, fn); err != nil {
			return err
		}
	}
	return nil
}

// newestOfAgent is NewestBuckets for one agent from every current part.
func (s *Store) newestOfAgent(ctx context.Context, tenant, model, agent string, fn func(store.AgentNewest) error) error {
	return store.NewestByScan(ctx, s, tenant, model, agent, fn)
}

// TenantModels lists the (tenant, model) pairs with stored bucket parts.
func (s *Store) TenantModels(ctx context.Context) ([]store.TenantModel, error) {
	if err := s.check(); err != nil {
		return nil, err
	}
	query := "SELECT DISTINCT tenant_id, model FROM " + s.cfg.Database + ".buckets ORDER BY tenant_id, model"
	var out []store.TenantModel
	err := s.stream(ctx, "list tenant models", query, nil, func(rows driver.Rows) error {
		var tm store.TenantModel
		if err := rows.Scan(&tm.Tenant, &tm.Model); err != nil {
			return fmt.Errorf("scan tenant model: %w", err)
		}
		out = append(out, tm)
		return nil
	})
	return out, err
}

// stream runs query (retried on transient errors until it starts) and
// calls fn for every row; it stops at fn's first error and returns it.
func (s *Store) stream(ctx context.Context, what, query string, args []any, fn func(driver.Rows) error) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var rows driver.Rows
	err := s.retry.do(ctx, what, func(ctx context.Context) error {
		var err error
		rows, err = s.conn.Query(ctx, query, args...)
		return err
	})
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		if err := fn(rows); err != nil {
			cancel() // stop the server before Close drains the rest
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	return nil
}
