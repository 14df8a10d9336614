package httpmw

import (
	"github.com/prometheus/client_golang/prometheus"
)

// Values of the limit label of agentpulse_api_limit_reached_total.
const (
	limitRate      = "rate"
	limitBodyBytes = "body_bytes"
)

// metrics are the middleware's Prometheus metrics. The route label is
// chi's route pattern ("/v1/agents/{agent}/performance"), never a path
// with ids in it; unmatched paths are "unmatched".
type metrics struct {
	requests     *prometheus.CounterVec   // agentpulse_api_requests_total{route,code}
	duration     *prometheus.HistogramVec // agentpulse_api_request_duration_seconds{route}
	limitReached *prometheus.CounterVec   // agentpulse_api_limit_reached_total{limit}
	ratePerSec   prometheus.Gauge         // agentpulse_api_rate_limit_requests_per_second
}

func newMetrics(reg prometheus.Registerer, rate int) (*metrics, error) {
	m := &metrics{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "agentpulse_api_requests_total",
			Help: "Requests answered by the client-facing API, by route pattern and HTTP status code.",
		}, []string{"route", "code"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "agentpulse_api_request_duration_seconds",
			Help:    "Time to answer a request of the client-facing API, by route pattern.",
			Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 10},
		}, []string{"route"}),
		limitReached: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "agentpulse_api_limit_reached_total",
			Help: "Requests refused by an admission limit: rate (429) or body_bytes (413).",
		}, []string{"limit"}),
		ratePerSec: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "agentpulse_api_rate_limit_requests_per_second",
			Help: "Requests per second one caller may make (--api-rate); 0 when off.",
		}),
	}
	m.ratePerSec.Set(float64(max(rate, 0)))
	m.limitReached.WithLabelValues(limitRate)
	m.limitReached.WithLabelValues(limitBodyBytes)
	if reg == nil {
		return m, nil
	}
	for _, c := range []prometheus.Collector{m.requests, m.duration, m.limitReached, m.ratePerSec} {
		if err := reg.Register(c); err != nil {
			return nil, err
		}
	}
	return m, nil
}
