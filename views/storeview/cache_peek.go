package storeview

import (
	"github.com/agentpulse/agentpulse/views"
)

// CachedAgentFigures returns the agent's overall figures in the model
// over the preset range spec as the cache holds them now, and the range
// they are for, without reading the store or waiting for a job: it is
// what a pushed score message can afford per update. ok is false when
// spec is not a cached preset, the model's entry is not built or is busy
// (a build or a slide), or the agent has changes in older hours not read
// yet; a caller then leaves the figures out. When ok, the figures are
// exact for the returned range: the cache has every update it was given
// (OnUpdate) for that agent.
func (v *Views) CachedAgentFigures(tenant, agent, model string, spec views.RangeSpec) (f views.Figures, rng views.Range, ok bool) {
	if !v.cached(spec) {
		return f, rng, false
	}
	mc := v.cache.lookup(tenant, model)
	if mc == nil {
		return f, rng, false
	}
	mc.mu.RLock()
	defer mc.mu.RUnlock()
	if !mc.ready || mc.busy != nil || mc.dirty[agent] {
		return f, rng, false
	}
	p := mc.presets[presetIndex(spec)]
	total := p.agentTotal[agent]
	return total.Figures(v.params.Floor), p.rng, true
}
