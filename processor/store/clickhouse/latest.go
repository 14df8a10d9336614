package clickhouse

import (
	"context"
	"fmt"
	"math"
	"time"

	ch "github.com/ClickHouse/clickhouse-go/v2"

	"github.com/agentpulse/agentpulse/processor/store"
)

// latestFirstPage is how many candidate rows LatestData checks first.
const latestFirstPage = 64

// latestCandidate is one interaction_revisions row of a model.
type latestCandidate struct {
	id       string
	revision int64
	endedNS  int64
	endedOff int32
}

// LatestData returns the newest ended_at among the current (newest)
// revisions of the tenant's interactions in model, or store.ErrNoData. The
// time is in the zone offset it was written with.
//
// It walks the model's rows of interaction_revisions from the newest
// ended_at down, a page at a time, and returns the first row that is its
// interaction's newest revision anywhere: a revision that moved ended_at
// back, or moved the interaction to another model, leaves a stale row that
// is skipped. Cost: one scan of the tenant's (model, ended_at) index
// columns per page, normally one page; callers on a hot path should cache
// the answer until the next write.
func (s *Store) LatestData(ctx context.Context, tenant, model string) (time.Time, error) {
	if err := s.check(); err != nil {
		return time.Time{}, err
	}
	upper := int64(math.MaxInt64)
	for k := latestFirstPage; ; k *= 4 {
		cands, err := s.latestCandidates(ctx, tenant, model, upper, k)
		if err != nil {
			return time.Time{}, err
		}
		if len(cands) == 0 {
			return time.Time{}, store.ErrNoData
		}
		current, err := s.currentRevisions(ctx, tenant, cands)
		if err != nil {
			return time.Time{}, err
		}
		for _, c := range cands {
			if current[c.id] == c.revision {
				return decodeTime(c.endedNS, c.endedOff), nil
			}
		}
		if len(cands) < k {
			return time.Time{}, store.ErrNoData
		}
		// Every candidate was stale. Rows tied with the last one may have
		// been cut by LIMIT, so the next, larger page starts at its
		// ended_at again (inclusive).
		upper = cands[len(cands)-1].endedNS
	}
}

func (s *Store) latestCandidates(ctx context.Context, tenant, model string, upper int64, k int) ([]latestCandidate, error) {
	var out []latestCandidate
	err := s.retry.do(ctx, "query latest data", func(ctx context.Context) error {
		out = out[:0]
		rows, err := s.conn.Query(ctx, s.q.latestCands, tenant, model, upper, k)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var c latestCandidate
			if err := rows.Scan(&c.id, &c.revision, &c.endedNS, &c.endedOff); err != nil {
				return fmt.Errorf("scan latest candidate: %w", err)
			}
			out = append(out, c)
		}
		return rows.Err()
	})
	return out, err
}

// currentRevisions returns the newest revision of each candidate's
// interaction, over all of the tenant's rows.
func (s *Store) currentRevisions(ctx context.Context, tenant string, cands []latestCandidate) (map[string]int64, error) {
	seen := make(map[string]bool, len(cands))
	ids := make([]any, 0, len(cands))
	for _, c := range cands {
		if !seen[c.id] {
			seen[c.id] = true
			ids = append(ids, c.id)
		}
	}
	out := make(map[string]int64, len(ids))
	err := s.retry.do(ctx, "query current revisions", func(ctx context.Context) error {
		clear(out)
		rows, err := s.conn.Query(ctx, s.q.currentRevs, tenant, ch.GroupSet{Value: ids})
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var id string
			var rev int64
			if err := rows.Scan(&id, &rev); err != nil {
				return fmt.Errorf("scan current revision: %w", err)
			}
			out[id] = rev
		}
		return rows.Err()
	})
	return out, err
}
