// Package kafkasec owns how every Kafka client of the product secures its
// connections: TLS (a CA to trust, an optional client certificate) and SASL
// (PLAIN, SCRAM-SHA-256, SCRAM-SHA-512, through franz-go's sasl plugins),
// turned into kgo options that each part adds to its clients, and the
// explanation of a failed connection naming the setting to fix (a wrong
// password names --kafka-sasl-password, an untrusted certificate
// --kafka-tls-ca).
//
// It sits below ingest, processor and server and imports none of them.
//
// Concurrency: a Config is a plain value; Opts and Explain are safe for
// concurrent use.
package kafkasec
