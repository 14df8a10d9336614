package retention

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/agentpulse/agentpulse/audit"
	"github.com/agentpulse/agentpulse/auth"
	"github.com/agentpulse/agentpulse/processor/store"
)

// Audited actions.
const (
	ActionRetentionChanged = "retention_changed"
	ActionRetentionApplied = "retention_applied"
	ActionErasure          = "erasure"
)

// Erasure kinds.
const (
	KindCustomer = "customer"
	KindAgent    = "agent"
)

// DefaultInterval is how often Run makes a retention pass.
const DefaultInterval = time.Hour

// Runner applies the policy to a store: a retention pass every Interval
// (and soon after a setting changes), erasures on request. Passes and
// erasures run one at a time (a mutex); Run is one goroutine.
type Runner struct {
	Policy *Policy
	Store  store.Retainer
	// Secret is the erasure secret (at least MinSecretBytes): erasures
	// keep keyed hashes of customer keys and agent ids under per-tenant
	// keys derived from it (subject.go). Every server of a deployment
	// needs the same one.
	Secret []byte
	// Plans, when not nil, are the coaching plans an agent's erasure
	// rewrites (plans.go).
	Plans store.PlanStore
	// Interval between passes; DefaultInterval when zero, none when
	// negative (passes only when a setting changes).
	Interval time.Duration
	// Hold, when not nil, is waited for (nil) before the first pass and
	// before the erasures are re-applied at start: the store has caught
	// up with the log (an embedded store is rebuilt from it at start).
	Hold func() error
	// Refresh is called after a pass or an erasure changed the store
	// (the figures cache drops what it holds).
	Refresh func()
	Audit   *audit.Log
	Now     func() time.Time
	Logger  *slog.Logger

	mu      sync.Mutex
	metrics *metrics
	once    sync.Once
}

type metrics struct {
	passes   prometheus.Counter
	failures prometheus.Counter
	removed  *prometheus.CounterVec
	erasures *prometheus.CounterVec
}

func (r *Runner) m() *metrics {
	r.once.Do(func() {
		r.metrics = &metrics{
			passes: prometheus.NewCounter(prometheus.CounterOpts{Name: "agentpulse_retention_passes_total",
				Help: "Retention passes completed."}),
			failures: prometheus.NewCounter(prometheus.CounterOpts{Name: "agentpulse_retention_pass_failures_total",
				Help: "Retention passes that failed (retried at the next interval)."}),
			removed: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "agentpulse_retention_removed_total",
				Help: "What retention passes removed, by kind (interactions, revisions, buckets)."}, []string{"kind"}),
			erasures: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "agentpulse_erasures_total",
				Help: "Erasures done on request, by kind (customer, agent)."}, []string{"kind"}),
		}
	})
	return r.metrics
}

// Collectors returns the runner's metrics.
func (r *Runner) Collectors() []prometheus.Collector {
	m := r.m()
	return []prometheus.Collector{m.passes, m.failures, m.removed, m.erasures}
}

func (r *Runner) now() time.Time {
	if r.Now != nil {
		return r.Now().UTC()
	}
	return time.Now().UTC()
}

func (r *Runner) log() *slog.Logger {
	if r.Logger != nil {
		return r.Logger
	}
	return slog.New(slog.DiscardHandler)
}

// Run waits for the policy and Hold, re-applies every customer erasure
// (an embedded store rebuilt from the log holds the keys again), then
// makes a pass every Interval and after every setting change until ctx
// ends. A failed pass is logged and counted; Run returns nil.
func (r *Runner) Run(ctx context.Context) error {
	tick := time.NewTicker(100 * time.Millisecond)
	for r.Policy.Ready(ctx) != nil || (r.Hold != nil && r.Hold() != nil) {
		select {
		case <-ctx.Done():
			tick.Stop()
			return nil
		case <-tick.C:
		}
	}
	tick.Stop()
	if err := r.Reapply(ctx); err != nil && ctx.Err() == nil {
		r.log().Error("retention: erasures not re-applied", "err", err)
	}
	interval := r.Interval
	if interval == 0 {
		interval = DefaultInterval
	}
	var every <-chan time.Time
	if interval > 0 {
		t := time.NewTicker(interval)
		defer t.Stop()
		every = t.C
	}
	for {
		if _, err := r.Pass(ctx); err != nil && ctx.Err() == nil {
			r.m().failures.Inc()
			r.log().Error("retention pass failed", "err", err)
		}
		select {
		case <-ctx.Done():
			return nil
		case <-every:
		case <-r.Policy.wake:
		}
	}
}

// Reapply erases again every erasure of the policy: customer keys are
// blanked again and agents met again (a store rebuilt from the log holds
// their ids) renamed to their pseudonyms. An erasure made under another
// erasure secret is not applied: the error names it and the flag.
func (r *Runner) Reapply(ctx context.Context) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.Policy.AllErasures()) == 0 {
		return nil
	}
	if err := r.checkSecret(ctx); err != nil {
		return err
	}
	var errs []error
	changed := false
	agents := map[string][]string{} // tenant → its agents, listed once
	for _, e := range r.Policy.AllErasures() {
		m, err := r.match(e)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		switch e.Kind {
		case KindCustomer:
			n, err := r.Store.EraseCustomer(ctx, e.Tenant, m)
			errs = append(errs, err)
			changed = changed || n > 0
		case KindAgent:
			list, ok := agents[e.Tenant]
			if !ok {
				list, err = r.Store.RetentionAgents(ctx, e.Tenant)
				if err != nil {
					errs = append(errs, err)
					continue
				}
				agents[e.Tenant] = list
			}
			for _, a := range list {
				if !m.Matches(a) {
					continue
				}
				if _, err := r.erasePlans(ctx, e.Tenant, a, e.Pseudonym); err != nil {
					errs = append(errs, err)
					continue
				}
				n, err := r.Store.EraseAgent(ctx, e.Tenant, a, e.Pseudonym)
				errs = append(errs, err)
				changed = changed || n != (store.AgentErased{})
				if err != nil || (e.Done && e.KeyID != "") {
					continue
				}
				if !e.Done {
					e.Done, e.Removed = true, agentRemoved(n)
				}
				errs = append(errs, r.Policy.AddErasure(ctx, r.keyed(e, a)))
			}
		}
	}
	if changed && r.Refresh != nil {
		r.Refresh()
	}
	return errors.Join(errs...)
}

// Pass removes, for every tenant of the store or the policy, what ended
// before its cutoff, and audits what it removed per tenant.
func (r *Runner) Pass(ctx context.Context) (map[string]store.RetainStats, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	tenants, err := r.Store.RetentionTenants(ctx)
	if err != nil {
		return nil, err
	}
	now := r.now()
	cutoffs := map[string]time.Time{}
	for _, t := range append(tenants, r.Policy.Tenants()...) {
		s, _ := r.Policy.Days(t)
		cutoffs[t] = store.RetentionCutoff(now, s.Days)
	}
	stats, err := r.Store.Retain(ctx, cutoffs)
	if err != nil {
		return nil, err
	}
	m := r.m()
	m.passes.Inc()
	changed := false
	for tenant, st := range stats {
		if st == (store.RetainStats{}) {
			continue
		}
		changed = true
		m.removed.WithLabelValues("interactions").Add(float64(st.Interactions))
		m.removed.WithLabelValues("revisions").Add(float64(st.Revisions))
		m.removed.WithLabelValues("buckets").Add(float64(st.Buckets))
		detail := fmt.Sprintf("ended before %s: %d interactions, %d revisions, %d hourly bucket parts removed",
			cutoffs[tenant].Format(time.DateOnly), st.Interactions, st.Revisions, st.Buckets)
		r.log().Info("retention applied", "tenant", tenant, "cutoff", cutoffs[tenant], "interactions", st.Interactions,
			"revisions", st.Revisions, "buckets", st.Buckets)
		r.Audit.Record(ctx, audit.Event{Tenant: tenant, Actor: "agentpulse", Role: "system", Action: ActionRetentionApplied, Detail: detail})
	}
	if changed && r.Refresh != nil {
		r.Refresh()
	}
	return stats, nil
}

// EraseCustomer blanks the customer_key key of the caller's tenant in the
// store, records the erasure (by the key's keyed hash) and audits it.
func (r *Runner) EraseCustomer(ctx context.Context, c auth.Claims, key string) (Erasure, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if err := r.checkSecret(ctx); err != nil {
		return Erasure{}, err
	}
	e := r.keyed(Erasure{ID: newID(), Tenant: c.Tenant, Kind: KindCustomer, By: c.Subject, Role: string(c.Role), At: r.now()}, key)
	n, err := r.Store.EraseCustomer(ctx, c.Tenant, store.SubjectMatch{Key: r.tenantKey(c.Tenant), Hash: e.Subject})
	if err != nil {
		return Erasure{}, err
	}
	e.Done, e.Removed = true, map[string]int64{"customer_keys": n}
	return e, r.record(ctx, e, fmt.Sprintf("customer_key removed from %d stored revisions", n))
}

// record keeps e on the policy topic and audits it.
func (r *Runner) record(ctx context.Context, e Erasure, detail string) error {
	r.m().erasures.WithLabelValues(e.Kind).Inc()
	if r.Refresh != nil {
		r.Refresh()
	}
	r.Audit.Record(ctx, audit.Event{Time: e.At, Tenant: e.Tenant, Actor: e.By, Role: e.Role, Action: ActionErasure, Target: e.ID, Detail: detail})
	r.log().Info("erasure done", "tenant", e.Tenant, "id", e.ID, "kind", e.Kind, "by", e.By, "removed", e.Removed)
	if err := r.Policy.AddErasure(ctx, e); err != nil {
		return fmt.Errorf("erasure %s done but not recorded: %w", e.ID, err)
	}
	return nil
}

func newID() string {
	var b [8]byte
	_, _ = rand.Read(b[:])
	return "era_" + hex.EncodeToString(b[:])
}

// RequestError refuses an erasure: Status 404 (no such agent) or 409
// (not allowed yet); Field names the request field.
type RequestError struct {
	Status int
	Field  string
	Msg    string
}

func (e *RequestError) Error() string { return e.Msg }

// erase does the erasure of a parsed request.
func (r *Runner) erase(ctx context.Context, c auth.Claims, er ErasureRequest) (Erasure, error) {
	if er.Kind == KindCustomer {
		return r.EraseCustomer(ctx, c, er.CustomerKey)
	}
	return r.EraseAgent(ctx, c, er.AgentID)
}
