package simulator

import (
	"container/heap"
	"math"
	"sort"
	"strconv"
	"time"

	"github.com/agentpulse/agentpulse/schemas"
)

// Live fault delays, seconds (log-uniform).
const (
	liveDupLo, liveDupHi   = 1, 5 * 60
	liveRevLo, liveRevHi   = 10, 30 * 60
	liveLateLo, liveLateHi = 30, 3600
)

// liveRun is the state of one Live.Run. Not safe for concurrent use.
type liveRun struct {
	l       *Live
	r       rng
	n       int64 // interactions numbered so far
	pending livePendingHeap
	order   int64

	batch LiveStats // what the batch being built holds (Records and Batches unused)
	truth *liveTruth

	minute  int64     // the Unix minute onShift was computed for
	onShift []int     // indexes into l.agents of the agents working then
	cum     []float64 // cumulative weights of onShift
	buf     []byte
}

// add generates one new interaction ending at end, applies the fault
// rates to it and appends what is due now to out.
func (lr *liveRun) add(end time.Time, out []schemas.Interaction) []schemas.Interaction {
	l := lr.l
	ref := l.agents[lr.pickAgent(end.Unix())]
	t := &l.tenants[ref.tenant]
	a := &t.Agents[ref.agent]
	r := &lr.r
	mi := a.models[0]
	if a.SecondaryShare > 0 && r.float64() < a.SecondaryShare {
		mi = a.models[1]
	}
	m := &catalogue[mi]
	qi := r.pick(inquiryWeights[mi])
	sk := a.SkillAt(1) + a.inquirySkew[mi][qi]
	handle, wall, psat, pres := outcome(r, m, &m.inquiries[qi], sk, a.outcomeSkill(sk, mi, qi))
	lr.n++
	end = end.Truncate(time.Millisecond).UTC()
	lr.buf = strconv.AppendInt(append(lr.buf[:0], "live-"+l.cfg.RunID+"-"...), lr.n, 10)
	id := string(lr.buf)
	lr.buf = strconv.AppendInt(lr.buf[:0], l.cfg.World.Seed, 10)
	lr.buf = append(append(append(lr.buf, '/'), a.AgentID...), "/live-"+l.cfg.RunID+"/"...)
	lr.buf = strconv.AppendInt(lr.buf, lr.n, 10)
	it := schemas.Interaction{
		TenantID:      t.ID,
		InteractionID: id,
		Revision:      1,
		Model:         m.name,
		AgentID:       a.AgentID,
		TeamID:        a.TeamID,
		Inquiry:       m.inquiries[qi].name,
		StartedAt:     end.Add(-time.Duration(wall) * time.Second),
		EndedAt:       end,
		HandleTimeS:   float64(handle),
		Source:        Source,
		SourceRefs:    simRefs(lr.buf),
	}
	if m.predicts && !l.cfg.World.NoPredictions {
		p := &[2]float64{float64(psat) / 1000, float64(pres) / 1000}
		it.PredictedSatisfaction, it.PredictedResolution = &p[0], &p[1]
	}
	lr.truth.apply(&it, lr.n, ref.tenant, ref.agent, mi, qi, a.outcomeSkill(sk, mi, qi))
	w := l.cfg.World
	if w.DuplicateRate == 0 && w.RevisionRate == 0 && w.LateRate == 0 {
		lr.batch.Interactions++
		return append(out, it)
	}
	uLate, uDup, uRev := r.float64(), r.float64(), r.float64()
	at := end.UnixNano()
	if uLate < w.LateRate {
		at += secondsNanos(r.logUniform(liveLateLo, liveLateHi))
		out = lr.push(at, it, faultLate, out)
	} else {
		lr.batch.Interactions++
		out = append(out, it)
	}
	if uDup < w.DuplicateRate {
		out = lr.push(at+secondsNanos(r.logUniform(liveDupLo, liveDupHi)), it.Clone(), faultDuplicate, out)
	}
	if uRev < w.RevisionRate {
		out = lr.push(at+secondsNanos(r.logUniform(liveRevLo, liveRevHi)), reviseLive(r, &it, mi), faultRevision, out)
	}
	return out
}

func secondsNanos(s float64) int64 { return int64(s * 1e9) }

// emitted adds the batch just emitted (n records) to the live stats.
func (lr *liveRun) emitted(n int) {
	st := &lr.l.stats
	st.batches.Add(1)
	st.records.Add(int64(n))
	st.interactions.Add(lr.batch.Interactions)
	st.duplicates.Add(lr.batch.Duplicates)
	st.revisions.Add(lr.batch.Revisions)
	st.late.Add(lr.batch.Late)
	lr.batch = LiveStats{}
}

// reviseLive returns the correction of it (of catalogue model mi):
// revision 2 with either another inquiry of the model or extra wrap-up
// time, as the historical stream's revisions.
func reviseLive(r *rng, it *schemas.Interaction, mi int) schemas.Interaction {
	c := it.Clone()
	c.Revision++
	qs := catalogue[mi].inquiries
	if r.float64() < 0.5 && len(qs) > 1 {
		cur := 0
		for i, q := range qs {
			if q.name == c.Inquiry {
				cur = i
			}
		}
		c.Inquiry = qs[(cur+1+r.intn(len(qs)-1))%len(qs)].name
		return c
	}
	c.HandleTimeS = math.Min(maxHandle, c.HandleTimeS+math.Round(r.uniform(revExtraLo, revExtraHi)))
	return c
}

// push holds it back until at (Unix nanoseconds). At MaxLivePending held
// records the earliest is released into out at once.
func (lr *liveRun) push(at int64, it schemas.Interaction, kind faultKind, out []schemas.Interaction) []schemas.Interaction {
	if len(lr.pending) >= MaxLivePending {
		out = lr.emitPending(heap.Pop(&lr.pending).(livePending), out)
	}
	lr.order++
	heap.Push(&lr.pending, livePending{at: at, order: lr.order, it: it, kind: kind})
	return out
}

// release appends the held-back records due at or before t.
func (lr *liveRun) release(t int64, out []schemas.Interaction) []schemas.Interaction {
	for len(lr.pending) > 0 && lr.pending[0].at <= t {
		out = lr.emitPending(heap.Pop(&lr.pending).(livePending), out)
	}
	return out
}

func (lr *liveRun) emitPending(p livePending, out []schemas.Interaction) []schemas.Interaction {
	switch p.kind {
	case faultLate:
		lr.batch.Interactions++
		lr.batch.Late++
	case faultDuplicate:
		lr.batch.Duplicates++
	case faultRevision:
		lr.batch.Revisions++
	}
	return append(out, p.it)
}

// pickAgent returns the index into l.agents of the agent who takes a
// contact at Unix second now: one on shift, by weight.
func (lr *liveRun) pickAgent(now int64) int {
	if m := floorDiv(now, 60); m != lr.minute || lr.cum == nil {
		lr.minute = m
		lr.rebuildShift(now)
	}
	x := lr.r.float64() * lr.cum[len(lr.cum)-1]
	i := sort.Search(len(lr.cum), func(i int) bool { return lr.cum[i] > x })
	return lr.onShift[min(i, len(lr.onShift)-1)]
}

// rebuildShift lists the agents working at Unix second now; if nobody
// is, every agent.
func (lr *liveRun) rebuildShift(now int64) {
	l := lr.l
	lr.onShift, lr.cum = lr.onShift[:0], lr.cum[:0]
	var r rng
	total := 0.0
	for i, ref := range l.agents {
		if l.working(&r, ref, now) {
			total += l.weight[i]
			lr.onShift = append(lr.onShift, i)
			lr.cum = append(lr.cum, total)
		}
	}
	if len(lr.onShift) > 0 {
		return
	}
	for i := range l.agents {
		total += l.weight[i]
		lr.onShift = append(lr.onShift, i)
		lr.cum = append(lr.cum, total)
	}
}

// working reports whether the agent is on shift and not on a break at
// Unix second now. It draws the shift exactly as simulateShift does
// (absence, start jitter, then breaks, from the same derived stream), so
// live contacts come from the shifts a historical run would simulate for
// that day.
func (l *Live) working(r *rng, ref agentRef, now int64) bool {
	t := &l.tenants[ref.tenant]
	a := &t.Agents[ref.agent]
	off := int64(t.UTCOffsetHours) * 3600
	today := floorDiv(now+off, 86400)
	for day := today - 1; day <= today; day++ {
		if a.WorkDays&(1<<weekday(day)) == 0 {
			continue
		}
		r.reset(derive(uint64(l.cfg.World.Seed), saltShift, uint64(ref.tenant), uint64(a.Index), uint64(day)))
		if r.float64() < absenceRate {
			continue
		}
		jitter := max(-1500, min(1500, 480*r.norm()))
		start := day*86400 + int64(a.ShiftStartHour*3600+jitter) - off
		if now < start || now >= start+shiftLength {
			continue
		}
		for _, b := range breaks {
			from := start + int64(b.at+r.uniform(-b.spread, b.spread))
			if now >= from && now < from+int64(b.length) {
				return false
			}
		}
		return true
	}
	return false
}

// livePending is a fault record held back until at (Unix nanoseconds).
type livePending struct {
	at, order int64
	it        schemas.Interaction
	kind      faultKind
}

type livePendingHeap []livePending

func (h livePendingHeap) Len() int { return len(h) }
func (h livePendingHeap) Less(i, j int) bool {
	if h[i].at != h[j].at {
		return h[i].at < h[j].at
	}
	return h[i].order < h[j].order
}
func (h livePendingHeap) Swap(i, j int) { h[i], h[j] = h[j], h[i] }
func (h *livePendingHeap) Push(x any)   { *h = append(*h, x.(livePending)) }
func (h *livePendingHeap) Pop() any {
	old := *h
	p := old[len(old)-1]
	*h = old[:len(old)-1]
	return p
}
