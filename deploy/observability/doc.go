// Package observability holds no code: its tests check the operations
// files in deploy/ against the product. TestPromtool runs `promtool check
// rules` and `promtool test rules` on deploy/prometheus; TestMetricsExist
// checks that every metric the Grafana dashboard (deploy/grafana) and the
// alert rules use is one the code exports, with the list of metrics taken
// from the code itself: the Name of every Prometheus metric declared in the
// repository's Go sources, the Kafka client metrics franz-go's kprom
// registers for the two subsystems the product uses (agentpulse_ingest_kafka,
// agentpulse_processor_kafka), and the Go and process collectors.
package observability
