package storeview

import "github.com/prometheus/client_golang/prometheus"

// cacheMetrics are the benchmark cache's counters, registered with
// CacheConfig.Registerer when one is given.
type cacheMetrics struct {
	builds    prometheus.Counter
	slides    prometheus.Counter
	rereads   prometheus.Counter
	evictions prometheus.Counter
	updates   prometheus.Counter
}

func newCacheMetrics(reg prometheus.Registerer) *cacheMetrics {
	c := func(name, help string) prometheus.Counter {
		return prometheus.NewCounter(prometheus.CounterOpts{Name: "agentpulse_storeview_cache_" + name, Help: help})
	}
	m := &cacheMetrics{
		builds:    c("builds_total", "Full builds of a (tenant, model) entry: one scan of its widest range."),
		slides:    c("slides_total", "Moves of an entry's ranges to a later end hour without a full build."),
		rereads:   c("agent_rereads_total", "Agents whose sealed hours were read again after a late update or correction."),
		evictions: c("evictions_total", "(tenant, model) entries dropped as least recently used."),
		updates:   c("updates_total", "Processor updates fed to OnUpdate."),
	}
	if reg != nil {
		reg.MustRegister(m.builds, m.slides, m.rereads, m.evictions, m.updates)
	}
	return m
}
