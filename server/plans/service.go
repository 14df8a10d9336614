package plans

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"hash/fnv"
	"slices"
	"sync"

	"github.com/agentpulse/agentpulse/audit"
	"github.com/agentpulse/agentpulse/auth"
	"github.com/agentpulse/agentpulse/processor/store"
	"github.com/agentpulse/agentpulse/views"
)

// Service is the coaching-plan service. Build it with New, mount its
// routes with Routes, feed it updates with OnUpdate and run its workers
// and sweeper with Run.
type Service struct {
	cfg   Config
	locks [64]sync.Mutex
	// agentLocks serialise the duplicate check and store of Create per
	// agent; a separate set from locks, which Create takes inside them.
	agentLocks [64]sync.Mutex
	// riskTold holds the plans already told at risk (tenant/id).
	riskTold sync.Map
	idx      index
	work     chan work
	met      *metrics
}

// New returns the service over cfg. It fails when a required Config field
// is missing.
func New(cfg Config) (*Service, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	return &Service{cfg: cfg, idx: newIndex(), work: make(chan work, cfg.QueueSize), met: newMetrics()}, nil
}

// lock serialises the changes of one plan within the process.
func (s *Service) lock(tenant, id string) func() { return lockOf(&s.locks, tenant, id) }

// lockOf locks the stripe of set that tenant/key hashes to and returns
// its unlock.
func lockOf(set *[64]sync.Mutex, tenant, key string) func() {
	h := fnv.New32a()
	h.Write([]byte(tenant + "/" + key))
	m := &set[h.Sum32()%uint32(len(set))]
	m.Lock()
	return m.Unlock
}

// newID returns a random, URL-safe plan id (22 characters, 128 bits).
func newID() string {
	var b [16]byte
	_, _ = rand.Read(b[:]) // never fails (crypto/rand)
	return base64.RawURLEncoding.EncodeToString(b[:])
}

// nextVersion is a version above prev: the clock's unix nanoseconds, or
// prev+1 when the clock is not ahead.
func (s *Service) nextVersion(prev int64) int64 {
	return max(prev+1, s.cfg.Now().UnixNano())
}

// checkAgent reports whether c may see agent's plans: role agent only
// their own; supervisor an agent whose current team they lead; admin
// anyone in the tenant.
func (s *Service) checkAgent(ctx context.Context, c auth.Claims, agent string) error {
	switch c.Role {
	case auth.RoleAgent:
		if c.Subject == agent {
			return nil
		}
		return forbidden("agent", "role agent may see only its own plans (agent %q)", c.Subject)
	case auth.RoleSupervisor:
		team, ok, err := s.cfg.Views.TeamOf(ctx, c.Tenant, agent)
		if err != nil {
			return fmt.Errorf("team of agent %q: %w", agent, err)
		}
		if ok && c.Leads(team) {
			return nil
		}
		return forbidden("agent", "agent %q is not in a team this supervisor leads", clip(agent))
	case auth.RoleAdmin:
		return nil
	}
	return forbidden("role", "role %s may not use coaching plans", c.Role)
}

// loadVisible returns the tenant's plan id when c may see it; otherwise
// errNoPlan, whether the plan exists or not.
func (s *Service) loadVisible(ctx context.Context, c auth.Claims, id string) (store.PlanRecord, error) {
	rec, err := s.cfg.Plans.Plan(ctx, c.Tenant, id)
	if errors.Is(err, store.ErrPlanNotFound) {
		return store.PlanRecord{}, errNoPlan(id)
	}
	if err != nil {
		return store.PlanRecord{}, fmt.Errorf("read plan: %w", err)
	}
	if err := s.checkAgent(ctx, c, rec.Plan.AgentID); err != nil {
		if errors.Is(err, ErrForbidden) {
			return store.PlanRecord{}, errNoPlan(id)
		}
		return store.PlanRecord{}, err
	}
	return rec, nil
}

// save stores rec with a new version, keeps the index in step and
// publishes the plan.
func (s *Service) save(ctx context.Context, rec store.PlanRecord, prev int64) (store.PlanRecord, error) {
	rec.Version = s.nextVersion(prev)
	if err := s.cfg.Plans.PutPlan(ctx, rec); err != nil {
		return store.PlanRecord{}, fmt.Errorf("store plan: %w", err)
	}
	s.idx.put(rec.Plan)
	s.publish(rec.Plan)
	return rec, nil
}

func (s *Service) publish(p views.Plan) {
	if s.cfg.Publisher != nil {
		s.cfg.Publisher.Publish(p.TenantID, "plan:"+p.ID, "plan", p)
	}
}

// Create validates in for agent at the clock's instant (views.ValidatePlan
// with the model's metrics and the agent's Start from the store) and
// stores the in-progress plan it makes. A refused input is a
// views.FieldErrors naming every broken rule.
func (s *Service) Create(ctx context.Context, c auth.Claims, agent string, in views.PlanInput) (views.Plan, error) {
	if err := s.checkAgent(ctx, c, agent); err != nil {
		return views.Plan{}, err
	}
	defer s.lock(c.Tenant, "\x00agent\x00"+agent)()
	if err := s.checkActive(ctx, c.Tenant, agent); err != nil {
		return views.Plan{}, err
	}
	now := s.cfg.Now().UTC()
	in = in.Normalized()
	var metrics []views.Metric
	if in.Model != "" {
		var err error
		if metrics, err = s.cfg.Views.ModelMetrics(ctx, c.Tenant, in.Model); err != nil {
			return views.Plan{}, err
		}
	}
	start, haveStart := 0.0, false
	if len(metrics) > 0 && in.Inquiry != "" && views.HasMetric(metrics, in.Metric) {
		sums, err := s.cfg.Views.AgentInquirySums(ctx, c.Tenant, in.Model, agent, in.Inquiry, views.StartWindow(now))
		if err != nil {
			return views.Plan{}, err
		}
		start, haveStart = sums.Value(in.Metric, s.cfg.Views.Params().Floor)
	}
	warnings, err := views.ValidatePlan(in, now, metrics, haveStart)
	if err != nil {
		return views.Plan{}, err
	}
	// One plan in progress per agent, model, inquiry and metric: the
	// check and the store are serialised per agent within the process.
	defer lockOf(&s.agentLocks, c.Tenant, agent)()
	if dup, err := s.inProgressLike(ctx, c.Tenant, agent, in); err != nil {
		return views.Plan{}, err
	} else if dup != nil {
		return views.Plan{}, errDuplicate(dup)
	}
	p := views.Plan{
		ID: newID(), TenantID: c.Tenant, AgentID: agent,
		Model: in.Model, Inquiry: in.Inquiry, Metric: in.Metric,
		ImprovementPct: in.ImprovementPct, TargetDate: in.TargetDate,
		StartValue: start, TargetValue: views.PlanTarget(in.Metric, start, in.ImprovementPct),
		Status: views.PlanInProgress, CreatedAt: now,
		Actions: make([]views.PlanAction, 0, len(in.Actions)), Assistance: slices.Clone(in.Assistance),
		Warnings: []string{}, History: []views.DayValue{}, Comments: []views.PlanComment{},
		CreatedBy: actor(c),
	}
	for _, a := range in.Actions {
		p.Actions = append(p.Actions, views.PlanAction{Text: a})
	}
	for _, w := range warnings {
		p.Warnings = append(p.Warnings, w.Error())
	}
	rec, _, err := s.evaluate(ctx, store.PlanRecord{Plan: p}, now)
	if err != nil {
		return views.Plan{}, err
	}
	rec, err = s.save(ctx, rec, 0)
	if err != nil {
		return views.Plan{}, err
	}
	s.met.created.Inc()
	s.cfg.Audit.Record(ctx, audit.By(c, audit.PlanCreated, rec.Plan.ID, fmt.Sprintf("agent %s, %s %s %s", agent, in.Model, in.Inquiry, in.Metric)))
	if len(rec.Plan.Assistance) > 0 {
		s.emit(ctx, EventHelpAsked, rec.Plan)
	}
	return rec.Plan, nil
}

// checkActive refuses a new plan for an agent who holds
// MaxActivePerAgent plans in progress already. Called under the agent's
// lock, so one process's concurrent creates do not pass it together.
func (s *Service) checkActive(ctx context.Context, tenant, agent string) error {
	recs, err := s.cfg.Plans.Plans(ctx, store.PlanQuery{Tenant: tenant, Agent: agent, Status: views.PlanInProgress})
	if err != nil {
		return fmt.Errorf("count plans: %w", err)
	}
	if len(recs) >= s.cfg.MaxActivePerAgent {
		return conflict("agent", "agent %q has %d plans in progress, the most allowed; finish or cancel one first", clip(agent), len(recs))
	}
	return nil
}

// actor is the holder of c, as a plan records them.
func actor(c auth.Claims) *views.PlanActor {
	return &views.PlanActor{Subject: c.Subject, Role: string(c.Role)}
}

// inProgressLike returns the agent's in-progress plan on in's model,
// inquiry and metric, or nil. A plan stored as in progress whose due time
// has passed is settled first (refresh), so an ended plan never blocks.
func (s *Service) inProgressLike(ctx context.Context, tenant, agent string, in views.PlanInput) (*views.Plan, error) {
	recs, err := s.cfg.Plans.Plans(ctx, store.PlanQuery{Tenant: tenant, Agent: agent, Status: views.PlanInProgress})
	if err != nil {
		return nil, fmt.Errorf("list plans: %w", err)
	}
	for _, r := range recs {
		p := r.Plan
		if p.Model != in.Model || p.Inquiry != in.Inquiry || p.Metric != in.Metric {
			continue
		}
		cur, err := s.refresh(ctx, tenant, p.ID, nil)
		if err != nil {
			return nil, err
		}
		if cur.Plan.Status == views.PlanInProgress {
			return &cur.Plan, nil
		}
	}
	return nil, nil
}

// Get returns the plan as of now: Now re-evaluated, a due plan settled.
func (s *Service) Get(ctx context.Context, c auth.Claims, id string) (views.Plan, error) {
	if _, err := s.loadVisible(ctx, c, id); err != nil {
		return views.Plan{}, err
	}
	rec, err := s.refresh(ctx, c.Tenant, id, nil)
	return rec.Plan, err
}

// List returns the agent's plans, newest created first, each as of now;
// status "" means every status.
func (s *Service) List(ctx context.Context, c auth.Claims, agent string, status views.PlanStatus) ([]views.Plan, error) {
	if err := s.checkAgent(ctx, c, agent); err != nil {
		return nil, err
	}
	recs, err := s.cfg.Plans.Plans(ctx, store.PlanQuery{Tenant: c.Tenant, Agent: agent})
	if err != nil {
		return nil, fmt.Errorf("list plans: %w", err)
	}
	out := []views.Plan{}
	for _, r := range recs {
		rec, err := s.refresh(ctx, c.Tenant, r.Plan.ID, nil)
		if err != nil {
			return nil, err
		}
		if status == "" || rec.Plan.Status == status {
			out = append(out, rec.Plan)
		}
	}
	return out, nil
}

// SetAction marks action index (0-based) of an in-progress plan done or
// not done.
func (s *Service) SetAction(ctx context.Context, c auth.Claims, id string, index int, done bool) (views.Plan, error) {
	if _, err := s.loadVisible(ctx, c, id); err != nil {
		return views.Plan{}, err
	}
	rec, err := s.refresh(ctx, c.Tenant, id, func(rec *store.PlanRecord) error {
		p := &rec.Plan
		if p.Status != views.PlanInProgress {
			return conflict("status", "the plan is %s; actions can be ticked only while it is in progress", p.Status)
		}
		if index < 0 || index >= len(p.Actions) {
			return notFound("index", "the plan has %d actions (index 0 to %d); got %d", len(p.Actions), len(p.Actions)-1, index)
		}
		p.Actions = slices.Clone(p.Actions)
		p.Actions[index].Done = done
		return nil
	})
	return rec.Plan, err
}

// Cancel ends an in-progress plan as cancelled; any other status is a
// conflict (views.Transition).
func (s *Service) Cancel(ctx context.Context, c auth.Claims, id string) (views.Plan, error) {
	if _, err := s.loadVisible(ctx, c, id); err != nil {
		return views.Plan{}, err
	}
	rec, err := s.refresh(ctx, c.Tenant, id, func(rec *store.PlanRecord) error {
		if err := views.Transition(rec.Plan.Status, views.PlanCancelled); err != nil {
			return conflict("status", "the plan is already %s; only a plan in progress can be cancelled", rec.Plan.Status)
		}
		rec.Plan.Status = views.PlanCancelled
		rec.Plan.CancelledBy = actor(c)
		return nil
	})
	if err == nil {
		s.cfg.Audit.Record(ctx, audit.By(c, audit.PlanCancelled, id, "agent "+rec.Plan.AgentID))
	}
	return rec.Plan, err
}

// refresh re-evaluates the stored plan as of now under its lock, applies
// change (when not nil) and stores the result when it changed durably
// (a settlement, sealed days, or change).
func (s *Service) refresh(ctx context.Context, tenant, id string, change func(*store.PlanRecord) error) (store.PlanRecord, error) {
	defer s.lock(tenant, id)()
	rec, err := s.cfg.Plans.Plan(ctx, tenant, id)
	if err != nil {
		if errors.Is(err, store.ErrPlanNotFound) {
			return store.PlanRecord{}, errNoPlan(id)
		}
		return store.PlanRecord{}, fmt.Errorf("read plan: %w", err)
	}
	prev := rec.Version
	out, durable, err := s.evaluate(ctx, rec, s.cfg.Now())
	if err != nil {
		return store.PlanRecord{}, err
	}
	if change != nil {
		if err := change(&out); err != nil {
			if durable { // keep the settlement even when the change is refused
				saved, serr := s.save(ctx, out, prev)
				if serr != nil {
					return store.PlanRecord{}, serr
				}
				s.emitSettled(ctx, rec.Plan.Status, saved.Plan)
			}
			return store.PlanRecord{}, err
		}
		durable = true
	}
	if !durable {
		return out, nil
	}
	saved, err := s.save(ctx, out, prev)
	if err == nil {
		s.emitSettled(ctx, rec.Plan.Status, saved.Plan)
	}
	return saved, err
}
