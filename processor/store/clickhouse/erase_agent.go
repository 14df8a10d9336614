package clickhouse

import (
	"context"
	"fmt"
	"slices"
	"strings"

	ch "github.com/ClickHouse/clickhouse-go/v2"
	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"

	"github.com/agentpulse/agentpulse/processor/store"
)

// agentTables are the tables keyed by agent_id. agent_id is in each one's
// sorting key, which a mutation cannot update: EraseAgent copies the
// agent's rows under the pseudonym (INSERT … SELECT, every column listed)
// and then deletes the originals (a mutation, waited for). A crash in
// between leaves both; EraseAgent again with the same pseudonym copies
// rows identical to the first copies (the tables' engines collapse them,
// and every read already tolerates a redelivered row) and deletes the
// originals.
var agentTables = []string{"interactions", "buckets", "bucket_hours", "rollups", "roster"}

// model_latest is not keyed by agent: its agent_id is updated in place
// (EraseAgent).

// RetentionAgents lists the tenant's agents with roster parts.
func (s *Store) RetentionAgents(ctx context.Context, tenant string) ([]string, error) {
	if err := s.check(); err != nil {
		return nil, err
	}
	var out []string
	err := s.stream(ctx, "list agents", `SELECT DISTINCT agent_id FROM `+s.cfg.Database+`.roster WHERE tenant_id = ?`,
		[]any{tenant}, func(rows driver.Rows) error {
			var a string
			if err := rows.Scan(&a); err != nil {
				return fmt.Errorf("scan agent: %w", err)
			}
			out = append(out, a)
			return nil
		})
	slices.Sort(out)
	return out, err
}

// EraseAgent renames the tenant's agent to pseudonym in every table keyed
// by agent (see agentTables) and deletes the rows of plans under the
// agent's id (the caller has stored their erased states under the
// pseudonym before: package server/retention).
func (s *Store) EraseAgent(ctx context.Context, tenant, agent, pseudonym string) (store.AgentErased, error) {
	var out store.AgentErased
	if err := s.check(); err != nil {
		return out, err
	}
	for _, t := range agentTables {
		table := s.cfg.Database + "." + t
		n, err := s.count(ctx, `SELECT count() FROM `+table+` WHERE tenant_id = ? AND agent_id = ?`, tenant, agent)
		if err != nil {
			return out, err
		}
		if n == 0 {
			continue
		}
		cols, err := s.columnsInOrder(ctx, t)
		if err != nil {
			return out, err
		}
		sel := make([]string, len(cols))
		for i, c := range cols {
			sel[i] = c
			if c == "agent_id" {
				sel[i] = "?"
			}
		}
		insert := `INSERT INTO ` + table + ` (` + strings.Join(cols, ", ") + `) SELECT ` + strings.Join(sel, ", ") +
			` FROM ` + table + ` WHERE tenant_id = ? AND agent_id = ?`
		ictx := ctx
		if s.settings != nil {
			ictx = ch.Context(ctx, ch.WithSettings(s.settings))
		}
		if err := s.retry.do(ictx, "copy "+t+" under the pseudonym", func(ctx context.Context) error {
			return s.conn.Exec(ctx, insert, pseudonym, tenant, agent)
		}); err != nil {
			return out, err
		}
		if err := s.mutate(ctx, t, `DELETE WHERE tenant_id = ? AND agent_id = ?`, tenant, agent); err != nil {
			return out, err
		}
		switch t {
		case "interactions":
			out.Revisions = n
		case "bucket_hours":
			out.Buckets = n
		case "roster":
			out.Roster = n
		}
	}
	// model_latest names the agent of each part's interaction; agent_id is
	// not in its sorting key, so it is updated in place.
	latest := s.cfg.Database + ".model_latest"
	n, err := s.count(ctx, `SELECT count() FROM `+latest+` WHERE tenant_id = ? AND agent_id = ?`, tenant, agent)
	if err != nil {
		return out, err
	}
	if n > 0 {
		if err := s.mutate(ctx, "model_latest", `UPDATE agent_id = ? WHERE tenant_id = ? AND agent_id = ?`, pseudonym, tenant, agent); err != nil {
			return out, err
		}
	}
	// Coaching plans: the caller wrote each plan's erased state under the
	// pseudonym first (a newer version); the older versions under the
	// agent's id would still answer a query by agent until a merge.
	table := s.cfg.Database + ".plans"
	n, err = s.count(ctx, `SELECT count() FROM `+table+` WHERE tenant_id = ? AND agent_id = ?`, tenant, agent)
	if err != nil || n == 0 {
		return out, err
	}
	return out, s.mutate(ctx, "plans", `DELETE WHERE tenant_id = ? AND agent_id = ?`, tenant, agent)
}

// columnsInOrder returns the columns of table in their order.
func (s *Store) columnsInOrder(ctx context.Context, table string) ([]string, error) {
	var cols []string
	err := s.stream(ctx, "columns of "+table, `SELECT name FROM system.columns WHERE database = ? AND table = ?`,
		[]any{s.cfg.Database, table}, func(rows driver.Rows) error {
			var c string
			if err := rows.Scan(&c); err != nil {
				return fmt.Errorf("scan column: %w", err)
			}
			cols = append(cols, c)
			return nil
		})
	return cols, err
}
