package ingest

import (
	"fmt"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// httpMetrics are the HTTP ingest endpoint's Prometheus metrics. Labels
// never carry tenant, agent or interaction ids.
type httpMetrics struct {
	accepted, rejected prometheus.Counter // agentpulse_ingest_records_total{result}
	outcomesAccepted   prometheus.Counter // agentpulse_ingest_outcomes_total{result}
	outcomesRejected   prometheus.Counter
	requests           *prometheus.CounterVec // by HTTP status code
	duration           prometheus.Histogram
	bodyBytes          prometheus.Histogram
	inFlight           prometheus.Gauge
	inFlightCapacity   prometheus.Gauge
	limitReached       *prometheus.CounterVec // by limit: body_bytes, records, in_flight
}

// Values of the limit label of agentpulse_ingest_limit_reached_total.
const (
	limitBodyBytes = "body_bytes"
	limitRecords   = "records"
	limitInFlight  = "in_flight"
)

// newHTTPMetrics builds the metrics and registers them on reg (none when
// reg is nil). It fails when a metric of the same name is registered
// already.
func newHTTPMetrics(reg prometheus.Registerer, capacity int) (*httpMetrics, error) {
	records := prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "agentpulse_ingest_records_total",
		Help: "Records received on POST /v1/ingest/interactions, by result: accepted (durably produced) or rejected (kept on the dead-letter topic).",
	}, []string{"result"})
	outcomes := prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "agentpulse_ingest_outcomes_total",
		Help: "Outcome records received on POST /v1/ingest/outcomes, by result: accepted (durably produced) or rejected (kept on the dead-letter topic).",
	}, []string{"result"})
	m := &httpMetrics{
		accepted:         records.WithLabelValues("accepted"),
		rejected:         records.WithLabelValues("rejected"),
		outcomesAccepted: outcomes.WithLabelValues("accepted"),
		outcomesRejected: outcomes.WithLabelValues("rejected"),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "agentpulse_ingest_requests_total",
			Help: "Requests to POST /v1/ingest/interactions and /v1/ingest/outcomes, by HTTP status code.",
		}, []string{"code"}),
		duration: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "agentpulse_ingest_request_duration_seconds",
			Help:    "Time from a request's arrival to its answer, durable broker acknowledgement included.",
			Buckets: prometheus.ExponentialBuckets(0.001, 2, 16), // 1 ms .. 33 s
		}),
		bodyBytes: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "agentpulse_ingest_body_bytes",
			Help:    "Bytes of request bodies read, as sent (before gzip decompression).",
			Buckets: prometheus.ExponentialBuckets(1<<10, 4, 9), // 1 KiB .. 64 MiB
		}),
		inFlight: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "agentpulse_ingest_inflight_requests",
			Help: "Requests being decoded or produced now.",
		}),
		inFlightCapacity: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "agentpulse_ingest_inflight_capacity_requests",
			Help: "Requests that may be decoded or produced at once (--max-inflight).",
		}),
		limitReached: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "agentpulse_ingest_limit_reached_total",
			Help: "Requests refused whole by a limit: body_bytes (413), records (413) or in_flight (429).",
		}, []string{"limit"}),
	}
	m.inFlightCapacity.Set(float64(capacity))
	for _, l := range []string{limitBodyBytes, limitRecords, limitInFlight} {
		m.limitReached.WithLabelValues(l) // export zeros
	}
	if reg == nil {
		return m, nil
	}
	for _, c := range []prometheus.Collector{records, outcomes, m.requests, m.duration, m.bodyBytes,
		m.inFlight, m.inFlightCapacity, m.limitReached} {
		if err := reg.Register(c); err != nil {
			return nil, fmt.Errorf("register ingest metrics: %w", err)
		}
	}
	return m, nil
}

// request records one answered request.
func (m *httpMetrics) request(code int, took time.Duration) {
	m.requests.WithLabelValues(strconv.Itoa(code)).Inc()
	m.duration.Observe(took.Seconds())
}
