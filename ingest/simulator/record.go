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
	// The ground truth (truth.go).
	copy        bool   // a duplicate or correction emitted by faults
	satT, resT  uint16 // latent probabilities in thousandths
	hold        int32  // hold_s, -1 for none (chat, email)
	queue       int32  // queue_wait_s
	retDelay    int32  // seconds after end the customer comes back, 0 for never
	surveyDelay int32  // seconds after end the survey is answered, 0 for no answer
	cust        int64  // customer number within the tenant, from 1
	transfers   int8
	score       int8 // survey answer when surveyDelay > 0
	retInquiry  int8 // inquiry of the return
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
// four values (predictions, hold, queue wait) and the record points into
// it and into transfers.
func (g *Generator) materialize(r *rec, it *schemas.Interaction, preds []float64, transfers *int64, buf []byte) []byte {
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
		SourceRefs:    simRefs(buf),
	}
	if r.hold >= 0 {
		preds[2] = float64(r.hold)
		it.HoldS = &preds[2]
	}
	preds[3] = float64(r.queue)
	it.QueueWaitS = &preds[3]
	*transfers = int64(r.transfers)
	it.Transfers = transfers
	it.CustomerKey = g.customerKey(r.tenant, r.cust)
	it.ChainID = id
	it.Initiation = schemas.InitiationInbound
	if m.predicts && !g.cfg.NoPredictions {
		preds[0] = float64(r.psat) / 1000
		preds[1] = float64(r.pres) / 1000
		it.PredictedSatisfaction = &preds[0]
		it.PredictedResolution = &preds[1]
	}
	return buf
}

// customerKey is the pseudonymous key of customer n of tenant t: 16 hex
// digits of a hash of (seed, tenant, n), as a connector's HMAC would give.
func (g *Generator) customerKey(t int32, n int64) string {
	return customerKey(derive(uint64(g.cfg.Seed), saltCustomer, uint64(t), uint64(n)))
}

// customerKey writes the hash h as a customer key, "cus-" and 16 hex digits.
func customerKey(h uint64) string {
	const hexDigits = "0123456789abcdef"
	var b [20]byte
	copy(b[:], "cus-")
	for i := 19; i >= 4; i-- {
		b[i] = hexDigits[h&15]
		h >>= 4
	}
	return string(b[:])
}

// surveyOf returns the survey outcome of r (materialized as it), when the
// customer answered one and r is an original record (not a duplicate or a
// correction, which would repeat it).
func surveyOf(r *rec, it *schemas.Interaction) (schemas.Outcome, bool) {
	if r.surveyDelay <= 0 || r.copy || r.revision != 1 {
		return schemas.Outcome{}, false
	}
	return schemas.Outcome{
		TenantID: it.TenantID, OutcomeID: "survey-" + it.InteractionID, Revision: 1,
		InteractionID: it.InteractionID, Kind: schemas.OutcomeSurvey,
		ObservedAt: it.EndedAt.Add(time.Duration(r.surveyDelay) * time.Second),
		Source:     Source,
		Survey:     &schemas.Survey{Score: float64(r.score), ScaleMin: surveyScaleMin, ScaleMax: surveyScaleMax},
	}, true
}

// simRefs returns the source_refs of a simulated interaction: its sim_id.
func simRefs(id []byte) schemas.SourceRefs {
	r, err := schemas.SourceRef("sim_id", string(id))
	if err != nil {
		panic("simulator: " + err.Error()) // unreachable: the id is short printable ASCII
	}
	return r
}
