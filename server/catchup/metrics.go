package catchup

import "github.com/prometheus/client_golang/prometheus"

type metrics struct {
	open      prometheus.Gauge
	behind    prometheus.Gauge
	pending   prometheus.Gauge
	markers   prometheus.Counter
	refreshes prometheus.Counter
	refused   prometheus.Counter
}

func newMetrics(reg prometheus.Registerer) *metrics {
	m := &metrics{
		open: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "agentpulse_catchup_open",
			Help: "1 while figures are answered, 0 while the store is catching up with the log (reads answer 503).",
		}),
		behind: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "agentpulse_catchup_behind_records",
			Help: "Records the store is behind the interactions topic's end, all partitions, as of the last comparison.",
		}),
		pending: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "agentpulse_catchup_pending_partitions",
			Help: "Partitions being rebuilt: their store has not reached the log end seen while they were behind.",
		}),
		markers: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "agentpulse_catchup_rebuilt_markers_total",
			Help: "Rebuilt markers received from the processor.",
		}),
		refreshes: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "agentpulse_catchup_refreshes_total",
			Help: "Times the cached figures were dropped to be read again from the store (gate opening, rebuilt marker).",
		}),
		refused: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "agentpulse_catchup_refused_total",
			Help: "Requests answered 503 because the store was catching up.",
		}),
	}
	if reg != nil {
		reg.MustRegister(m.open, m.behind, m.pending, m.markers, m.refreshes, m.refused)
	}
	return m
}
