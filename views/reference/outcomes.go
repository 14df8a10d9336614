package reference

import (
	"github.com/agentpulse/agentpulse/outcomes"
	"github.com/agentpulse/agentpulse/schemas"
	"github.com/agentpulse/agentpulse/views"
)

// learnedPair is one record's learned satisfaction and resolution cells
// (N 0 or 1 each).
type learnedPair struct{ sat, res outcomes.Cell }

// learnedMap holds the learned cells of the records that have any; records
// without are absent, so a dataset without customer keys or outcomes sums
// exactly as before.
type learnedMap map[*schemas.Interaction]learnedPair

// add adds it to s with its learned cells.
func (lm learnedMap) add(s *views.Sums, it *schemas.Interaction) {
	s.Add(it)
	if lp, ok := lm[it]; ok {
		s.AddLearned(lp.sat, lp.res)
	}
}

// ContactOf is the part of a record the learner reads: case mix and the
// customer, never agent or team.
func ContactOf(it *schemas.Interaction) outcomes.Contact {
	return outcomes.Contact{
		Tenant: it.TenantID, ID: it.InteractionID, Revision: it.Revision, Model: it.Model, Inquiry: it.Inquiry,
		Customer: it.CustomerKey, Chain: it.ChainID, Initiation: it.Initiation,
		Started: it.StartedAt, Ended: it.EndedAt, HandleS: it.HandleTimeS,
		HoldS: it.HoldS, QueueWaitS: it.QueueWaitS, Transfers: it.Transfers,
	}
}

// OutcomeOf is the learner's view of an outcome record; ok is false for a
// record of neither kind (invalid: validation refuses it).
func OutcomeOf(o *schemas.Outcome) (outcomes.Outcome, bool) {
	out := outcomes.Outcome{Tenant: o.TenantID, ID: o.OutcomeID, Revision: o.Revision,
		InteractionID: o.InteractionID, Kind: o.Kind, ObservedAt: o.ObservedAt}
	switch {
	case o.Kind == schemas.OutcomeSurvey && o.Survey != nil:
		out.Score, out.ScaleMin, out.ScaleMax = o.Survey.Score, o.Survey.ScaleMin, o.Survey.ScaleMax
	case o.Kind == schemas.OutcomeResolution && o.Resolution != nil:
		out.Resolved = o.Resolution.Resolved
	default:
		return outcomes.Outcome{}, false
	}
	return out, true
}

// learn runs the learner over the deduplicated records and returns their
// learned cells: for each target the feed does not predict on a record,
// the served prediction made when it arrived and, once matured, its label
// (the final value).
func (d *Dataset) learn(outs []schemas.Outcome, cfg outcomes.Config) learnedMap {
	contacts := make([]outcomes.Contact, len(d.recs))
	for i := range d.recs {
		contacts[i] = ContactOf(&d.recs[i])
	}
	lo := make([]outcomes.Outcome, 0, len(outs))
	for i := range outs {
		if o, ok := OutcomeOf(&outs[i]); ok {
			lo = append(lo, o)
		}
	}
	d.run = outcomes.Run(cfg, contacts, lo)
	lm := make(learnedMap)
	for i := range d.recs {
		it := &d.recs[i]
		sc := &d.run.Scored[i]
		var lp learnedPair
		if p := sc.Pred[outcomes.Satisfaction]; p.OK && it.PredictedSatisfaction == nil {
			l := sc.Label[outcomes.Satisfaction]
			lp.sat.Add(p.P, l.Has, l.Value)
		}
		if p := sc.Pred[outcomes.Resolution]; p.OK && it.PredictedResolution == nil {
			l := sc.Label[outcomes.Resolution]
			lp.res.Add(p.P, l.Has, l.Value)
		}
		if lp.sat.N > 0 || lp.res.N > 0 {
			lm[it] = lp
		}
	}
	return lm
}

// OutcomeModel returns the learner of the tenant's model (nil when the
// model has no records): its Stats per target are what
// GET /v1/outcome-models shows. Its state is shared: do not mutate it.
func (d *Dataset) OutcomeModel(tenant, model string) *outcomes.Learner {
	return d.run.Learners[outcomes.TenantModel{Tenant: tenant, Model: model}]
}

// Pending returns, per target, the tenant model's interactions whose label
// is not known yet.
func (d *Dataset) Pending(tenant, model string) (satisfaction, resolution int64) {
	p := d.run.Pending[outcomes.TenantModel{Tenant: tenant, Model: model}]
	return p[outcomes.Satisfaction], p[outcomes.Resolution]
}

// OutcomeModels answers GET /v1/outcome-models for the tenant's model. It
// returns an error wrapping views.ErrNoData when the tenant has no data
// for the model.
func (d *Dataset) OutcomeModels(tenant, model string) (views.OutcomeModels, error) {
	if _, err := d.model(tenant, model); err != nil {
		return views.OutcomeModels{}, err
	}
	l := d.OutcomeModel(tenant, model)
	sat, res := d.Pending(tenant, model)
	return views.OutcomeModels{Model: model, Targets: []views.OutcomeTarget{
		views.NewOutcomeTarget(l, outcomes.Satisfaction, sat),
		views.NewOutcomeTarget(l, outcomes.Resolution, res),
	}}, nil
}

// EachLearned calls fn with a copy of every record that has learned cells
// (a target's cell only where its feed does not predict it) and those
// cells, in the dataset's order: summed per bucket key, what a store's
// learned bucket parts (partition -1) must hold.
func (d *Dataset) EachLearned(fn func(it schemas.Interaction, sat, res outcomes.Cell)) {
	for i := range d.recs {
		if lp, ok := d.learned[&d.recs[i]]; ok {
			fn(d.recs[i].Clone(), lp.sat, lp.res)
		}
	}
}
