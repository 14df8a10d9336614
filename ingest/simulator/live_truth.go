package simulator

import (
	"container/heap"
	"time"

	"github.com/agentpulse/agentpulse/schemas"
)

// liveTruth gives live interactions the historical model's inputs and
// outcomes (truth.go): customers with repeat contacts, queue wait, hold,
// transfers and survey answers, released when they are answered. Live
// customers are a key space of their own (the run id is part of the
// hash), so they never collide with a history's customers. Not safe for
// concurrent use.
type liveTruth struct {
	seed, run uint64
	r         rng
	next      []int64                  // last customer number per tenant
	pending   map[[3]int32]*returnHeap // due returns by tenant, model, inquiry
	order     int64
	surveys   surveyHeap
}

func newLiveTruth(l *Live) *liveTruth {
	return &liveTruth{seed: uint64(l.cfg.World.Seed), run: hashString(l.cfg.RunID),
		next: make([]int64, len(l.tenants)), pending: map[[3]int32]*returnHeap{}}
}

// apply draws the truth of live interaction number n (it, of model mi and
// inquiry qi, handled by agent a of tenant t with skill) and sets its
// inputs; a survey answer is held until it is due.
func (lt *liveTruth) apply(it *schemas.Interaction, n int64, t, agent, mi, qi int, skill float64) {
	x := rec{end: it.EndedAt.Unix(), start: it.StartedAt.Unix(), handle: int32(it.HandleTimeS),
		tenant: int32(t), agent: int32(agent), model: int8(mi), inquiry: int8(qi)}
	lt.r.reset(derive(lt.seed, saltTruth, lt.run, uint64(n)))
	drawTruth(&lt.r, &x, skill)
	k := [3]int32{x.tenant, int32(x.model), int32(x.inquiry)}
	if h := lt.pending[k]; h != nil && len(*h) > 0 && (*h)[0].due <= x.start {
		x.cust = heap.Pop(h).(customerReturn).cust
	} else {
		lt.next[t]++
		x.cust = lt.next[t]
	}
	if x.retDelay > 0 {
		rk := [3]int32{x.tenant, int32(x.model), int32(x.retInquiry)}
		h := lt.pending[rk]
		if h == nil {
			h = &returnHeap{}
			lt.pending[rk] = h
		}
		lt.order++
		heap.Push(h, customerReturn{due: x.end + int64(x.retDelay), order: lt.order, cust: x.cust})
	}
	nums := &[2]float64{float64(x.hold), float64(x.queue)}
	if x.hold >= 0 {
		it.HoldS = &nums[0]
	}
	it.QueueWaitS = &nums[1]
	transfers := int64(x.transfers)
	it.Transfers = &transfers
	it.CustomerKey = customerKey(derive(lt.seed, saltCustomer, lt.run, uint64(t), uint64(x.cust)))
	it.ChainID = it.InteractionID
	it.Initiation = schemas.InitiationInbound
	if x.surveyDelay > 0 {
		o := schemas.Outcome{TenantID: it.TenantID, OutcomeID: "survey-" + it.InteractionID, Revision: 1,
			InteractionID: it.InteractionID, Kind: schemas.OutcomeSurvey,
			ObservedAt: it.EndedAt.Add(time.Duration(x.surveyDelay) * time.Second), Source: Source,
			Survey: &schemas.Survey{Score: float64(x.score), ScaleMin: surveyScaleMin, ScaleMax: surveyScaleMax}}
		lt.order++
		heap.Push(&lt.surveys, dueSurvey{due: o.ObservedAt.UnixNano(), order: lt.order, o: o})
	}
}

// due pops the survey answers due at or before t (Unix ns), in order.
func (lt *liveTruth) due(t int64) []schemas.Outcome {
	var out []schemas.Outcome
	for len(lt.surveys) > 0 && lt.surveys[0].due <= t {
		out = append(out, heap.Pop(&lt.surveys).(dueSurvey).o)
	}
	return out
}

// dueSurvey is a survey answer held until it is answered.
type dueSurvey struct {
	due, order int64
	o          schemas.Outcome
}

type surveyHeap []dueSurvey

func (h surveyHeap) Len() int { return len(h) }
func (h surveyHeap) Less(i, j int) bool {
	if h[i].due != h[j].due {
		return h[i].due < h[j].due
	}
	return h[i].order < h[j].order
}
func (h surveyHeap) Swap(i, j int) { h[i], h[j] = h[j], h[i] }
func (h *surveyHeap) Push(x any)   { *h = append(*h, x.(dueSurvey)) }
func (h *surveyHeap) Pop() any {
	old := *h
	p := old[len(old)-1]
	*h = old[:len(old)-1]
	return p
}
