package learn

import "github.com/prometheus/client_golang/prometheus"

// metrics are the learner's Prometheus metrics. Labels never carry tenant,
// agent or interaction ids.
type metrics struct {
	records         *prometheus.CounterVec // by topic and result: applied, undecodable
	checkpoints     prometheus.Counter
	checkpointBytes prometheus.Gauge
	checkpointSecs  prometheus.Histogram
	lowWatermark    prometheus.Gauge
	cells           prometheus.Counter
	parts           prometheus.Counter
}

func newMetrics(reg prometheus.Registerer) *metrics {
	m := &metrics{
		records: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "agentpulse_learn_records_total",
			Help: "Records the outcome learner read, by topic and result (applied, undecodable).",
		}, []string{"topic", "result"}),
		checkpoints: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "agentpulse_learn_checkpoints_total",
			Help: "Checkpoints of the outcome learner written.",
		}),
		checkpointBytes: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "agentpulse_learn_checkpoint_bytes",
			Help: "Size of the outcome learner's last checkpoint: its state, bounded by the last ~31 days.",
		}),
		checkpointSecs: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "agentpulse_learn_checkpoint_duration_seconds",
			Help:    "Time to write one checkpoint of the outcome learner.",
			Buckets: prometheus.ExponentialBuckets(0.001, 2, 14),
		}),
		lowWatermark: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "agentpulse_learn_low_watermark_seconds",
			Help: "Event time (Unix seconds) up to which the slowest partition has been read; 0 when every partition is caught up.",
		}),
		cells: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "agentpulse_learn_cells_total",
			Help: "Learned cells (an interaction's predictions and labels) handed to the sink.",
		}),
		parts: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "agentpulse_learn_parts_written_total",
			Help: "Learned bucket parts (per bucket key, the learned cells of its interactions) written to the store.",
		}),
	}
	if reg != nil {
		reg.MustRegister(m.records, m.checkpoints, m.checkpointBytes, m.checkpointSecs, m.lowWatermark, m.cells, m.parts)
	}
	return m
}
