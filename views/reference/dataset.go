package reference

import (
	"cmp"
	"fmt"
	"slices"
	"time"

	"github.com/agentpulse/agentpulse/outcomes"
	"github.com/agentpulse/agentpulse/schemas"
	"github.com/agentpulse/agentpulse/views"
)

// Dataset is an immutable, deduplicated set of interactions with the
// indexes the queries need. Build it with New. Its methods are safe for
// concurrent use.
type Dataset struct {
	params views.Params
	// recs are the deduplicated records sorted by (tenant_id,
	// interaction_id).
	recs []schemas.Interaction
	// models indexes recs by (tenant, model).
	models map[tenantModel]*modelIndex
	// teams is each agent's current team: the team_id of their most
	// recent interaction in the tenant.
	teams map[tenantAgent]*schemas.Interaction
	// run is the learner's result over recs (labels, predictions, models).
	run outcomes.Result
	// learned are the records' learned cells (nil from New).
	learned learnedMap
}

type tenantModel struct{ tenant, model string }

type tenantAgent struct{ tenant, agent string }

// modelIndex is one tenant's model.
type modelIndex struct {
	model string
	// recs are the model's records in key order.
	recs []*schemas.Interaction
	// latest is the newest ended_at: the model's latest available data.
	latest time.Time
	// all is the Sums over every record (all time), deciding which
	// metrics the model has.
	all views.Sums
	// learned holds the learned outcome cells of the dataset's records
	// (shared by every model of the dataset).
	learned learnedMap
}

// New builds a Dataset from interactions in any order: it keeps, per
// (tenant_id, interaction_id), the highest revision (see the package
// documentation for equal revisions), and copies what it keeps, so the
// caller may reuse the slice. params are completed with their defaults.
// New does not validate records: pass records that passed schema
// validation.
//
// New learns nothing: psat/pres come from the feed's predictions only,
// which is what the stores compute until they run the learner
// (NewWithOutcomes is the dataset with learned outcomes).
func New(interactions []schemas.Interaction, params views.Params) *Dataset {
	return newDataset(interactions, nil, params, outcomes.Config{}, false)
}

// NewWithOutcomes is New with learned outcomes: from the interactions'
// customer keys and the outcome records (surveys, observed resolutions;
// any order, redeliveries and revisions allowed) and the tenants' outcome
// settings it derives labels, runs the learner over the deduplicated
// records (outcomes.Run) and blends the learned predictions into psat/pres
// wherever the feed has none.
func NewWithOutcomes(interactions []schemas.Interaction, outs []schemas.Outcome, params views.Params, cfg outcomes.Config) *Dataset {
	return newDataset(interactions, outs, params, cfg, true)
}

func newDataset(interactions []schemas.Interaction, outs []schemas.Outcome, params views.Params, cfg outcomes.Config, learn bool) *Dataset {
	d := &Dataset{
		params: params.WithDefaults(),
		recs:   dedupe(interactions),
		models: make(map[tenantModel]*modelIndex),
		teams:  make(map[tenantAgent]*schemas.Interaction),
	}
	var learned learnedMap
	if learn {
		learned = d.learn(outs, cfg)
		d.learned = learned
	}
	for i := range d.recs {
		it := &d.recs[i]
		k := tenantModel{it.TenantID, it.Model}
		mi := d.models[k]
		if mi == nil {
			mi = &modelIndex{model: it.Model, learned: learned}
			d.models[k] = mi
		}
		mi.recs = append(mi.recs, it)
		mi.learned.add(&mi.all, it)
		if it.EndedAt.After(mi.latest) {
			mi.latest = it.EndedAt
		}
		ta := tenantAgent{it.TenantID, it.AgentID}
		if cur := d.teams[ta]; cur == nil || views.CompareNewestFirst(it, cur) < 0 {
			d.teams[ta] = it
		}
	}
	return d
}

// Params returns the parameters the dataset computes with.
func (d *Dataset) Params() views.Params { return d.params }

// Len returns the number of records after deduplication.
func (d *Dataset) Len() int { return len(d.recs) }

// Records returns a deep copy of the deduplicated records in (tenant_id,
// interaction_id) order.
func (d *Dataset) Records() []schemas.Interaction {
	out := make([]schemas.Interaction, len(d.recs))
	for i := range d.recs {
		out[i] = clone(d.recs[i])
	}
	return out
}

// LatestData returns the model's latest available data: the newest
// ended_at among the tenant's records of that model, in UTC. It returns
// an error wrapping views.ErrNoData when there is none.
func (d *Dataset) LatestData(tenant, model string) (time.Time, error) {
	mi, err := d.model(tenant, model)
	if err != nil {
		return time.Time{}, err
	}
	return mi.latest.UTC(), nil
}

// ModelMetrics returns the metrics the tenant's model has
// (views.ModelMetrics over all its records); nil without data.
func (d *Dataset) ModelMetrics(tenant, model string) []views.Metric {
	mi := d.models[tenantModel{tenant, model}]
	if mi == nil {
		return nil
	}
	return views.ModelMetrics(mi.all)
}

// TeamOf returns the agent's current team: the team_id of their most
// recent interaction in the tenant (any model, all time; ended_at, then
// interaction_id). ok is false for an agent without interactions.
func (d *Dataset) TeamOf(tenant, agent string) (team string, ok bool) {
	it := d.teams[tenantAgent{tenant, agent}]
	if it == nil {
		return "", false
	}
	return it.TeamID, true
}

func (d *Dataset) model(tenant, model string) (*modelIndex, error) {
	mi := d.models[tenantModel{tenant, model}]
	if mi == nil {
		return nil, fmt.Errorf("tenant %q model %q: %w", tenant, model, views.ErrNoData)
	}
	return mi, nil
}

// resolve returns the model and the spec resolved against its latest data.
func (d *Dataset) resolve(tenant, model string, spec views.RangeSpec) (*modelIndex, views.Range, error) {
	mi, err := d.model(tenant, model)
	if err != nil {
		return nil, views.Range{}, err
	}
	return mi, spec.Resolve(mi.latest), nil
}

// modelsOf returns the tenant's models, sorted by name.
func (d *Dataset) modelsOf(tenant string) []*modelIndex {
	var out []*modelIndex
	for k, mi := range d.models {
		if k.tenant == tenant {
			out = append(out, mi)
		}
	}
	slices.SortFunc(out, func(a, b *modelIndex) int { return cmp.Compare(a.model, b.model) })
	return out
}
