package clickhouse

import (
	"context"
	"fmt"
	"strings"
	"time"

	ch "github.com/ClickHouse/clickhouse-go/v2"

	"github.com/agentpulse/agentpulse/processor/store"
)

// lookupChunk bounds the ids or bucket keys of one lookup query.
const lookupChunk = 1000

// Snapshot returns the newest snapshot stored for partition and the
// checkpoint it was stored with; 0 and nil when none.
func (s *Store) Snapshot(ctx context.Context, partition int32) (int64, []byte, error) {
	if err := s.check(); err != nil {
		return 0, nil, err
	}
	var next uint64
	var state string
	found := false
	err := s.retry.do(ctx, "read snapshot", func(ctx context.Context) error {
		rows, err := s.conn.Query(ctx, s.q.snapshot, partition)
		if err != nil {
			return err
		}
		defer rows.Close()
		found = false
		for rows.Next() {
			if err := rows.Scan(&next, &state); err != nil {
				return fmt.Errorf("scan snapshot: %w", err)
			}
			found = true
		}
		return rows.Err()
	})
	if err != nil || !found {
		return 0, nil, err
	}
	return int64(next), []byte(state), nil
}

// Current calls fn with the newest revision below below of each of keys
// that partition applied: per tenant, one query per lookupChunk ids, each
// a key range of interaction_revisions and a read of interactions limited
// to the months the revisions' ended_at fall in.
func (s *Store) Current(ctx context.Context, partition int32, below int64, keys []store.InteractionKey, fn func(store.Record) error) error {
	if err := s.check(); err != nil {
		return err
	}
	if below <= 0 || len(keys) == 0 {
		return nil
	}
	byTenant := map[string][]any{}
	seen := make(map[store.InteractionKey]bool, len(keys))
	for _, k := range keys {
		if !seen[k] {
			seen[k] = true
			byTenant[k.Tenant] = append(byTenant[k.Tenant], k.ID)
		}
	}
	for tenant, ids := range byTenant {
		for len(ids) > 0 {
			n := min(len(ids), lookupChunk)
			if err := s.current(ctx, partition, below, tenant, ids[:n], fn); err != nil {
				return err
			}
			ids = ids[n:]
		}
	}
	return nil
}

func (s *Store) current(ctx context.Context, partition int32, below int64, tenant string, ids []any, fn func(store.Record) error) error {
	set := ch.GroupSet{Value: ids}
	var out []store.Record
	err := s.retry.do(ctx, "query current revisions of a partition", func(ctx context.Context) error {
		out = out[:0]
		rows, err := s.conn.Query(ctx, s.q.current,
			tenant, partition, below, set,
			tenant, set, partition, below,
			tenant, set, partition, below)
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
			out = append(out, r)
		}
		return rows.Err()
	})
	if err != nil {
		return err
	}
	for _, r := range out {
		if err := fn(r); err != nil {
			return err
		}
	}
	return nil
}

// CurrentIn calls fn with the newest revision below below of every
// interaction of partition whose newest revision below below counts in one
// of keys: the ids of every revision applied in those buckets (key ranges
// of interactions), then Current of those ids, keeping the ones still in
// one of the buckets.
func (s *Store) CurrentIn(ctx context.Context, partition int32, below int64, keys []store.BucketKey, fn func(store.Record) error) error {
	if err := s.check(); err != nil {
		return err
	}
	if below <= 0 || len(keys) == 0 {
		return nil
	}
	want := make(map[store.BucketKey]bool, len(keys))
	byTenant := map[string][]store.BucketKey{}
	for _, k := range keys {
		k.Hour = k.Hour.UTC()
		if !want[k] {
			want[k] = true
			byTenant[k.Tenant] = append(byTenant[k.Tenant], k)
		}
	}
	for tenant, ks := range byTenant {
		var ids []store.InteractionKey
		for len(ks) > 0 {
			n := min(len(ks), lookupChunk/4)
			got, err := s.candidates(ctx, partition, below, tenant, ks[:n])
			if err != nil {
				return err
			}
			for _, id := range got {
				ids = append(ids, store.InteractionKey{Tenant: tenant, ID: id})
			}
			ks = ks[n:]
		}
		err := s.Current(ctx, partition, below, ids, func(r store.Record) error {
			k := store.BucketKey{Tenant: r.TenantID, Model: r.Model, Team: r.TeamID, Agent: r.AgentID, Inquiry: r.Inquiry, Hour: r.EndedAt.UTC().Truncate(time.Hour)}
			if !want[k] {
				return nil
			}
			return fn(r)
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// candidates returns the ids of every revision partition applied below
// below in the buckets keys of tenant.
func (s *Store) candidates(ctx context.Context, partition int32, below int64, tenant string, keys []store.BucketKey) ([]string, error) {
	var q strings.Builder
	q.WriteString(s.q.candidates)
	args := []any{tenant, partition, below}
	for i, k := range keys {
		if i > 0 {
			q.WriteString(" OR ")
		}
		q.WriteString("(agent_id = ? AND model = ? AND inquiry = ? AND team_id = ? AND ended_at_ns >= ? AND ended_at_ns < ?)")
		from := k.Hour.UTC().UnixNano()
		args = append(args, k.Agent, k.Model, k.Inquiry, k.Team, from, from+int64(time.Hour))
	}
	q.WriteString(")")
	var out []string
	err := s.retry.do(ctx, "query bucket candidates", func(ctx context.Context) error {
		out = out[:0]
		rows, err := s.conn.Query(ctx, q.String(), args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var id string
			if err := rows.Scan(&id); err != nil {
				return fmt.Errorf("scan candidate: %w", err)
			}
			out = append(out, id)
		}
		return rows.Err()
	})
	return out, err
}
