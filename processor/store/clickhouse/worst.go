package clickhouse

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strings"
	"time"

	ch "github.com/ClickHouse/clickhouse-go/v2"
	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"

	"github.com/agentpulse/agentpulse/processor/store"
	"github.com/agentpulse/agentpulse/schemas"
	"github.com/agentpulse/agentpulse/views"
)

var _ store.WorstReader = (*Store)(nil)

// worstOrder is, per metric, the filter (interactions with a value) and
// the ORDER BY expression of the poorest first: views.InteractionValue's
// value, computed with the same IEEE operations as views.Means.AES (a
// missing prediction's factor is 1, a present one's max(floor, p)), so the
// order is views.CompareWorstFirst's.
var worstOrder = map[views.Metric][2]string{
	views.MetricAHT: {"", "handle_time_s DESC"},
	views.MetricAES: {"", "handle_time_s / (if(isNull(predicted_satisfaction), 1., greatest(assumeNotNull(predicted_satisfaction), ?)) * " +
		"if(isNull(predicted_resolution), 1., greatest(assumeNotNull(predicted_resolution), ?))) DESC"},
	views.MetricPSAT: {" AND isNotNull(predicted_satisfaction)", "assumeNotNull(predicted_satisfaction) ASC"},
	views.MetricPRES: {" AND isNotNull(predicted_resolution)", "assumeNotNull(predicted_resolution) ASC"},
}

// Worst returns the agent's current interactions of q, poorest first, the
// limit and the sort pushed into the query, reading the agent's key range
// of interactions and buckets only.
//
// Whether a row is its interaction's newest revision is decided inside
// the agent's key range for every settled hour: an hour of the agent
// (model, inquiry) in which the buckets count as many current
// interactions as there are distinct interactions with a row there. The
// bucket counts the interactions whose current revision is in the hour,
// all of which have a row there, so equal counts mean every interaction
// with a row in the hour is current in it: its newest revision is the
// highest among the agent's rows of the settled hours. An hour a
// correction moved an interaction out of (its stale row stays), or one
// whose rows are stored before its buckets, is unsettled: its
// interactions are looked up in the revisions index (sorted by
// interaction id, so one read per interaction and month), as all of them
// were before.
func (s *Store) Worst(ctx context.Context, q store.WorstQuery) ([]schemas.Interaction, error) {
	if err := s.check(); err != nil {
		return nil, err
	}
	wo, ok := worstOrder[q.Metric]
	if q.Limit <= 0 || !ok {
		return nil, nil
	}
	from, to := q.From.UnixNano(), q.To.UnixNano()
	if to <= from {
		return nil, nil
	}
	hlo, hhi := floorHourNS(from), floorHourNS(to-1)
	if hhi <= math.MaxInt64-int64(time.Hour) {
		hhi += int64(time.Hour)
	} else {
		hhi = math.MaxInt64
	}
	unsettled, err := s.unsettledHours(ctx, q, hlo, hhi)
	if err != nil {
		return nil, err
	}
	query := strings.NewReplacer("{{filter}}", wo[0], "{{order}}", wo[1]).Replace(s.q.worst)
	args := []any{q.Tenant, q.Agent, q.Model, q.Inquiry, from, to,
		unsettled,
		q.Tenant, q.Agent, q.Model, q.Inquiry, hlo, hhi, unsettled,
		unsettled,
		q.Tenant,
		q.Tenant, q.Agent, q.Model, q.Inquiry, from, to, unsettled}
	if q.Metric == views.MetricAES {
		args = append(args, q.Floor, q.Floor)
	}
	args = append(args, q.Limit)
	var out []schemas.Interaction
	err = s.retry.do(ctx, "query worst interactions", func(ctx context.Context) error {
		out = out[:0]
		rows, err := s.conn.Query(ctx, query, args...)
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

// unsettledHours returns, as a set to bind to IN, the hours (since 1970,
// UTC) of [hlo, hhi) in which q's agent has interactions that its buckets
// do not all count (see Worst), plus math.MinInt64 so the set is never
// empty.
func (s *Store) unsettledHours(ctx context.Context, q store.WorstQuery, hlo, hhi int64) (ch.GroupSet, error) {
	// The two reads are independent: at once, one round trip's wait.
	vols := map[int64]int64{}
	volErr := make(chan error, 1)
	go func() {
		volErr <- s.stream(ctx, "sum an agent's bucket volumes per hour", s.q.worstVolumes,
			[]any{q.Tenant, q.Model, q.Agent, q.Inquiry, secondsIn(hlo), secondsIn(hhi)}, func(r driver.Rows) error {
				var h, v int64
				if err := r.Scan(&h, &v); err != nil {
					return fmt.Errorf("scan bucket volume per hour: %w", err)
				}
				vols[h] = v
				return nil
			})
	}()
	rows := map[int64]uint64{}
	err := s.stream(ctx, "count an agent's interactions per hour", s.q.worstRows,
		[]any{q.Tenant, q.Agent, q.Model, q.Inquiry, hlo, hhi}, func(r driver.Rows) error {
			var h int64
			var n uint64
			if err := r.Scan(&h, &n); err != nil {
				return fmt.Errorf("scan interactions per hour: %w", err)
			}
			rows[h] = n
			return nil
		})
	if err := errors.Join(err, <-volErr); err != nil {
		return ch.GroupSet{}, err
	}
	set := []any{int64(math.MinInt64)}
	for h, n := range rows {
		if v, ok := vols[h]; !ok || v < 0 || uint64(v) != n {
			set = append(set, h)
		}
	}
	return ch.GroupSet{Value: set}, nil
}

// floorHourNS rounds unix nanoseconds down to a whole UTC hour.
func floorHourNS(ns int64) int64 {
	h := int64(time.Hour)
	if ns < 0 {
		return (ns - h + 1) / h * h
	}
	return ns / h * h
}

// secondsIn is ns in whole seconds clamped to what DateTime holds.
func secondsIn(ns int64) int64 {
	return min(max(ns/int64(time.Second), 0), math.MaxUint32)
}
