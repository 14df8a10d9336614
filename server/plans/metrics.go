package plans

import "github.com/prometheus/client_golang/prometheus"

// metrics are the service's Prometheus metrics; Collectors registers them.
type metrics struct {
	created   prometheus.Counter
	settled   *prometheus.CounterVec
	updates   *prometheus.CounterVec
	queueCap  prometheus.Gauge
	evalFails prometheus.Counter
}

func newMetrics() *metrics {
	return &metrics{
		created: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "agentpulse_plans_created_total", Help: "Coaching plans created."}),
		settled: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "agentpulse_plans_settled_total", Help: "Plans settled at their target date, by result (achieved, missed)."}, []string{"result"}),
		updates: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "agentpulse_plans_updates_total", Help: "Plan re-evaluations after processor updates, by result (queued, dropped, done, failed)."}, []string{"result"}),
		queueCap: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "agentpulse_plans_queue_capacity", Help: "Capacity of the plan re-evaluation queue."}),
		evalFails: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "agentpulse_plans_sweep_errors_total", Help: "Plans the sweeper failed to settle or seal (retried next sweep)."}),
	}
}

// Collectors returns the service's metrics, for a prometheus.Registerer.
func (s *Service) Collectors() []prometheus.Collector {
	s.met.queueCap.Set(float64(cap(s.work)))
	ql := prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Name: "agentpulse_plans_queue_length", Help: "Re-evaluations waiting in the plan queue."}, func() float64 { return float64(len(s.work)) })
	return []prometheus.Collector{s.met.created, s.met.settled, s.met.updates, s.met.queueCap, ql, s.met.evalFails}
}
