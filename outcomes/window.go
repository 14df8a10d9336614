package outcomes

// calBins is the number of equal-width prediction bins kept per day for
// AUC and calibration (5 per decile).
const calBins = 50

// valSlot is one day of progressive validation of one target.
type valSlot struct {
	day     int64
	n, pos  int64
	llModel float64 // Σ log-loss of the model's predictions
	llBase  float64 // Σ log-loss of the baseline's predictions
	binPos  [calBins]int64
	binNeg  [calBins]int64
	binSumP [calBins]float64
}

// countSlot is one day of label counts (the base rate).
type countSlot struct {
	day    int64
	n, pos int64
}

// ring is a window of WindowDays day slots indexed by day mod len; a slot
// whose day is outside the window is ignored (and reset before reuse).
type countRing struct{ slots []countSlot }

func newCountRing(w int) *countRing {
	r := &countRing{slots: make([]countSlot, w)}
	for i := range r.slots {
		r.slots[i].day = noDay
	}
	return r
}

// noDay marks an unused slot.
const noDay = -1 << 62

func slotOf(d int64, w int) int {
	i := int(d % int64(w))
	if i < 0 {
		i += w
	}
	return i
}

func (r *countRing) add(d int64, y bool) {
	s := &r.slots[slotOf(d, len(r.slots))]
	if s.day != d {
		*s = countSlot{day: d}
	}
	s.n++
	if y {
		s.pos++
	}
}

// sum returns the counts of the days in (end−len, end].
func (r *countRing) sum(end int64) (n, pos int64) {
	w := int64(len(r.slots))
	for i := range r.slots {
		s := &r.slots[i]
		if s.day > end-w && s.day <= end {
			n += s.n
			pos += s.pos
		}
	}
	return n, pos
}

// valRing is the validation window of one target.
type valRing struct{ slots []valSlot }

func newValRing(w int) *valRing {
	r := &valRing{slots: make([]valSlot, w)}
	for i := range r.slots {
		r.slots[i].day = noDay
	}
	return r
}

func binOf(p float64) int {
	b := int(p * calBins)
	return max(0, min(calBins-1, b))
}

// add scores one matured label against the predictions made when its
// interaction arrived.
func (r *valRing) add(d int64, pModel, pBase float64, y bool) {
	s := &r.slots[slotOf(d, len(r.slots))]
	if s.day != d {
		*s = valSlot{day: d}
	}
	s.n++
	b := binOf(pModel)
	if y {
		s.pos++
		s.binPos[b]++
	} else {
		s.binNeg[b]++
	}
	s.binSumP[b] += pModel
	s.llModel += logLoss(pModel, y)
	s.llBase += logLoss(pBase, y)
}

// window sums the days in (end−len, end] in slot order (fixed, so sums are
// reproducible).
func (r *valRing) window(end int64) valSlot {
	var out valSlot
	w := int64(len(r.slots))
	for i := range r.slots {
		s := &r.slots[i]
		if s.day <= end-w || s.day > end {
			continue
		}
		out.n += s.n
		out.pos += s.pos
		out.llModel += s.llModel
		out.llBase += s.llBase
		for b := range calBins {
			out.binPos[b] += s.binPos[b]
			out.binNeg[b] += s.binNeg[b]
			out.binSumP[b] += s.binSumP[b]
		}
	}
	return out
}
