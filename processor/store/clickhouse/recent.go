package clickhouse

import (
	"context"
	"math"
	"time"

	"github.com/agentpulse/agentpulse/schemas"
)

// Recent returns up to limit current interactions of an agent on a model
// and inquiry, newest first (ended_at, then interaction_id descending); none
// for limit <= 0. An interaction whose newest revision moved to another
// agent, model or inquiry is not the agent's any more and is left out.
//
// It checks the agent's 4·limit+16 newest candidates first (an index lookup
// each); only when fewer than limit of them are current — the agent has few
// interactions, or many moved away — does it check all of them.
func (s *Store) Recent(ctx context.Context, tenant, model, agent, inquiry string, limit int) ([]schemas.Interaction, error) {
	if err := s.check(); err != nil {
		return nil, err
	}
	return s.recentBefore(ctx, tenant, model, agent, inquiry, math.MaxInt64, limit)
}

// RecentBefore is Recent over the interactions that ended strictly before
// before.
func (s *Store) RecentBefore(ctx context.Context, tenant, model, agent, inquiry string, before time.Time, limit int) ([]schemas.Interaction, error) {
	if err := s.check(); err != nil {
		return nil, err
	}
	return s.recentBefore(ctx, tenant, model, agent, inquiry, before.UnixNano(), limit)
}

func (s *Store) recentBefore(ctx context.Context, tenant, model, agent, inquiry string, beforeNS int64, limit int) ([]schemas.Interaction, error) {
	if limit <= 0 {
		return nil, nil
	}
	if s.cfg.Cluster == "" {
		// Not in cluster mode: there the candidate LIMIT runs per shard,
		// and a shard whose candidates mostly moved away could hide a
		// current interaction behind other shards' full answers; every
		// candidate is checked instead (see package ddl).
		out, err := s.recent(ctx, tenant, model, agent, inquiry, beforeNS, limit, 4*limit+16)
		if err != nil || len(out) >= limit {
			return out, err
		}
	}
	return s.recent(ctx, tenant, model, agent, inquiry, beforeNS, limit, math.MaxInt64)
}

func (s *Store) recent(ctx context.Context, tenant, model, agent, inquiry string, beforeNS int64, limit, candidates int) ([]schemas.Interaction, error) {
	var out []schemas.Interaction
	err := s.retry.do(ctx, "query recent interactions", func(ctx context.Context) error {
		out = out[:0]
		rows, err := s.conn.Query(ctx, s.q.recent,
			tenant, agent, model, inquiry, beforeNS,
			tenant,
			tenant, agent, model, inquiry, beforeNS, candidates,
			limit)
		if err != nil {
			return err
		}
		defer rows.Close()
		var sc rowScanner
		for rows.Next() {
			r, err := sc.scan(rows)
			if err != nil {
				return err
			}
			out = append(out, r.Interaction)
		}
		return rows.Err()
	})
	return out, err
}
