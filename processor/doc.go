// Package processor owns the write side of agentpulse: consuming the
// "interactions" topic as a consumer group, deduplicating by (tenant,
// interaction, revision), folding interactions into per (tenant, model,
// agent, inquiry) hourly aggregates and 20-interaction windows, writing the
// store in batches, and publishing compact updates on the "updates" topic.
//
// It is built by the streaming-pipeline work; this file reserves the package
// and states its contract.
package processor
