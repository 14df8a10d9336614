package simulator

import (
	"container/heap"
	"math"
)

// Salts of the ground-truth streams (after those of roster.go).
const (
	saltTruth uint64 = iota + 0x7472757468 // per contact: outcomes, survey, return
	saltCustomer
)

// The ground truth of a contact. Every contact has latent probabilities of
// the customer being satisfied and of the issue being resolved; they rise
// with the agent's skill on the inquiry (Agent.Skill plus the per-inquiry
// offset: the latent per-agent × inquiry propensity) and fall with case-mix
// burdens an honest model may use (queue wait, transfers, very long or
// rushed contacts). The realized outcomes are drawn from them:
//   - an unresolved customer comes back (returnShare) after a log-normal
//     delay around returnMedian, on the same inquiry, and is handled by
//     whichever agent takes that inquiry next: a repeat contact;
//   - a resolved one sometimes comes back anyway for another issue
//     (background recontacts, label noise a learner must live with);
//   - about one customer in ten answers a survey, the satisfied ones more
//     often (answerSatisfied vs answerUnsatisfied): non-response bias.
//
// Feed predictions (voice and chat) stay what outcome draws; the truth uses
// its own random stream per contact, so adding it changed no earlier field.
const (
	returnShare       = 0.85        // of unresolved customers, the share that come back
	returnMedian      = 20 * 3600.0 // seconds after the contact ended
	returnSigma       = 1.0         // log-normal spread of the return delay
	minReturn         = 20 * 60     // a return is never a transfer (15 minutes)
	backgroundReturn  = 0.03        // resolved customers who come back for another issue
	answerSatisfied   = 0.12        // survey response rate of satisfied customers
	answerUnsatisfied = 0.055       // and of dissatisfied ones
	surveyScaleMin    = 1
	surveyScaleMax    = 5
)

// truthOf draws the ground truth of contact x (whose model, inquiry,
// handle and wall time are set) handled with skill, into x. r is reseeded
// from (seed, tenant, agent, localDay, seq), so the draws do not depend on
// the shift stream.
func (g *Generator) truthOf(r *rng, x *rec, skill float64) {
	r.reset(derive(uint64(g.cfg.Seed), saltTruth, uint64(x.tenant), uint64(x.agent), uint64(x.localDay), uint64(x.seq)))
	drawTruth(r, x, skill)
}

// drawTruth draws the ground truth of x from r (see truthOf).
func drawTruth(r *rng, x *rec, skill float64) {
	m := &catalogue[x.model]
	q := &m.inquiries[x.inquiry]
	satBase, resBase := q.psat, q.pres
	if !m.predicts {
		satBase, resBase = 1.6-1.4*q.difficulty, 1.9-1.6*q.difficulty
	}
	x.hold, x.transfers = -1, 0
	var queueMean float64
	switch m.name {
	case "voice":
		queueMean = 45
		x.hold = 0
		if r.float64() < 0.35 {
			x.hold = int32(math.Round(float64(x.end-x.start) * r.uniform(0.05, 0.3)))
		}
	case "chat":
		queueMean = 90
	default:
		queueMean = 4 * 3600
	}
	x.queue = int32(math.Min(maxQueue, math.Round(r.exp(queueMean))))
	if m.name != "email" && r.float64() < 0.07 {
		x.transfers = 1
		if r.float64() < 0.2 {
			x.transfers = 2
		}
	}
	ratio := float64(x.handle) / q.handle
	rushed := 0.0
	if ratio < 0.5 {
		rushed = 4 * q.difficulty * (1 - ratio/0.5)
	}
	waitBurden := math.Log1p(float64(x.queue) / queueMean)
	sat := satBase + skillSat*skill - 0.6*math.Max(0, math.Log(ratio)-0.4) - 0.35*waitBurden -
		0.4*float64(x.transfers) + 0.5*r.norm()
	res := resBase + skillRes*skill - rushed - 0.3*float64(x.transfers) + 0.5*r.norm()
	pSat, pRes := 1/(1+math.Exp(-sat)), 1/(1+math.Exp(-res))
	x.satT, x.resT = uint16(math.Round(pSat*1000)), uint16(math.Round(pRes*1000))
	satisfied, resolved := r.float64() < pSat, r.float64() < pRes
	x.surveyDelay, x.score = 0, 0
	answer := answerUnsatisfied
	if satisfied {
		answer = answerSatisfied
	}
	if r.float64() < answer {
		x.surveyDelay = int32(300 + math.Round(r.exp(3600)))
		if satisfied {
			x.score = surveyScaleMax - 1 + int8(r.intn(2))
		} else {
			x.score = surveyScaleMin + int8(r.intn(surveyScaleMax-2))
		}
	}
	x.retDelay, x.retInquiry = 0, x.inquiry
	switch {
	case !resolved && r.float64() < returnShare:
		d := math.Exp(math.Log(returnMedian) + returnSigma*r.norm())
		x.retDelay = int32(math.Max(minReturn, math.Min(maxReturn, math.Round(d))))
	case resolved && r.float64() < backgroundReturn:
		x.retDelay = int32(math.Round(r.uniform(3600, maxReturn)))
		x.retInquiry = int8(r.pick(inquiryWeights[x.model]))
	}
}

// Bounds of the drawn durations, seconds.
const (
	maxQueue  = 7 * 86400  // within queue_wait_s's 30 days
	maxReturn = 30 * 86400 // a customer returns within 30 days or not at all
)

// customers gives contacts their customers in stream order: a contact
// takes the earliest pending return due by its start on its tenant, model
// and inquiry (a repeat contact), otherwise a new customer. Deterministic:
// it sees the records in their total order. Not safe for concurrent use.
type customers struct {
	next    []int64                  // last customer number per tenant
	pending map[[3]int32]*returnHeap // by tenant, model, inquiry
	order   int64
}

func newCustomers(tenants int) *customers {
	return &customers{next: make([]int64, tenants), pending: map[[3]int32]*returnHeap{}}
}

// assign sets the customer of every record of ready (sorted) and queues
// their returns.
func (c *customers) assign(ready []rec) {
	for i := range ready {
		x := &ready[i]
		h := c.pending[[3]int32{x.tenant, int32(x.model), int32(x.inquiry)}]
		if h != nil && len(*h) > 0 && (*h)[0].due <= x.start {
			x.cust = heap.Pop(h).(customerReturn).cust
		} else {
			c.next[x.tenant]++
			x.cust = c.next[x.tenant]
		}
		if x.retDelay > 0 {
			k := [3]int32{x.tenant, int32(x.model), int32(x.retInquiry)}
			rh := c.pending[k]
			if rh == nil {
				rh = &returnHeap{}
				c.pending[k] = rh
			}
			c.order++
			heap.Push(rh, customerReturn{due: x.end + int64(x.retDelay), order: c.order, cust: x.cust})
		}
	}
}

// customerReturn is a customer due to come back.
type customerReturn struct {
	due, order, cust int64
}

type returnHeap []customerReturn

func (h returnHeap) Len() int { return len(h) }
func (h returnHeap) Less(i, j int) bool {
	if h[i].due != h[j].due {
		return h[i].due < h[j].due
	}
	return h[i].order < h[j].order
}
func (h returnHeap) Swap(i, j int) { h[i], h[j] = h[j], h[i] }
func (h *returnHeap) Push(x any)   { *h = append(*h, x.(customerReturn)) }
func (h *returnHeap) Pop() any {
	old := *h
	p := old[len(old)-1]
	*h = old[:len(old)-1]
	return p
}
