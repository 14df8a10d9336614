// Package broker owns agentpulse's side of Kafka: the embedded
// Kafka-protocol broker (franz-go's kfake, durable in a data directory)
// that `agentpulse all` and `agentpulse broker` run, and the topics every
// part expects (interactions, interactions.dlq, updates), created at start
// with their configured partition counts whether the broker is embedded or
// external (Kafka, Redpanda).
//
// Any Kafka client (kcat, librdkafka) can produce to and consume from the
// embedded broker: it speaks the real protocol on a TCP port.
package broker
