package outcomes

import "slices"

// Holds reports whether the stream keeps the tenant's interaction: seen
// and not dropped yet. A record of an interaction it dropped would be
// taken as a new one (predicted and trained again): the caller decides.
func (s *Stream) Holds(tenant, id string) bool {
	ts := s.tenants[tenant]
	return ts != nil && ts.contacts[id] != nil
}

// Learner returns the tenant model's learner, nil before its first seal.
// Do not mutate it.
func (s *Stream) Learner(tenant, model string) *Learner {
	if ts := s.tenants[tenant]; ts != nil {
		return ts.learners[model]
	}
	return nil
}

// HasModel reports whether the stream has seen a record of the tenant's
// model (one still kept, or a learner).
func (s *Stream) HasModel(tenant, model string) bool {
	ts := s.tenants[tenant]
	if ts == nil {
		return false
	}
	if ts.learners[model] != nil {
		return true
	}
	for _, sc := range ts.contacts {
		if sc.c.Model == model {
			return true
		}
	}
	return false
}

// Pending counts, per target, the tenant model's kept interactions whose
// label is not known yet (as Run's Pending: resolution of contacts with a
// customer key; satisfaction is never pending). It scans the kept
// contacts: for an admin's page, not a hot path.
func (s *Stream) Pending(tenant, model string) (satisfaction, resolution int64) {
	ts := s.tenants[tenant]
	if ts == nil {
		return 0, 0
	}
	for _, sc := range ts.contacts {
		if sc.c.Model == model && sc.c.Customer != "" && !s.labels(ts, sc)[Resolution].Has {
			resolution++
		}
	}
	return 0, resolution
}

// Models lists the tenant models HasModel reports, sorted by tenant then
// model: what the outcome-models summaries cover.
func (s *Stream) Models() []TenantModel {
	var out []TenantModel
	for _, t := range s.tenantNames() {
		ts := s.tenants[t]
		seen := map[string]bool{}
		for m := range ts.learners {
			seen[m] = true
		}
		for _, sc := range ts.contacts {
			seen[sc.c.Model] = true
		}
		ms := make([]string, 0, len(seen))
		for m := range seen {
			ms = append(ms, m)
		}
		slices.Sort(ms)
		for _, m := range ms {
			out = append(out, TenantModel{Tenant: t, Model: m})
		}
	}
	return out
}

// Kept is the number of contacts the stream keeps (live, not yet past
// the horizon), over every tenant.
func (s *Stream) Kept() int {
	n := 0
	for _, ts := range s.tenants {
		n += len(ts.contacts)
	}
	return n
}
