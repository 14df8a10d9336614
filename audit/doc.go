// Package audit owns the audit log of security-relevant actions: sign-ins
// (and refused ones), API keys created, revoked and rotated, coaching
// plans created and cancelled, the assistance catalogue changed. Each event
// names the tenant, who acted (subject and role), what they did, to what,
// and when.
//
// Events are appended to the Kafka topic "audit" (DefaultTopic, one
// partition, kept for DefaultRetention, 400 days: set the topic's
// retention.ms to the data protection officer's policy), the durable
// record; every server process replays and tails it into a bounded
// in-memory view per tenant (the newest MaxPerTenant events) that admins
// query with GET /v1/audit. Recording is best effort for the action
// audited: a failed write is logged and counted, never a reason to refuse
// the action (the broker that would keep the event is also the one the
// action needs).
//
// The topic's mechanics (creation, replay then tail, acknowledged
// appends, readiness) are internal/topiclog's.
//
// Concurrency: a Log is safe for concurrent use; a nil *Log records
// nothing.
package audit
