package clickhouse

import (
	"context"
	"fmt"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"

	"github.com/agentpulse/agentpulse/processor/store"
)

// latestInsertColumns is the column list of the model_latest insert.
const latestInsertColumns = "tenant_id, model, log_partition, agent_id, interaction_id, ended_at_ns, version"

// latestColumns is a batch's LatestParts column by column.
type latestColumns struct {
	tenant, model []string
	partition     []int32
	agent, id     []string
	endedNS       []int64
	version       []uint64
}

func newLatestColumns(parts []store.LatestPart) (*latestColumns, error) {
	n := len(parts)
	c := &latestColumns{
		tenant: make([]string, n), model: make([]string, n), partition: make([]int32, n),
		agent: make([]string, n), id: make([]string, n), endedNS: make([]int64, n), version: make([]uint64, n),
	}
	for i := range parts {
		p := &parts[i]
		if p.Version < 0 {
			return nil, fmt.Errorf("latest part %s/%s/%d: negative version %d: %w", p.Tenant, p.Model, p.Partition, p.Version, ErrInvalidBatch)
		}
		if p.InteractionID != "" {
			ns, _, err := encodeTime("ended_at", p.EndedAt)
			if err != nil {
				return nil, fmt.Errorf("latest part %s/%s/%d: %w", p.Tenant, p.Model, p.Partition, err)
			}
			c.endedNS[i] = ns
		}
		c.tenant[i], c.model[i], c.partition[i] = p.Tenant, p.Model, p.Partition
		c.agent[i], c.id[i], c.version[i] = p.Agent, p.InteractionID, uint64(p.Version)
	}
	return c, nil
}

func (c *latestColumns) values() []any {
	return []any{c.tenant, c.model, c.partition, c.agent, c.id, c.endedNS, c.version}
}

// backfillModelLatest fills model_latest from the roster once, when a
// database written before it existed is migrated: while model_latest is
// empty and roster is not. Each partition's newest roster part of a model
// is that partition's newest current interaction in the model. A processor
// writing meanwhile writes higher versions, which win.
func backfillModelLatest(ctx context.Context, conn driver.Conn, cfg Config, r retrier) error {
	db := cfg.Database
	old, err := backfillRows(ctx, conn, db, r, "model_latest", "roster")
	if err != nil || old == 0 {
		return err
	}
	q := "INSERT INTO " + db + ".model_latest (" + latestInsertColumns + `)
SELECT tenant_id, model, log_partition, agent_id, v_id, v_ended, v_version FROM (
	SELECT tenant_id, model, log_partition, agent_id, argMax(interaction_id, version) AS v_id,
		argMax(ended_at_ns, version) AS v_ended, max(version) AS v_version
	FROM ` + db + `.roster
	GROUP BY tenant_id, agent_id, model, log_partition)
WHERE v_id != ''
ORDER BY v_ended DESC, v_id DESC
LIMIT 1 BY tenant_id, model, log_partition`
	if err := r.do(ctx, "backfill model_latest", func(ctx context.Context) error { return conn.Exec(ctx, q) }); err != nil {
		return err
	}
	cfg.Logger.Info("model_latest filled from roster", "database", db, "roster_rows", old)
	return nil
}
