package outcomes

import "math"

// Decile is one tenth of the prediction range [i/10, (i+1)/10) in a
// calibration table.
type Decile struct {
	N int64 `json:"n"`
	// Predicted is the mean prediction in the decile, Observed the share of
	// positive labels; both null for an empty decile.
	Predicted *float64 `json:"predicted"`
	Observed  *float64 `json:"observed"`
}

// TargetStats is what an admin sees of one target's model: the
// progressive validation of the last WindowDays days up to the learner's
// current day.
type TargetStats struct {
	Target string `json:"target"`
	// Labels is every label learnt from (all time): also the version.
	Labels int64 `json:"labels"`
	// WindowLabels are the validated labels in the window.
	WindowLabels int64 `json:"window_labels"`
	// LogLoss and BaseLogLoss are mean log-losses of the model's and the
	// base rate's predictions over the window; NE and BaseNE divide them by
	// the entropy of the window's positive rate (normalized entropy: < 1
	// beats predicting that rate).
	// Each is null without labels in the window (NE also when they are all
	// of one class); AUC without both classes.
	LogLoss      *float64 `json:"log_loss"`
	BaseLogLoss  *float64 `json:"base_log_loss"`
	NE           *float64 `json:"normalized_entropy"`
	BaseNE       *float64 `json:"base_normalized_entropy"`
	PositiveRate *float64 `json:"positive_rate"`
	// AUC of the model's predictions (from 50 bins; ties count half).
	AUC         *float64   `json:"auc"`
	Calibration [10]Decile `json:"calibration"`
	// Served is true when the model is served, false when the base rate is.
	Served  bool  `json:"served"`
	Version int64 `json:"version"`
}

// Stats returns target tg's validation over the window ending with the
// current day.
func (l *Learner) Stats(tg Target) TargetStats {
	t := &l.t[tg]
	w := t.val.window(l.day)
	st := TargetStats{Target: tg.String(), Labels: t.labels, Version: t.labels, Served: t.served, WindowLabels: w.n}
	if w.n > 0 {
		n := float64(w.n)
		ll, base := w.llModel/n, w.llBase/n
		p := float64(w.pos) / n
		st.LogLoss, st.BaseLogLoss, st.PositiveRate = &ll, &base, &p
		if h := entropy(p); h > 0 {
			ne, bne := ll/h, base/h
			st.NE, st.BaseNE = &ne, &bne
		}
	}
	var pos, neg, below, pairs float64
	for b := range calBins {
		pos += float64(w.binPos[b])
		neg += float64(w.binNeg[b])
	}
	if pos > 0 && neg > 0 {
		// Σ over positives of the negatives ranked below them, ties half.
		for b := range calBins {
			bp, bn := float64(w.binPos[b]), float64(w.binNeg[b])
			pairs += float64(bp*below) + float64(float64(bp*bn)*0.5)
			below += bn
		}
		auc := pairs / float64(pos*neg)
		st.AUC = &auc
	}
	for d := range 10 {
		var n, p int64
		var sum float64
		for b := d * calBins / 10; b < (d+1)*calBins/10; b++ {
			n += w.binPos[b] + w.binNeg[b]
			p += w.binPos[b]
			sum += w.binSumP[b]
		}
		st.Calibration[d] = Decile{N: n}
		if n > 0 {
			pred, obs := sum/float64(n), float64(p)/float64(n)
			st.Calibration[d].Predicted, st.Calibration[d].Observed = &pred, &obs
		}
	}
	return st
}

// entropy is the binary entropy of p in nats (log-loss units).
func entropy(p float64) float64 {
	if p <= 0 || p >= 1 {
		return 0
	}
	return -(float64(p*math.Log(p)) + float64((1-p)*math.Log(1-p)))
}
