package simulator

import (
	"strconv"
	"time"

	"github.com/agentpulse/agentpulse/schemas"
)

// Source is the source of every simulated record.
const Source = "simulator"

// rec is the compact form of a simulated record: small enough to sort
// millions of them quickly, turned into a schemas.Interaction only when it
// is emitted.
type rec struct {
	end, start int64 // ended_at and started_at, Unix seconds
	num        int64 // interaction number within (tenant, model), from 1
	localDay   int64 // the shift's local date, days since the epoch
	handle     int32 // handle_time_s, whole seconds
	tenant     int32
	agent      int32
	seq        int32  // position in the agent's shift
	psat, pres uint16 // predictions in thousandths
	model      int8
	inquiry    int8
	revision   int8
}

// less orders records by ended_at, then by where they came from: a total
// order, so sorting is deterministic whatever produced the slice.
func (r *rec) less(o *rec) bool {
	switch {
	case r.end != o.end:
		return r.end < o.end
	case r.tenant != o.tenant:
		return r.tenant < o.tenant
	case r.agent != o.agent:
		return r.agent < o.agent
	case r.localDay != o.localDay:
		return r.localDay < o.localDay
	default:
		return r.seq < o.seq
	}
}

func cmpRec(a, b rec) int {
	switch {
	case a.less(&b):
		return -1
	case b.less(&a):
		return 1
	}
	return 0
}

// materialize turns r into the canonical record. preds must have room for
// two values; the record points into it.
func (g *Generator) materialize(r *rec, it *schemas.Interaction, preds []float64, buf []byte) []byte {
	t := &g.tenants[r.tenant]
	a := &t.Agents[r.agent]
	m := &catalogue[r.model]
	buf = append(buf[:0], "sim-"...)
	buf = append(buf, m.name...)
	buf = append(buf, '-')
	buf = strconv.AppendInt(buf, r.num, 10)
	id := string(buf)
	buf = strconv.AppendInt(buf[:0], g.cfg.Seed, 10)
	buf = append(buf, '/')
	buf = append(buf, a.AgentID...)
	buf = append(buf, '/')
	buf = time.Unix(r.localDay*86400, 0).UTC().AppendFormat(buf, "20060102")
	buf = append(buf, '/')
	buf = strconv.AppendInt(buf, int64(r.seq), 10)
	*it = schemas.Interaction{
		TenantID:      t.ID,
		InteractionID: id,
		Revision:      int64(r.revision),
		Model:         m.name,
		AgentID:       a.AgentID,
		TeamID:        a.TeamID,
		Inquiry:       m.inquiries[r.inquiry].name,
		StartedAt:     time.Unix(r.start, 0).UTC(),
		EndedAt:       time.Unix(r.end, 0).UTC(),
		HandleTimeS:   float64(r.handle),
		Source:        Source,
		SourceRefs:    map[string]string{"sim_id": string(buf)},
	}
	if m.predicts {
		preds[0] = float64(r.psat) / 1000
		preds[1] = float64(r.pres) / 1000
		it.PredictedSatisfaction = &preds[0]
		it.PredictedResolution = &preds[1]
	}
	return buf
}
