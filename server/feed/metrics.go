package feed

import "github.com/prometheus/client_golang/prometheus"

// metrics are the feed's Prometheus metrics.
type metrics struct {
	records       *prometheus.CounterVec // by result: handled, marker, unknown_kind, invalid
	decodeErrors  prometheus.Counter
	lag           *prometheus.GaugeVec // by partition
	handleSeconds prometheus.Histogram
	delay         prometheus.Histogram
}

func newMetrics(reg prometheus.Registerer) *metrics {
	m := &metrics{
		records: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "agentpulse_feed_records_total",
			Help: "Records read from the updates topic, by result (handled, marker, unknown_kind, invalid).",
		}, []string{"result"}),
		decodeErrors: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "agentpulse_feed_decode_errors_total",
			Help: "Update records that did not decode (skipped and logged).",
		}),
		lag: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "agentpulse_feed_lag_records",
			Help: "Records of the updates topic not handled yet, per partition, as of the latest fetch.",
		}, []string{"partition"}),
		handleSeconds: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "agentpulse_feed_handle_duration_seconds",
			Help:    "Time the handlers took for one update.",
			Buckets: prometheus.ExponentialBuckets(0.00001, 4, 10),
		}),
		delay: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "agentpulse_feed_delay_seconds",
			Help:    "Time from an update's produce timestamp to its handling.",
			Buckets: prometheus.ExponentialBuckets(0.0005, 2, 14),
		}),
	}
	if reg != nil {
		reg.MustRegister(m.records, m.decodeErrors, m.lag, m.handleSeconds, m.delay)
	}
	return m
}
