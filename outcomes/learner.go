package outcomes

import (
	"errors"
	"fmt"
)

// Prediction is one target's prediction for one contact.
type Prediction struct {
	// OK is false while the target has no trained label: no prediction
	// (basis none).
	OK bool
	// Model is the logistic model's probability, Base the smoothed
	// per-inquiry base rate; P is the served one (Model when Served).
	Model, Base, P float64
	Served         bool
}

// targetState is one target's model, base rates and validation.
type targetState struct {
	m      ftrl
	global *countRing
	inq    map[string]*countRing // looked up, never iterated on numeric paths
	val    *valRing
	served bool
	labels int64 // labels trained: the model's version
}

// Learner is one tenant × model's pair of online models (satisfaction,
// resolution). Feed it day by day: BeginDay(d), Predict every contact
// ended in day d, then Learn the labels maturing in day d in (maturity,
// interaction_id) order. Not safe for concurrent use.
type Learner struct {
	cfg Config
	day int64
	t   [numTargets]targetState
}

// ErrDayBackwards is returned by BeginDay for a day before the current one.
var ErrDayBackwards = errors.New("outcomes: day before the learner's current day")

// NewLearner returns an empty learner; cfg is completed with defaults.
func NewLearner(cfg Config) *Learner {
	cfg = cfg.WithDefaults()
	l := &Learner{cfg: cfg, day: noDay}
	for i := range l.t {
		l.t[i] = targetState{
			m:      newFTRL(cfg),
			global: newCountRing(cfg.WindowDays),
			inq:    make(map[string]*countRing),
			val:    newValRing(cfg.WindowDays),
		}
	}
	return l
}

// Config returns the learner's configuration (with defaults).
func (l *Learner) Config() Config { return l.cfg }

// Day returns the current day (UTC days since the Unix epoch).
func (l *Learner) Day() int64 { return l.day }

// BeginDay moves the learner to day d and decides, per target, what is
// served during d: the model while its log-loss over the validated labels
// of the last WindowDays days before d is below the baseline's, over at
// least MinServeLabels labels. Calling it again for the current day
// changes nothing.
func (l *Learner) BeginDay(d int64) error {
	if d < l.day {
		return fmt.Errorf("%w: %d < %d", ErrDayBackwards, d, l.day)
	}
	if d == l.day {
		return nil
	}
	l.day = d
	for i := range l.t {
		t := &l.t[i]
		w := t.val.window(d - 1)
		t.served = w.n >= l.cfg.MinServeLabels && w.llModel < w.llBase
	}
	return nil
}

// Predict returns both targets' predictions for f with the state as it is
// (after the previous day's learning, during the current day).
func (l *Learner) Predict(f *Features) [numTargets]Prediction {
	var out [numTargets]Prediction
	for i := range l.t {
		t := &l.t[i]
		if t.labels == 0 {
			continue
		}
		p := Prediction{OK: true, Served: t.served}
		p.Model = t.m.predict(f.idx[:])
		p.Base = l.baseRate(t, f.Inquiry, l.day-1)
		p.P = p.Base
		if p.Served {
			p.P = p.Model
		}
		out[i] = p
	}
	return out
}

// baseRate is the inquiry's positive rate over the window ending at end,
// smoothed toward the target's overall rate there: (pos_q + s·g)/(n_q + s)
// with g = (pos + 1)/(n + 2) and s = BaseStrength.
func (l *Learner) baseRate(t *targetState, inquiry string, end int64) float64 {
	n, pos := t.global.sum(end)
	g := float64(pos+1) / float64(n+2)
	var nq, pq int64
	if r := t.inq[inquiry]; r != nil {
		nq, pq = r.sum(end)
	}
	s := l.cfg.BaseStrength
	return (float64(pq) + float64(s*g)) / (float64(nq) + s)
}

// Learn trains target tg on one matured label y of the contact with
// features f during the current day. pred is what Predict returned for the
// contact when it arrived: when it was OK, the label first scores it
// (progressive validation).
func (l *Learner) Learn(tg Target, f *Features, y bool, pred Prediction) {
	t := &l.t[tg]
	if pred.OK {
		t.val.add(l.day, pred.Model, pred.Base, y)
	}
	yf := 0.0
	if y {
		yf = 1
	}
	p := t.m.predict(f.idx[:])
	t.m.update(f.idx[:], p, yf)
	t.global.add(l.day, y)
	r := t.inq[f.Inquiry]
	if r == nil {
		r = newCountRing(l.cfg.WindowDays)
		t.inq[f.Inquiry] = r
	}
	r.add(l.day, y)
	t.labels++
}

// Served reports whether target tg's model (rather than the base rate) is
// served during the current day.
func (l *Learner) Served(tg Target) bool { return l.t[tg].served }

// Labels returns how many labels target tg has learnt from: its version.
func (l *Learner) Labels(tg Target) int64 { return l.t[tg].labels }
