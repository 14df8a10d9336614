package processor

import "github.com/prometheus/client_golang/prometheus"

// metrics are the processor's Prometheus metrics. Labels never carry
// tenant, agent or interaction ids.
type metrics struct {
	records         *prometheus.CounterVec // by result: applied, unchanged, invalid
	flushSeconds    prometheus.Histogram
	flushRecords    prometheus.Histogram
	flushPartitions prometheus.Histogram
	storeErrors     prometheus.Counter
	updates         *prometheus.CounterVec // by result: sent, failed
	queueCapacity   prometheus.Gauge
	queueLength     prometheus.Gauge
	queueLimit      prometheus.Counter
	partitions      prometheus.Gauge
	lag             prometheus.Gauge
	evicted         prometheus.Counter
	lookups         prometheus.Counter
	snapshots       prometheus.Counter
	snapshotBytes   prometheus.Histogram
	loadPeak        *prometheus.GaugeVec // by partition
	keyFilters      prometheus.Counter
	filterBytes     *prometheus.GaugeVec // by partition

	// Children of records and updates resolved once: a label lookup per
	// record showed in the replay profile.
	applied, unchanged         prometheus.Counter
	updatesSent, updatesFailed prometheus.Counter
}

func newMetrics(reg prometheus.Registerer) *metrics {
	m := &metrics{
		records: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "agentpulse_processor_records_total",
			Help: "Records read from the interactions topic, by result (applied, unchanged, invalid).",
		}, []string{"result"}),
		flushSeconds: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "agentpulse_processor_flush_duration_seconds",
			Help:    "Time to write one batch to the store, retries included.",
			Buckets: prometheus.ExponentialBuckets(0.001, 2, 16),
		}),
		flushRecords: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "agentpulse_processor_flush_records",
			Help:    "Records applied per store write (every partition's batch it carried).",
			Buckets: prometheus.ExponentialBuckets(1, 4, 10),
		}),
		flushPartitions: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "agentpulse_processor_flush_partitions",
			Help:    "Partitions whose batches one store write carried (the processor writes its partitions together).",
			Buckets: prometheus.ExponentialBuckets(1, 2, 8),
		}),
		storeErrors: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "agentpulse_processor_store_errors_total",
			Help: "Failed attempts to write a batch to the store (each is retried).",
		}),
		updates: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "agentpulse_processor_updates_total",
			Help: "Update messages produced to the updates topic, by result (sent, failed).",
		}, []string{"result"}),
		queueCapacity: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "agentpulse_processor_queue_capacity_batches",
			Help: "Capacity of each partition worker's queue, in fetched batches.",
		}),
		queueLength: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "agentpulse_processor_queue_length_batches",
			Help: "Fetched batches waiting in partition workers' queues, all partitions.",
		}),
		queueLimit: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "agentpulse_processor_queue_limit_reached_total",
			Help: "Times the poll loop waited because a partition worker's queue was full.",
		}),
		lag: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "agentpulse_processor_lag_records",
			Help: "Records of the owned partitions not folded yet, as of the latest fetches (measured when /readyz asks).",
		}),
		evicted: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "agentpulse_processor_evicted_interactions_total",
			Help: "Interactions that left memory with their day of event time (older than the state horizon, and stored).",
		}),
		lookups: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "agentpulse_processor_store_lookups_total",
			Help: "Store queries for evicted interactions and bucket parts that a record needed.",
		}),
		snapshots: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "agentpulse_processor_snapshots_total",
			Help: "Snapshots of a partition's hot state written with a checkpoint.",
		}),
		snapshotBytes: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "agentpulse_processor_snapshot_bytes",
			Help:    "Size of each snapshot of a partition's hot state.",
			Buckets: prometheus.ExponentialBuckets(1024, 4, 12),
		}),
		loadPeak: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "agentpulse_processor_load_peak_interactions",
			Help: "Most interactions a partition's state held at once during its last load (a snapshot, or the store's rows when it had none), by partition.",
		}, []string{"partition"}),
		keyFilters: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "agentpulse_processor_key_filters_total",
			Help: "Static filters of a partition's interaction keys built and stored (at a load without snapshot, and whenever the Bloom chain of recent evictions grew past an eighth of the static filter).",
		}),
		filterBytes: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "agentpulse_processor_evicted_filter_bytes",
			Help: "Memory of a partition's filter of evicted interactions (static filter plus Bloom chain), by partition.",
		}, []string{"partition"}),
		partitions: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "agentpulse_processor_partitions",
			Help: "Partitions of the interactions topic this processor owns.",
		}),
	}
	m.applied, m.unchanged = m.records.WithLabelValues("applied"), m.records.WithLabelValues("unchanged")
	m.updatesSent, m.updatesFailed = m.updates.WithLabelValues("sent"), m.updates.WithLabelValues("failed")
	if reg != nil {
		reg.MustRegister(m.records, m.flushSeconds, m.flushRecords, m.flushPartitions, m.storeErrors, m.updates,
			m.queueCapacity, m.queueLength, m.queueLimit, m.partitions, m.lag,
			m.evicted, m.lookups, m.snapshots, m.snapshotBytes, m.loadPeak, m.keyFilters, m.filterBytes)
	}
	return m
}
