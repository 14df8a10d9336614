package connectors

import (
	"strconv"
	"sync"

	"github.com/prometheus/client_golang/prometheus"
)

// StatsSource is a connector with a bounded pending table (genesys,
// twilio).
type StatsSource interface {
	Name() string
	Stats() Stats
}

// Metrics are the connectors' Prometheus metrics. Labels are the connector,
// the HTTP status, the outcome and the skip reason; never a tenant, agent or
// interaction id.
//
//	agentpulse_ingest_connector_deliveries_total{connector,status}
//	agentpulse_ingest_connector_results_total{connector,outcome,reason}
//	agentpulse_ingest_connector_pending_entries{connector}
//	agentpulse_ingest_connector_pending_capacity_entries{connector}
//	agentpulse_ingest_connector_pending_limit_reached_total{connector}
//	agentpulse_ingest_connector_pending_expired_total{connector}
//
// Safe for concurrent use.
type Metrics struct {
	deliveries *prometheus.CounterVec
	results    *prometheus.CounterVec
	pending    *pendingCollector
}

// NewMetrics creates the metrics and registers them with reg (nil: not
// registered, for tests).
func NewMetrics(reg prometheus.Registerer) *Metrics {
	m := &Metrics{
		deliveries: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "agentpulse_ingest_connector_deliveries_total",
			Help: "Webhook deliveries answered, by connector and HTTP status.",
		}, []string{"connector", "status"}),
		results: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "agentpulse_ingest_connector_results_total",
			Help: "Records of authenticated deliveries, by connector, outcome (accepted, failed, skipped) and skip reason.",
		}, []string{"connector", "outcome", "reason"}),
		pending: &pendingCollector{
			entries:  prometheus.NewDesc("agentpulse_ingest_connector_pending_entries", "Interactions waiting in a connector's join table.", []string{"connector"}, nil),
			capacity: prometheus.NewDesc("agentpulse_ingest_connector_pending_capacity_entries", "Capacity of a connector's join table.", []string{"connector"}, nil),
			limit:    prometheus.NewDesc("agentpulse_ingest_connector_pending_limit_reached_total", "Entries pushed out of a full join table before their timeout.", []string{"connector"}, nil),
			expired:  prometheus.NewDesc("agentpulse_ingest_connector_pending_expired_total", "Entries that left a join table at their deadline.", []string{"connector"}, nil),
		},
	}
	if reg != nil {
		reg.MustRegister(m.deliveries, m.results, m.pending)
	}
	return m
}

// WatchPending exports src's pending table.
func (m *Metrics) WatchPending(src StatsSource) {
	m.pending.mu.Lock()
	defer m.pending.mu.Unlock()
	m.pending.sources = append(m.pending.sources, src)
}

// ObserveResults counts results by outcome and skip reason.
func (m *Metrics) ObserveResults(connector string, rs []Result) {
	if m == nil {
		return
	}
	for i := range rs {
		switch {
		case rs[i].Interaction != nil:
			m.results.WithLabelValues(connector, "accepted", "").Inc()
		case rs[i].Err != nil:
			m.results.WithLabelValues(connector, "failed", "").Inc()
		default:
			m.results.WithLabelValues(connector, "skipped", rs[i].Skipped).Inc()
		}
	}
}

// observeDelivery counts one answered delivery.
func (m *Metrics) observeDelivery(connector string, status int) {
	if m != nil {
		m.deliveries.WithLabelValues(connector, strconv.Itoa(status)).Inc()
	}
}

// pendingCollector reads the watched tables at scrape time.
type pendingCollector struct {
	mu                                sync.Mutex
	sources                           []StatsSource
	entries, capacity, limit, expired *prometheus.Desc
}

func (c *pendingCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- c.entries
	ch <- c.capacity
	ch <- c.limit
	ch <- c.expired
}

func (c *pendingCollector) Collect(ch chan<- prometheus.Metric) {
	c.mu.Lock()
	sources := append([]StatsSource(nil), c.sources...)
	c.mu.Unlock()
	for _, src := range sources {
		s, name := src.Stats(), src.Name()
		ch <- prometheus.MustNewConstMetric(c.entries, prometheus.GaugeValue, float64(s.Len), name)
		ch <- prometheus.MustNewConstMetric(c.capacity, prometheus.GaugeValue, float64(s.Cap), name)
		ch <- prometheus.MustNewConstMetric(c.limit, prometheus.CounterValue, float64(s.Pushed), name)
		ch <- prometheus.MustNewConstMetric(c.expired, prometheus.CounterValue, float64(s.Expired), name)
	}
}
