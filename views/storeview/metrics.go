package storeview

import "github.com/prometheus/client_golang/prometheus"

// cacheMetrics are the benchmark cache's counters, registered with
// CacheConfig.Registerer when one is given.
type cacheMetrics struct {
	builds  prometheus.Counter
	slides  prometheus.Counter
	rereads prometheus.Counter
	// wideRereads counts re-reads of many dirty agents by one model-wide
	// sum (more than the limit of a query naming them).
	wideRereads prometheus.Counter
	evictions   prometheus.Counter
	updates     prometheus.Counter
	refused     prometheus.Counter
	warmups     prometheus.Counter
	refreshes   prometheus.Counter
	warmed      prometheus.Gauge
	// rosterAgents counts agents read with tenants' rosters, rosterMoves
	// the updates that changed an agent's current team.
	rosterAgents prometheus.Counter
	rosterMoves  prometheus.Counter
}

func newCacheMetrics(reg prometheus.Registerer) *cacheMetrics {
	c := func(name, help string) prometheus.Counter {
		return prometheus.NewCounter(prometheus.CounterOpts{Name: "agentpulse_storeview_cache_" + name, Help: help})
	}
	m := &cacheMetrics{
		builds:       c("builds_total", "Full builds of a (tenant, model) entry: one scan of its widest range."),
		slides:       c("slides_total", "Moves of an entry's ranges to a later end hour without a full build."),
		rereads:      c("agent_rereads_total", "Agents whose sealed hours were read again after a late update or correction."),
		wideRereads:  c("wide_rereads_total", "Re-reads of many dirty agents by one model-wide sum instead of their own key ranges (never a rebuild)."),
		evictions:    c("evictions_total", "(tenant, model) entries dropped as least recently used."),
		updates:      c("updates_total", "Processor updates fed to OnUpdate."),
		refused:      c("refused_total", "Requests answered ErrWarming: their entry was still building after CacheConfig.BuildWait."),
		warmups:      c("warmups_total", "Passes of the warm-up (Run) over every (tenant, model) with data."),
		rosterAgents: c("roster_agents_loaded_total", "Agents read with tenants' rosters from the store (once per tenant and server)."),
		rosterMoves:  c("roster_moves_total", "Updates that changed an agent's current team."),
		refreshes:    c("refreshes_total", "Times every cached figure was dropped (Refresh: a rebuilt marker, a catch-up that ended)."),
		warmed: prometheus.NewGauge(prometheus.GaugeOpts{Name: "agentpulse_storeview_cache_warmed",
			Help: "1 once the first warm-up pass has built every (tenant, model) entry and read the tenants' rosters, else 0."}),
	}
	if reg != nil {
		reg.MustRegister(m.builds, m.slides, m.rereads, m.wideRereads, m.evictions, m.updates, m.refused, m.warmups, m.refreshes, m.warmed, m.rosterAgents, m.rosterMoves)
	}
	return m
}
