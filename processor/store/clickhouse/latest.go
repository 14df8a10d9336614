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

// latestWindows are how far back from the wall clock LatestData looks, in
// turn, for the model's newest rows; the last window is unbounded. Every
// window also reaches forward without bound, so data stamped in the future
// is found first.
var latestWindows = []time.Duration{time.Hour, 24 * time.Hour, 7 * 24 * time.Hour, 35 * 24 * time.Hour, 400 * 24 * time.Hour}

// latestCandidate is one interaction_timeline row of a model.
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
// It walks the model's rows of interaction_timeline from the newest
// ended_at down, a page at a time, and returns the first row that is its
// interaction's newest revision anywhere (interaction_revisions): a
// revision that moved ended_at back, or moved the interaction to another
// model, leaves a stale row that is skipped. The walk reads key ranges:
// first the rows ended within the last hour by the wall clock (or later),
// then within the last day, week, 35 days, 400 days, then all, so the cost
// follows how recent the data is, not how much the tenant has.
func (s *Store) LatestData(ctx context.Context, tenant, model string) (time.Time, error) {
	if err := s.check(); err != nil {
		return time.Time{}, err
	}
	now := time.Now().UnixNano()
	upper := int64(math.MaxInt64)
	for w := 0; ; w++ {
		lower := int64(math.MinInt64)
		if w < len(latestWindows) {
			lower = now - int64(latestWindows[w])
		}
		if lower > upper {
			continue // the window lies above what was already checked
		}
		for k := latestFirstPage; ; k *= 4 {
			cands, err := s.latestCandidates(ctx, tenant, model, lower, upper, k)
			if err != nil {
				return time.Time{}, err
			}
			if len(cands) > 0 {
				current, err := s.currentRevisions(ctx, tenant, cands)
				if err != nil {
					return time.Time{}, err
				}
				for _, c := range cands {
					if current[c.id] == c.revision {
						return decodeTime(c.endedNS, c.endedOff), nil
					}
				}
			}
			if len(cands) < k {
				break // the window holds nothing current
			}
			// Every candidate was stale. Rows tied with the last one may
			// have been cut by LIMIT, so the next, larger page starts at
			// its ended_at again (inclusive).
			upper = cands[len(cands)-1].endedNS
		}
		if lower == math.MinInt64 {
			return time.Time{}, store.ErrNoData
		}
		upper = lower - 1
	}
}

func (s *Store) latestCandidates(ctx context.Context, tenant, model string, lower, upper int64, k int) ([]latestCandidate, error) {
	var out []latestCandidate
	err := s.retry.do(ctx, "query latest data", func(ctx context.Context) error {
		out = out[:0]
		rows, err := s.conn.Query(ctx, s.q.latestCands, tenant, model, lower, upper, k)
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
