package outcomes

import (
	"cmp"
	"slices"
	"time"
)

// Scored is what Run gives one contact: both targets' predictions (made
// when it arrived, in its day) and labels (as of its tenant's watermark).
type Scored struct {
	Pred  [numTargets]Prediction
	Label [numTargets]Label
}

// TenantModel keys a learner.
type TenantModel struct{ Tenant, Model string }

// Result is the outcome of Run.
type Result struct {
	// Scored is aligned with Run's contacts.
	Scored []Scored
	// Learners holds the learner of every tenant × model with at least
	// one label, after its last day.
	Learners map[TenantModel]*Learner
	// Watermark is each tenant's event-time watermark: the newest
	// ended_at of its interactions.
	Watermark map[string]time.Time
	// Pending counts, per tenant × model and target, the interactions whose
	// label is not known yet (resolution within N days of the watermark
	// with a customer key; satisfaction is never pending: a survey is
	// either there or not).
	Pending map[TenantModel][numTargets]int64
}

// Run computes labels and predictions for a set of contacts (one record
// per interaction: the caller keeps the highest revision) and outcomes
// (deduplicated with DedupeOutcomes or not: Run deduplicates again). The
// result depends only on the set, not on the order of either slice.
// cfg is completed with its defaults.
func Run(cfg Config, contacts []Contact, outs []Outcome) Result {
	cfg = cfg.WithDefaults()
	res := Result{
		Scored:    make([]Scored, len(contacts)),
		Learners:  make(map[TenantModel]*Learner),
		Watermark: make(map[string]time.Time),
		Pending:   make(map[TenantModel][numTargets]int64),
	}
	outs = DedupeOutcomes(outs)
	for i := range contacts {
		c := &contacts[i]
		if w, ok := res.Watermark[c.Tenant]; !ok || c.Ended.After(w) {
			res.Watermark[c.Tenant] = c.Ended
		}
	}
	type key struct{ tenant, id string }
	byID := make(map[key]int, len(contacts))
	for i := range contacts {
		byID[key{contacts[i].Tenant, contacts[i].ID}] = i
	}

	// Customers: each one's contacts by (ended_at, interaction_id).
	order := make([]int, len(contacts))
	for i := range order {
		order[i] = i
	}
	byKey := func(a, b int) int {
		x, y := &contacts[a], &contacts[b]
		return cmp.Or(cmp.Compare(x.Tenant, y.Tenant), x.Ended.Compare(y.Ended), cmp.Compare(x.ID, y.ID))
	}
	hist := make([]History, len(contacts))
	computed := make([]found, len(contacts))
	groups := make(map[key][]int)
	for i := range contacts {
		if c := &contacts[i]; c.Customer != "" {
			k := key{c.Tenant, c.Customer}
			groups[k] = append(groups[k], i)
		}
	}
	for _, g := range groups { // each group independently: order does not matter
		slices.SortFunc(g, byKey)
		ptrs := make([]*Contact, len(g))
		ends := make([]time.Time, len(g))
		for j, i := range g {
			ptrs[j], ends[j] = &contacts[i], contacts[i].Ended
		}
		for j, i := range g {
			hist[i] = HistoryOf(ends[:j], contacts[i].Ended, true)
			computed[i] = computedResolution(&cfg, ptrs, j, res.Watermark[contacts[i].Tenant])
		}
	}
	for i := range contacts {
		if contacts[i].Customer == "" {
			hist[i] = HistoryOf(nil, contacts[i].Ended, false)
		}
	}

	// Outcomes become labels.
	surveys := make([]pick, len(contacts))
	overrides := make([]pick, len(contacts))
	for i := range outs {
		o := &outs[i]
		ci, ok := byID[key{o.Tenant, o.InteractionID}]
		if !ok {
			continue
		}
		at, ok := outcomeAt(&cfg, o, contacts[ci].Ended)
		if !ok {
			continue
		}
		switch o.Kind {
		case KindSurvey:
			surveys[ci].add(found{has: true, value: cfg.Satisfied(o.Score, o.ScaleMax), at: at, id: o.ID}, o.ObservedAt)
		case KindResolution:
			overrides[ci].add(found{has: true, value: o.Resolved, at: at, id: o.ID}, o.ObservedAt)
		}
	}
	for i := range contacts {
		res.Scored[i].Label[Satisfaction] = surveyLabel(surveys[i])
		res.Scored[i].Label[Resolution] = combineResolution(computed[i], overrides[i])
	}

	// Learners, one tenant × model at a time, day by day.
	slices.SortFunc(order, func(a, b int) int {
		x, y := &contacts[a], &contacts[b]
		return cmp.Or(cmp.Compare(x.Tenant, y.Tenant), cmp.Compare(x.Model, y.Model), cmp.Compare(x.ID, y.ID))
	})
	for start := 0; start < len(order); {
		c0 := &contacts[order[start]]
		end := start
		for end < len(order) && contacts[order[end]].Tenant == c0.Tenant && contacts[order[end]].Model == c0.Model {
			end++
		}
		tm := TenantModel{c0.Tenant, c0.Model}
		if hasLabel(res.Scored, order[start:end]) {
			l := NewLearner(cfg)
			res.Learners[tm] = l
			res.Pending[tm] = runModel(l, contacts, order[start:end], hist, res.Scored)
		} else { // nothing to learn from: no predictions, no learner
			res.Pending[tm] = pendingOf(contacts, order[start:end])
		}
		start = end
	}
	return res
}

// trainEvent is one label to learn.
type trainEvent struct {
	at time.Time
	tg Target
	ci int
}

// runModel runs one tenant × model's learner over its contacts (indices
// sorted by interaction_id) and fills their predictions. It returns the
// pending counts.
func runModel(l *Learner, contacts []Contact, idx []int, hist []History, scored []Scored) [numTargets]int64 {
	var pending [numTargets]int64
	feats := make([]Features, len(idx))
	arrive := make([]int, len(idx)) // positions into idx, by (day, interaction_id)
	var events []trainEvent
	for j, ci := range idx {
		c := &contacts[ci]
		feats[j] = Extract(c, hist[ci], l.cfg.TableBits)
		arrive[j] = j
		for tg := range numTargets {
			lb := scored[ci].Label[tg]
			if lb.Has {
				events = append(events, trainEvent{at: lb.Matured, tg: Target(tg), ci: j})
			} else if Target(tg) == Resolution && c.Customer != "" {
				pending[tg]++
			}
		}
	}
	slices.SortStableFunc(arrive, func(a, b int) int {
		return cmp.Compare(day(contacts[idx[a]].Ended), day(contacts[idx[b]].Ended))
	})
	slices.SortStableFunc(events, func(a, b trainEvent) int {
		return cmp.Or(a.at.Compare(b.at), cmp.Compare(a.ci, b.ci), cmp.Compare(a.tg, b.tg))
	})
	ai, ei := 0, 0
	for ai < len(arrive) || ei < len(events) {
		d := int64(1) << 62
		if ai < len(arrive) {
			d = day(contacts[idx[arrive[ai]]].Ended)
		}
		if ei < len(events) {
			d = min(d, day(events[ei].at))
		}
		_ = l.BeginDay(d) // days only move forward here
		for ; ai < len(arrive) && day(contacts[idx[arrive[ai]]].Ended) == d; ai++ {
			j := arrive[ai]
			scored[idx[j]].Pred = l.Predict(&feats[j])
		}
		for ; ei < len(events) && day(events[ei].at) == d; ei++ {
			ev := events[ei]
			s := &scored[idx[ev.ci]]
			l.Learn(ev.tg, &feats[ev.ci], s.Label[ev.tg].Train, s.Pred[ev.tg])
		}
	}
	return pending
}

func hasLabel(scored []Scored, idx []int) bool {
	for _, ci := range idx {
		for _, l := range scored[ci].Label {
			if l.Has {
				return true
			}
		}
	}
	return false
}

func pendingOf(contacts []Contact, idx []int) [numTargets]int64 {
	var p [numTargets]int64
	for _, ci := range idx {
		if contacts[ci].Customer != "" {
			p[Resolution]++
		}
	}
	return p
}

// outcomeAt is when an outcome about an interaction that ended at ended
// becomes a label: its observed_at, not before the end; ok is false when
// it is observed more than OutcomeDays after the end (no label).
func outcomeAt(cfg *Config, o *Outcome, ended time.Time) (time.Time, bool) {
	if o.ObservedAt.Sub(ended) > time.Duration(cfg.OutcomeDays)*24*time.Hour {
		return time.Time{}, false
	}
	if o.ObservedAt.Before(ended) {
		return ended, true
	}
	return o.ObservedAt, true
}
