package storeview

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/agentpulse/agentpulse/processor/store"
	"github.com/agentpulse/agentpulse/views"
)

// DefaultModels is the model list used when neither the Reader
// (ModelLister) nor WithModels provides one: the channels of DESIGN.md §1.
var DefaultModels = []string{"chat", "email", "voice"}

// ModelLister is implemented by a Reader that can list the models a
// tenant has data in. Models returns them in any order.
type ModelLister interface {
	Models(ctx context.Context, tenant string) ([]string, error)
}

// Views answers the read-side queries from a store. Build it with New.
type Views struct {
	r      store.Reader
	params views.Params
	models []string

	cacheCfg *CacheConfig // set by WithCache
	cache    *cache       // nil without WithCache
	hold     func() error // set by WithWarmHold
}

// Option configures New.
type Option func(*Views)

// WithModels sets the model names looked at by queries that span a
// tenant's models (Models, an agent's current team) when the Reader is
// not a ModelLister.
func WithModels(models ...string) Option {
	return func(v *Views) { v.models = slices.Clone(models) }
}

// New returns views over r computed with params (completed with their
// defaults).
func New(r store.Reader, params views.Params, opts ...Option) *Views {
	v := &Views{r: r, params: params.WithDefaults(), models: slices.Clone(DefaultModels)}
	for _, o := range opts {
		o(v)
	}
	if v.cacheCfg != nil {
		v.cache = newCache(v, *v.cacheCfg)
	}
	return v
}

// Params returns the parameters the views compute with.
func (v *Views) Params() views.Params { return v.params }

// allTime is a bucket range holding every hour a store can hold.
var allTime = struct{ from, to time.Time }{time.Unix(0, 0).UTC(), time.Date(9999, 1, 1, 0, 0, 0, 0, time.UTC)}

// LatestData returns the model's latest available data in UTC. It returns
// an error wrapping views.ErrNoData (and store.ErrNoData) when the tenant
// has no data for the model.
func (v *Views) LatestData(ctx context.Context, tenant, model string) (time.Time, error) {
	t, err := v.latestData(ctx, tenant, model)
	if errors.Is(err, store.ErrNoData) {
		return time.Time{}, fmt.Errorf("tenant %q model %q: %w (%w)", tenant, model, views.ErrNoData, err)
	}
	if err != nil {
		return time.Time{}, fmt.Errorf("latest data of tenant %q model %q: %w", tenant, model, err)
	}
	return t.UTC(), nil
}

// resolve resolves spec against the model's latest data.
func (v *Views) resolve(ctx context.Context, tenant, model string, spec views.RangeSpec) (views.Range, error) {
	latest, err := v.LatestData(ctx, tenant, model)
	if err != nil {
		return views.Range{}, err
	}
	return spec.Resolve(latest), nil
}

// modelsOf returns the tenant's candidate models, sorted by name: with
// WithCache the models of the tenant's roster (memory); else the store's
// tenant_models (store.ModelsLister) for the tenant; else the Reader's
// list (ModelLister), the configured one (WithModels) or DefaultModels.
func (v *Views) modelsOf(ctx context.Context, tenant string) ([]string, error) {
	var out []string
	switch r := v.r.(type) {
	case ModelLister:
		var err error
		if out, err = r.Models(ctx, tenant); err != nil {
			return nil, fmt.Errorf("list models of tenant %q: %w", tenant, err)
		}
	case store.ModelsLister:
		if v.cache != nil {
			err := v.withLoadedRoster(ctx, tenant, func(tr *tenantRoster) {
				for m := range tr.models {
					out = append(out, m)
				}
			})
			if err != nil {
				return nil, err
			}
			break
		}
		pairs, err := r.TenantModels(ctx)
		if err != nil {
			return nil, fmt.Errorf("list models of tenant %q: %w", tenant, err)
		}
		for _, p := range pairs {
			if p.Tenant == tenant {
				out = append(out, p.Model)
			}
		}
	default:
		out = v.models
	}
	out = slices.Clone(out)
	slices.Sort(out)
	return slices.Compact(out), nil
}

// errStop ends a bucket scan early; it never escapes this package.
var errStop = errors.New("stop scan")

// ModelMetrics returns the metrics the tenant's model has
// (views.ModelMetrics over all its data); nil without data.
func (v *Views) ModelMetrics(ctx context.Context, tenant, model string) ([]views.Metric, error) {
	return v.modelMetrics(ctx, tenant, model, views.Sums{})
}

// modelMetrics is ModelMetrics given seen, Sums already read from the
// model (the range's): the all-time read is skipped when they carry both
// predictions.
func (v *Views) modelMetrics(ctx context.Context, tenant, model string, seen views.Sums) ([]views.Metric, error) {
	if seen.Volume > 0 && seen.HasPSAT() && seen.HasPRES() {
		return views.ModelMetrics(seen), nil
	}
	all := seen
	q := store.BucketQuery{Tenant: tenant, Model: model, From: allTime.from, To: allTime.to}
	err := v.r.Buckets(ctx, q, func(b store.Bucket) error {
		all.Volume += b.Volume
		all.PsatN += b.PsatN
		all.PresN += b.PresN
		all.Lsat.N += b.Lsat.N
		all.Lres.N += b.Lres.N
		if all.Volume > 0 && all.HasPSAT() && all.HasPRES() {
			return errStop
		}
		return nil
	})
	if err != nil && !errors.Is(err, errStop) {
		return nil, fmt.Errorf("metrics of tenant %q model %q: %w", tenant, model, err)
	}
	return views.ModelMetrics(all), nil
}

// errInconsistent reports a store whose buckets and interactions disagree
// (a bucket with volume but no interaction Recent can find).
var errInconsistent = errors.New("store buckets and interactions disagree")
