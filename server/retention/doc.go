// Package retention enforces each tenant's data retention and erases one
// customer's or one agent's personal data on request.
//
// Policy holds the settings (a retention in days per tenant, DefaultDays
// without one) and the erasures done, on the compacted Kafka topic
// "data-policy" (one partition; keys retention/{tenant} and
// erasure/{tenant}/{id}): every server reads it to its end before it is
// Ready and tails it after, so all agree and a restart keeps them. An
// erasure keeps a keyed hash of the customer_key or agent id, never the
// value (subject.go: HMAC-SHA256 under a per-tenant key derived from the
// erasure secret, the same on every server).
//
// Runner applies them to a store.Retainer: a retention pass every
// Interval (and at once after a setting changes) removes what ended
// before each tenant's cutoff (store.RetentionCutoff: the UTC midnight
// Days before today's); an erasure runs when asked (POST /v1/erasures)
// and is re-applied at start, because an embedded store is rebuilt from
// the log, which still holds the key until the topic's retention removes
// it. Every pass that removed something, every setting change and every
// erasure is audited (package audit: who, when, what was removed, counted)
// and drops the figures cache (Refresh).
//
// CustomerErasures (customers.go) is the outcome learner's view of the
// policy (processor/learn Erasures): whether a customer key was erased,
// matched with the erasure secret, and a channel closed when an erasure
// is added (Policy.ErasureChanged).
//
// Passes and erasures are serialized by the Runner's mutex; Run is one
// goroutine; Policy and Runner are safe for concurrent use. Several
// servers may run passes on one ClickHouse: each pass is idempotent and
// only sends a mutation when a count finds rows to remove.
package retention
