package clickhouse

import (
	"context"
	"fmt"
	"slices"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"

	"github.com/agentpulse/agentpulse/processor/store"
)

var _ store.RosterReader = (*Store)(nil)

// rosterInsertColumns is the column list of the roster insert.
const rosterInsertColumns = "tenant_id, agent_id, model, log_partition, team_id, interaction_id, ended_at_ns, version"

// rosterColumns is a batch's roster parts column by column, and the
// batch's distinct (tenant, model) pairs for tenant_models.
type rosterColumns struct {
	tenant, agent, model  []string
	partition             []int32
	team, id              []string
	endedNS               []int64
	version               []uint64
	pairTenant, pairModel []string
}

func newRosterColumns(parts []store.RosterPart) (*rosterColumns, error) {
	n := len(parts)
	c := &rosterColumns{
		tenant: make([]string, n), agent: make([]string, n), model: make([]string, n),
		partition: make([]int32, n), team: make([]string, n), id: make([]string, n),
		endedNS: make([]int64, n), version: make([]uint64, n),
	}
	seen := map[store.TenantModel]bool{}
	for i := range parts {
		p := &parts[i]
		if p.Version < 0 {
			return nil, fmt.Errorf("roster part %s/%s/%s: negative version %d: %w", p.Tenant, p.Agent, p.Model, p.Version, ErrInvalidBatch)
		}
		if !p.Empty() {
			ns, _, err := encodeTime("ended_at", p.EndedAt)
			if err != nil {
				return nil, fmt.Errorf("roster part %s/%s/%s: %w", p.Tenant, p.Agent, p.Model, err)
			}
			c.endedNS[i] = ns
		}
		c.tenant[i], c.agent[i], c.model[i], c.partition[i] = p.Tenant, p.Agent, p.Model, p.Partition
		c.team[i], c.id[i], c.version[i] = p.Team, p.InteractionID, uint64(p.Version)
		if tm := (store.TenantModel{Tenant: p.Tenant, Model: p.Model}); !seen[tm] {
			seen[tm] = true
			c.pairTenant = append(c.pairTenant, p.Tenant)
			c.pairModel = append(c.pairModel, p.Model)
		}
	}
	return c, nil
}

func (c *rosterColumns) values() []any {
	return []any{c.tenant, c.agent, c.model, c.partition, c.team, c.id, c.endedNS, c.version}
}

func (c *rosterColumns) pairValues() []any { return []any{c.pairTenant, c.pairModel} }

// insertRoster writes the roster parts, then their (tenant, model) pairs.
func (s *Store) insertRoster(ctx context.Context, c *rosterColumns) error {
	if err := s.insert(ctx, "insert roster", s.q.insertRoster, c.values()); err != nil {
		return err
	}
	return s.insert(ctx, "insert tenant models", s.q.insertModels, c.pairValues())
}

// Roster reads the newest value of every roster part of the tenant (only
// agent's when agent is not empty): a key range of roster, argMax per
// part.
func (s *Store) Roster(ctx context.Context, tenant, agent string, fn func(store.RosterPart) error) error {
	if err := s.check(); err != nil {
		return err
	}
	filter := ""
	args := []any{tenant}
	if agent != "" {
		filter = " AND agent_id = ?"
		args = append(args, agent)
	}
	query := s.q.roster + filter + "\nGROUP BY agent_id, model, log_partition"
	return s.stream(ctx, "read roster", query, args, func(rows driver.Rows) error {
		p := store.RosterPart{Tenant: tenant}
		var ended int64
		var version uint64
		if err := rows.Scan(&p.Agent, &p.Model, &p.Partition, &p.Team, &p.InteractionID, &ended, &version); err != nil {
			return fmt.Errorf("scan roster part: %w", err)
		}
		if !p.Empty() {
			p.EndedAt = decodeTime(ended, 0)
		}
		p.Version = int64(version)
		return fn(p)
	})
}

// TenantModels lists the (tenant, model) pairs of tenant_models: a table
// of a few rows per tenant, never a scan of buckets.
func (s *Store) TenantModels(ctx context.Context) ([]store.TenantModel, error) {
	if err := s.check(); err != nil {
		return nil, err
	}
	query := s.q.tenantModels
	var out []store.TenantModel
	err := s.stream(ctx, "list tenant models", query, nil, func(rows driver.Rows) error {
		var tm store.TenantModel
		if err := rows.Scan(&tm.Tenant, &tm.Model); err != nil {
			return fmt.Errorf("scan tenant model: %w", err)
		}
		out = append(out, tm)
		return nil
	})
	slices.SortFunc(out, func(a, b store.TenantModel) int {
		if a.Tenant != b.Tenant {
			return cmpStr(a.Tenant, b.Tenant)
		}
		return cmpStr(a.Model, b.Model)
	})
	return out, err
}

func cmpStr(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}
