package clickhouse

import (
	"context"
	"strings"

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
// limit and the sort pushed into the query, reading the range's key range
// of interactions only.
func (s *Store) Worst(ctx context.Context, q store.WorstQuery) ([]schemas.Interaction, error) {
	if err := s.check(); err != nil {
		return nil, err
	}
	wo, ok := worstOrder[q.Metric]
	if q.Limit <= 0 || !ok {
		return nil, nil
	}
	query := strings.NewReplacer("{{filter}}", wo[0], "{{order}}", wo[1]).Replace(s.q.worst)
	from, to := q.From.UnixNano(), q.To.UnixNano()
	args := []any{q.Tenant, q.Agent, q.Model, q.Inquiry, from, to,
		q.Tenant,
		q.Tenant, q.Agent, q.Model, q.Inquiry, from, to}
	if q.Metric == views.MetricAES {
		args = append(args, q.Floor, q.Floor)
	}
	args = append(args, q.Limit)
	var out []schemas.Interaction
	err := s.retry.do(ctx, "query worst interactions", func(ctx context.Context) error {
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
