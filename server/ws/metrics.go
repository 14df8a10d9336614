package ws

import "github.com/prometheus/client_golang/prometheus"

// metrics are the hub's Prometheus metrics. Labels never carry tenant,
// channel, agent or connection ids.
type metrics struct {
	connections   prometheus.Gauge
	upgrades      *prometheus.CounterVec // by result
	disconnects   *prometheus.CounterVec // by reason
	subscriptions prometheus.Gauge
	subscribes    *prometheus.CounterVec // by result: snapshot, replay, error
	channels      prometheus.Gauge
	published     *prometheus.CounterVec // by type
	sent          *prometheus.CounterVec // by type
	sentBytes     prometheus.Counter
	queueBytes    prometheus.Gauge
	queueCapacity prometheus.Gauge
	limitReached  *prometheus.CounterVec // by limit
	clientErrors  *prometheus.CounterVec // by error code
	snapshotSecs  prometheus.Histogram
	reauthorized  prometheus.Counter // subscriptions dropped on re-authorization
}

func newMetrics(reg prometheus.Registerer) *metrics {
	m := &metrics{
		connections: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "agentpulse_ws_connections",
			Help: "Open websocket connections.",
		}),
		upgrades: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "agentpulse_ws_upgrades_total",
			Help: "Websocket upgrade requests, by result (ok, unauthorized, forbidden, origin, limit, failed).",
		}, []string{"result"}),
		disconnects: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "agentpulse_ws_disconnects_total",
			Help: "Connections ended, by reason (client, slow, write_timeout, no_pong, token_expired, too_big, bad_client, shutdown, write_error).",
		}, []string{"reason"}),
		subscriptions: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "agentpulse_ws_subscriptions",
			Help: "Subscriptions held by open connections.",
		}),
		subscribes: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "agentpulse_ws_subscribes_total",
			Help: "Subscribe requests, by result (snapshot, replay, error).",
		}, []string{"result"}),
		channels: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "agentpulse_ws_channels",
			Help: "Channels held (with subscribers, or with history kept for resumes).",
		}),
		published: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "agentpulse_ws_published_messages_total",
			Help: "Messages published to channels that have subscribers or history, by type (score, plan), and tenant-wide pushes by op (names).",
		}, []string{"type"}),
		sent: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "agentpulse_ws_messages_sent_total",
			Help: "Messages written to clients, by type (snapshot, score, plan, error, unsubscribed).",
		}, []string{"type"}),
		sentBytes: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "agentpulse_ws_sent_bytes_total",
			Help: "Bytes of messages written to clients.",
		}),
		queueBytes: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "agentpulse_ws_queue_bytes",
			Help: "Bytes waiting in the outbound queues of all connections.",
		}),
		queueCapacity: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "agentpulse_ws_queue_capacity_bytes",
			Help: "Capacity of each connection's outbound queue, in bytes (--ws-max-queue-bytes).",
		}),
		limitReached: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "agentpulse_ws_limit_reached_total",
			Help: "Times a limit was hit, by limit (queue_bytes, subscriptions, connections, read_bytes, channels, subscribe_rate).",
		}, []string{"limit"}),
		clientErrors: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "agentpulse_ws_client_errors_total",
			Help: "Error messages sent to clients, by error code.",
		}, []string{"error"}),
		reauthorized: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "agentpulse_ws_subscriptions_revoked_total",
			Help: "Subscriptions dropped because a re-authorization refused them (the holder's access changed).",
		}),
		snapshotSecs: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "agentpulse_ws_snapshot_duration_seconds",
			Help:    "Time to build one subscription's snapshot.",
			Buckets: prometheus.ExponentialBuckets(0.0005, 2, 16),
		}),
	}
	if reg != nil {
		reg.MustRegister(m.connections, m.upgrades, m.disconnects, m.subscriptions, m.subscribes, m.channels,
			m.published, m.sent, m.sentBytes, m.queueBytes, m.queueCapacity, m.limitReached, m.clientErrors, m.snapshotSecs, m.reauthorized)
	}
	return m
}
