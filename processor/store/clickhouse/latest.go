package clickhouse

import (
	"context"
	"fmt"
	"math"
	"strings"
	"time"

	ch "github.com/ClickHouse/clickhouse-go/v2"

	"github.com/agentpulse/agentpulse/processor/store"
)

// latestFirstPage is how many roster parts latestFromRoster checks first.
const latestFirstPage = 8

// latestWindows are how far back from the wall clock latestFromRoster looks, in
// turn, for the model's newest roster parts; the last window is unbounded.
// Every window also reaches forward without bound, so data stamped in the
// future is found first.
var latestWindows = []time.Duration{time.Hour, 24 * time.Hour, 7 * 24 * time.Hour, 35 * 24 * time.Hour, 400 * 24 * time.Hour}

// latestCandidate is a non-empty model_latest or roster part of a model:
// the interaction it names and its agent.
type latestCandidate struct {
	agent, id string
	endedNS   int64
}

// LatestData returns the newest ended_at among the current (newest)
// revisions of the tenant's interactions in model, or store.ErrNoData. The
// time is in the zone offset it was written with.
//
// It reads the model's parts of model_latest (one per log partition: each
// partition's newest current interaction in the model, kept by the
// processor, store.LatestPart): the newest of them whose row is its
// interaction's newest revision anywhere is the answer, in one query for
// the parts and one that checks them and reads the row's zone offset. A
// part can name an interaction that is not current only when a lower
// revision of it was applied later by another partition (the log keys an
// interaction to one partition, so only after the topic's partitions
// changed); then that partition's newer interactions are not named by any
// part, and LatestData falls back to the roster (latestFromRoster), which
// names each agent's newest per partition.
func (s *Store) LatestData(ctx context.Context, tenant, model string) (time.Time, error) {
	if err := s.check(); err != nil {
		return time.Time{}, err
	}
	parts, err := s.latestParts(ctx, s.q.modelParts, tenant, model)
	if err != nil {
		return time.Time{}, err
	}
	if len(parts) == 0 {
		return time.Time{}, store.ErrNoData
	}
	if t, ok, err := s.firstCurrent(ctx, tenant, model, parts); err != nil || ok {
		return t, err
	}
	return s.latestFromRoster(ctx, tenant, model)
}

// firstCurrent returns the ended_at of the first of cands (newest first)
// whose row is its interaction's newest revision anywhere, in its zone;
// false when none is.
func (s *Store) firstCurrent(ctx context.Context, tenant, model string, cands []latestCandidate) (time.Time, bool, error) {
	for len(cands) > 0 {
		n := min(len(cands), lookupChunk/4)
		current, err := s.latestCurrent(ctx, tenant, model, cands[:n])
		if err != nil {
			return time.Time{}, false, err
		}
		for _, c := range cands[:n] {
			if off, ok := current[c]; ok {
				return decodeTime(c.endedNS, off), true, nil
			}
		}
		cands = cands[n:]
	}
	return time.Time{}, false, nil
}

// latestFromRoster is LatestData over the roster: each roster part names
// an agent's newest current interaction in a model as one partition's fold
// holds it, so the newest non-empty part whose interaction is current is
// the answer. It looks at the parts that ever named an interaction ended
// within the last hour by the wall clock (or later), then the last day,
// week, 35 days, 400 days, then all: a part whose newest value ended at or
// after the window's start is among them, so the newest such part is
// exact. Its cost follows the tenant's agents × partitions (a scan of
// their roster rows per window): it is the rare path.
func (s *Store) latestFromRoster(ctx context.Context, tenant, model string) (time.Time, error) {
	now := time.Now().UnixNano()
	for w := 0; ; w++ {
		lower := int64(math.MinInt64)
		if w < len(latestWindows) {
			lower = now - int64(latestWindows[w])
		}
		checked := 0
		for k := latestFirstPage; ; k *= 8 {
			cands, err := s.latestParts(ctx, s.q.rosterParts, tenant, model, tenant, model, lower, lower, uint64(k))
			if err != nil {
				return time.Time{}, err
			}
			if t, ok, err := s.firstCurrent(ctx, tenant, model, cands[checked:]); err != nil || ok {
				return t, err
			}
			if len(cands) < k || k > math.MaxInt32/8 {
				break
			}
			checked = len(cands)
		}
		if lower == math.MinInt64 {
			return time.Time{}, store.ErrNoData
		}
	}
}

// latestParts runs query (modelParts or rosterParts) with args: non-empty
// parts, newest first (ended_at, then interaction_id, descending).
func (s *Store) latestParts(ctx context.Context, query string, args ...any) ([]latestCandidate, error) {
	var out []latestCandidate
	err := s.retry.do(ctx, "query latest data", func(ctx context.Context) error {
		out = out[:0]
		rows, err := s.conn.Query(ctx, query, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var c latestCandidate
			if err := rows.Scan(&c.agent, &c.id, &c.endedNS); err != nil {
				return fmt.Errorf("scan latest part: %w", err)
			}
			out = append(out, c)
		}
		return rows.Err()
	})
	return out, err
}

// latestCurrent returns, for each of cands whose row is its interaction's
// newest revision anywhere, the row's zone offset: one query, a key range
// of interactions per candidate and of interaction_revisions per id.
func (s *Store) latestCurrent(ctx context.Context, tenant, model string, cands []latestCandidate) (map[latestCandidate]int32, error) {
	var q strings.Builder
	q.WriteString(s.q.latestRows)
	args := []any{tenant}
	ids := make([]any, 0, len(cands))
	for i, c := range cands {
		if i > 0 {
			q.WriteString(" OR ")
		}
		q.WriteString("(agent_id = ? AND model = ? AND ended_at_ns = ? AND interaction_id = ?)")
		args = append(args, c.agent, model, c.endedNS, c.id)
		ids = append(ids, c.id)
	}
	q.WriteString(s.q.latestTail)
	args = append(args, tenant, ch.GroupSet{Value: ids})
	out := make(map[latestCandidate]int32, len(cands))
	err := s.retry.do(ctx, "query latest data's rows", func(ctx context.Context) error {
		clear(out)
		rows, err := s.conn.Query(ctx, q.String(), args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var c latestCandidate
			var off int32
			if err := rows.Scan(&c.agent, &c.id, &c.endedNS, &off); err != nil {
				return fmt.Errorf("scan latest row: %w", err)
			}
			out[c] = off
		}
		return rows.Err()
	})
	return out, err
}
