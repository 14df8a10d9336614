package clickhouse

import (
	"context"
	"fmt"

	"github.com/agentpulse/agentpulse/processor/store"
)

// NewestOf returns up to limit of agent's newest current interactions in
// model among those partition applied below below. It reads the agent's
// revision rows newest first (a key range of interactions, sorted by
// tenant, agent, model, ended_at), n at a time, and keeps those whose
// newest revision below below (Current) still counts for the agent. Every
// current interaction whose current revision ended at or after the n-th
// row's ended_at has that revision among the n rows, so the kept ones at
// or above that row are exact; when fewer than limit are, n grows.
func (s *Store) NewestOf(ctx context.Context, partition int32, below int64, tenant, model, agent string, limit int) ([]store.Record, error) {
	if err := s.check(); err != nil {
		return nil, err
	}
	if below <= 0 || limit <= 0 {
		return nil, nil
	}
	query := "SELECT interaction_id, ended_at_ns FROM " + s.cfg.Database + `.interactions
WHERE tenant_id = ? AND agent_id = ? AND model = ? AND log_partition = ? AND log_offset < ?
ORDER BY ended_at_ns DESC, interaction_id DESC
LIMIT ?`
	for n := 4*limit + 16; ; n *= 4 {
		var ids []store.InteractionKey
		var lastID string
		var lastEnded int64
		err := s.retry.do(ctx, "query an agent's newest revisions", func(ctx context.Context) error {
			ids = ids[:0]
			rows, err := s.conn.Query(ctx, query, tenant, agent, model, partition, below, uint64(n))
			if err != nil {
				return err
			}
			defer rows.Close()
			for rows.Next() {
				if err := rows.Scan(&lastID, &lastEnded); err != nil {
					return fmt.Errorf("scan newest revision: %w", err)
				}
				ids = append(ids, store.InteractionKey{Tenant: tenant, ID: lastID})
			}
			return rows.Err()
		})
		if err != nil {
			return nil, err
		}
		var out []store.Record
		err = s.Current(ctx, partition, below, ids, func(r store.Record) error {
			if r.AgentID != agent || r.Model != model {
				return nil
			}
			if len(ids) == n { // more rows may follow: keep only what is exact
				ns := r.EndedAt.UnixNano()
				if ns < lastEnded || (ns == lastEnded && r.InteractionID < lastID) {
					return nil
				}
			}
			out = append(out, r)
			return nil
		})
		if err != nil {
			return nil, err
		}
		if len(out) >= limit || len(ids) < n {
			store.SortNewestFirst(out)
			return out[:min(len(out), limit)], nil
		}
	}
}
