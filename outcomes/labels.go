package outcomes

import (
	"cmp"
	"slices"
	"time"
)

// Label is one target's label of one interaction, as of the tenant's
// watermark.
type Label struct {
	// Has is false when there is none (no survey; resolution still
	// pending or no customer key and no override).
	Has bool
	// Value is what the figures use: the final label (latest survey,
	// latest override, else the computed resolution).
	Value bool
	// Train is the label the learner trains on, at Matured: the first one
	// known (see the package documentation).
	Train   bool
	Matured time.Time
}

// found is a candidate label with the time it became known.
type found struct {
	has   bool
	value bool
	at    time.Time
	id    string // outcome_id ("" for a computed label)
}

// earlier orders candidates by (at, id).
func earlier(a, b found) bool {
	if !a.at.Equal(b.at) {
		return a.at.Before(b.at)
	}
	return a.id < b.id
}

// pick keeps in first the earliest candidate and in last the latest by
// (observed, id): last is the final value.
type pick struct {
	first, last   found
	lastObserved  time.Time
	lastCandidate bool
}

func (p *pick) add(c found, observed time.Time) {
	if !p.first.has || earlier(c, p.first) {
		p.first = c
	}
	if !p.lastCandidate || observed.After(p.lastObserved) || (observed.Equal(p.lastObserved) && c.id > p.last.id) {
		p.last, p.lastObserved, p.lastCandidate = c, observed, true
	}
}

// computedResolution is the label of the contact at position pos of its
// customer's contacts (sorted by ended_at, then interaction_id), as of
// watermark w. Both values mature at x.ended + N days, when the window
// closes, even when a repeat came earlier: a label known as soon as the
// repeat comes would make the first N days of a feed (and of every cell)
// see only unresolved labels, so the learner, the base rate and the
// blend's O/E would all start biased toward unresolved (right-censoring).
func computedResolution(cfg *Config, group []*Contact, pos int, w time.Time) found {
	x := group[pos]
	horizon := x.Ended.Add(time.Duration(cfg.RepeatDays) * 24 * time.Hour)
	if w.Before(horizon) {
		return found{} // the window is still open: pending
	}
	for _, y := range group[pos+1:] {
		if y.Ended.After(horizon) {
			break
		}
		if !y.Ended.After(x.Ended) || !isRepeatInitiation(y.Initiation) {
			continue
		}
		if x.Chain != "" && y.Chain == x.Chain {
			continue
		}
		if y.Started.Before(x.Ended.Add(cfg.TransferGap)) {
			continue // a transfer or the same contact's next leg
		}
		return found{has: true, value: false, at: horizon}
	}
	return found{has: true, value: true, at: horizon}
}

func isRepeatInitiation(s string) bool { return s == "" || s == InitiationInbound }

// combineResolution merges the computed label with the overrides: the
// override trains when it is known no later than the computed label; the
// latest override is the final value.
func combineResolution(computed found, ov pick) Label {
	var l Label
	switch {
	case ov.first.has && (!computed.has || !computed.at.Before(ov.first.at)):
		l = Label{Has: true, Train: ov.first.value, Matured: ov.first.at}
	case computed.has:
		l = Label{Has: true, Train: computed.value, Matured: computed.at}
	default:
		return Label{}
	}
	l.Value = l.Train
	if ov.lastCandidate {
		l.Value = ov.last.value
	} else if computed.has {
		l.Value = computed.value
	}
	return l
}

func surveyLabel(sv pick) Label {
	if !sv.first.has {
		return Label{}
	}
	return Label{Has: true, Train: sv.first.value, Matured: sv.first.at, Value: sv.last.value}
}

// DedupeOutcomes keeps, per (tenant, outcome_id), the highest revision;
// among equal revisions the smallest by (kind, interaction_id,
// observed_at, score, scale, resolved), so the result does not depend on
// input order. The result is sorted by (tenant, outcome_id).
func DedupeOutcomes(in []Outcome) []Outcome {
	out := slices.Clone(in)
	slices.SortFunc(out, func(a, b Outcome) int {
		return cmp.Or(cmp.Compare(a.Tenant, b.Tenant), cmp.Compare(a.ID, b.ID),
			cmp.Compare(b.Revision, a.Revision), compareOutcome(a, b))
	})
	return slices.CompactFunc(out, func(a, b Outcome) bool { return a.Tenant == b.Tenant && a.ID == b.ID })
}

func compareOutcome(a, b Outcome) int {
	return cmp.Or(cmp.Compare(a.Kind, b.Kind), cmp.Compare(a.InteractionID, b.InteractionID),
		a.ObservedAt.Compare(b.ObservedAt), cmp.Compare(a.Score, b.Score),
		cmp.Compare(a.ScaleMin, b.ScaleMin), cmp.Compare(a.ScaleMax, b.ScaleMax),
		cmpBool(a.Resolved, b.Resolved))
}

func cmpBool(a, b bool) int {
	switch {
	case a == b:
		return 0
	case !a:
		return -1
	}
	return 1
}
