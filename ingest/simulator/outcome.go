package simulator

import "math"

// The outcome model. Skill is on a standard-normal scale (see Agent.Skill).
const (
	// skillSpeed is how much one unit of skill shortens the median handle
	// time, in log seconds: +1 skill ≈ 14 % faster.
	skillSpeed = 0.15
	// skillSat and skillRes are the logit gains of one unit of skill.
	skillSat = 0.45
	skillRes = 0.50
	// maxHandle caps handle time at six hours: far inside the schema's
	// 0..86400 and long enough for any believable contact.
	maxHandle = 6 * 3600
)

// outcome draws one contact's handle time, wall duration (started_at to
// ended_at, without after-contact work) and predictions in thousandths.
//
// Handle time is log-normal around the inquiry's median, shorter for
// skilled agents and more spread on hard inquiries. Satisfaction and
// resolution rise with skill; satisfaction falls on very long contacts and
// resolution falls on contacts rushed far below the median, the more so the
// harder the inquiry. The two predictions share part of their noise, as a
// real model's outputs do.
//
// skill drives the handle time, oskill (Agent.outcomeSkill) the two
// predictions.
func outcome(r *rng, m *model, q *inquiry, skill, oskill float64) (handle, wall int32, psat, pres uint16) {
	sigma := 0.35 + 0.25*q.difficulty
	h := q.handle * math.Exp(-skillSpeed*skill+sigma*r.norm())
	h = math.Round(math.Min(maxHandle, math.Max(m.minHandle, h)))
	acw := math.Round(h * r.uniform(m.acwLo, m.acwHi))
	handle, wall = int32(h), int32(h-acw)
	if !m.predicts {
		return handle, wall, 0, 0
	}
	ratio := h / q.handle
	shared := r.norm()
	satLogit := q.psat + skillSat*oskill - 0.6*math.Max(0, math.Log(ratio)-0.4) +
		0.45*shared + 0.45*r.norm()
	rushed := 0.0
	if ratio < 0.5 {
		rushed = 4 * q.difficulty * (1 - ratio/0.5)
	}
	resLogit := q.pres + skillRes*oskill - rushed + 0.45*shared + 0.45*r.norm()
	return handle, wall, thousandths(satLogit), thousandths(resLogit)
}

// thousandths maps a logit to a probability rounded to 0.001.
func thousandths(logit float64) uint16 {
	return uint16(math.Round(1000 / (1 + math.Exp(-logit))))
}
