package simulator

// Shift shape, seconds from the shift's start.
const (
	shiftLength = 8*3600 + 1800 // 8.5 hours, breaks included
	absenceRate = 0.06          // sick days, holidays, training
)

// breaks are the planned breaks of a shift: offset from the start, length
// and the spread of the offset (uniform ±).
var breaks = [...]struct{ at, length, spread float64 }{
	{2 * 3600, 900, 600},
	{4 * 3600, 1800, 1800},
	{6*3600 + 1800, 900, 600},
}

// simulateShift appends the records of agent a's shift on local day
// localDay, if the agent works that day and the shift starts in
// [winLo, winHi) (UTC Unix seconds). Only records ending inside the
// simulated period are kept.
//
// The shift's random stream is derived from (seed, tenant, agent,
// localDay) alone, so a shift's records do not depend on which goroutine
// simulates it, nor on the window.
func (g *Generator) simulateShift(r *rng, t int, a *Agent, localDay, winLo, winHi int64, out []rec) []rec {
	if a.WorkDays&(1<<weekday(localDay)) == 0 {
		return out
	}
	r.reset(derive(uint64(g.cfg.Seed), saltShift, uint64(t), uint64(a.Index), uint64(localDay)))
	absent := r.float64() < absenceRate
	jitter := max(-1500, min(1500, 480*r.norm()))
	offset := int64(g.tenants[t].UTCOffsetHours) * 3600
	start := localDay*86400 + int64(a.ShiftStartHour*3600+jitter) - offset
	if absent || start < winLo || start >= winHi {
		return out
	}
	progress := float64(start-g.start) / float64(g.end-g.start)
	skill := a.SkillAt(progress)

	var brk [len(breaks)][2]int64
	for i, b := range breaks {
		from := start + int64(b.at+r.uniform(-b.spread, b.spread))
		brk[i] = [2]int64{from, from + int64(b.length)}
	}
	end := start + shiftLength
	now := float64(start) + r.uniform(60, 300) // log in, open the tools
	seq := int32(0)
	var rt rng // the truth's stream, reseeded per contact
	for int64(now) < end-120 {
		for _, b := range brk {
			if int64(now) >= b[0] && int64(now) < b[1] {
				now = float64(b[1]) + r.uniform(0, 120)
			}
		}
		mi := a.models[0]
		if a.SecondaryShare > 0 && r.float64() < a.SecondaryShare {
			mi = a.models[1]
		}
		m := &catalogue[mi]
		qi := r.pick(inquiryWeights[mi])
		sk := skill + a.inquirySkew[mi][qi]
		handle, wall, psat, pres := outcome(r, m, &m.inquiries[qi], sk, a.outcomeSkill(sk, mi, qi))
		begin := int64(now)
		if finish := begin + int64(wall); finish >= g.start && finish < g.end {
			x := rec{
				end: finish, start: begin, localDay: localDay, handle: handle,
				tenant: int32(t), agent: int32(a.Index), seq: seq,
				psat: psat, pres: pres, model: int8(mi), inquiry: int8(qi), revision: 1,
			}
			g.truthOf(&rt, &x, a.outcomeSkill(sk, mi, qi))
			out = append(out, x)
		}
		seq++
		local := begin + offset
		now += float64(handle)/m.concurrency + r.exp(idleMean(m, occupancy(local)))
	}
	return out
}
