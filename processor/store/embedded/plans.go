package embedded

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"sync"

	"github.com/agentpulse/agentpulse/processor/store"
)

// planMem holds plans and catalogues in memory. Records are kept as their
// JSON encoding, so a caller never shares slices with the store.
type planMem struct {
	mu       sync.RWMutex
	plans    map[interactionKey]storedPlan // tenant, plan id
	catalogs map[string]storedCatalog
}

type storedPlan struct {
	rec  store.PlanRecord // History, Actions... owned by the store
	json []byte
}

type storedCatalog struct {
	items   []string
	version int64
}

func newPlanMem() planMem {
	return planMem{plans: map[interactionKey]storedPlan{}, catalogs: map[string]storedCatalog{}}
}

var _ store.PlanStore = (*Store)(nil)

// PutPlan stores rec unless a state of the same plan with a higher or
// equal version is stored.
func (s *Store) PutPlan(_ context.Context, rec store.PlanRecord) error {
	b, err := json.Marshal(rec)
	if err != nil {
		return fmt.Errorf("encode plan %q: %w", rec.Plan.ID, err)
	}
	var own store.PlanRecord
	if err := json.Unmarshal(b, &own); err != nil {
		return fmt.Errorf("copy plan %q: %w", rec.Plan.ID, err)
	}
	m := &s.plans
	m.mu.Lock()
	defer m.mu.Unlock()
	k := interactionKey{rec.Plan.TenantID, rec.Plan.ID}
	if old, ok := m.plans[k]; ok && old.rec.Version >= rec.Version {
		return nil
	}
	m.plans[k] = storedPlan{rec: own, json: b}
	return nil
}

// Plan returns the newest state of the tenant's plan id.
func (s *Store) Plan(_ context.Context, tenant, id string) (store.PlanRecord, error) {
	m := &s.plans
	m.mu.RLock()
	sp, ok := m.plans[interactionKey{tenant, id}]
	m.mu.RUnlock()
	if !ok {
		return store.PlanRecord{}, fmt.Errorf("plan %q of tenant %q: %w", id, tenant, store.ErrPlanNotFound)
	}
	return decodePlan(sp.json)
}

// Plans returns the plans q selects, newest created first.
func (s *Store) Plans(_ context.Context, q store.PlanQuery) ([]store.PlanRecord, error) {
	m := &s.plans
	m.mu.RLock()
	var raw [][]byte
	for k, sp := range m.plans {
		p := &sp.rec.Plan
		if (q.Tenant != "" && k.tenant != q.Tenant) || (q.Agent != "" && p.AgentID != q.Agent) || (q.Status != "" && p.Status != q.Status) {
			continue
		}
		raw = append(raw, sp.json)
	}
	m.mu.RUnlock()
	out := make([]store.PlanRecord, 0, len(raw))
	for _, b := range raw {
		rec, err := decodePlan(b)
		if err != nil {
			return nil, err
		}
		out = append(out, rec)
	}
	store.SortPlans(out)
	return out, nil
}

func decodePlan(b []byte) (store.PlanRecord, error) {
	var rec store.PlanRecord
	if err := json.Unmarshal(b, &rec); err != nil {
		return store.PlanRecord{}, fmt.Errorf("decode stored plan: %w", err)
	}
	return rec, nil
}

// AssistanceCatalog returns the tenant's catalogue; ok is false when none
// was stored.
func (s *Store) AssistanceCatalog(_ context.Context, tenant string) ([]string, bool, error) {
	m := &s.plans
	m.mu.RLock()
	defer m.mu.RUnlock()
	c, ok := m.catalogs[tenant]
	return slices.Clone(c.items), ok, nil
}

// PutAssistanceCatalog replaces the tenant's catalogue unless one with a
// higher or equal version is stored.
func (s *Store) PutAssistanceCatalog(_ context.Context, tenant string, items []string, version int64) error {
	m := &s.plans
	m.mu.Lock()
	defer m.mu.Unlock()
	if old, ok := m.catalogs[tenant]; ok && old.version >= version {
		return nil
	}
	m.catalogs[tenant] = storedCatalog{items: slices.Clone(items), version: version}
	return nil
}
