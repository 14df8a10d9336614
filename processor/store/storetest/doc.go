// Package storetest is the conformance suite every store.Store passes: the
// embedded store in its package tests and the ClickHouse store against a
// throwaway server. Run(t, open) runs one sub-test per promise of the
// store contract (package store): Redelivery, Revisions (moves between
// agents, inquiries and models; lower revisions arriving late),
// BucketVersions, LateData, BucketRanges, BucketFilters, EmptyBuckets,
// LatestData, RecentOrdering, RoundTrip (every canonical field, exactly),
// Checkpoints, LoadPartitionAsOf, LoadPartitionStops, TenantIsolation,
// Restart (durable stores only, see Durable), Concurrency (two writers and
// a reader; run it under -race) and Random (seeded batches with
// redeliveries compared with the oracle along the way).
//
// Expected values come from an oracle that models the contract, not an
// implementation: newest revision per (tenant, interaction) wins (the first
// applied among equal revisions), the highest version per bucket key wins,
// the highest checkpoint per partition wins. The suite never writes two
// different records with the same revision of one interaction, which a
// store may resolve either way. Batches are built by feed, a
// small copy of the processor's fold (records, the full new value of every
// bucket they touched, versioned by log offset, and the checkpoint), so
// the suite exercises the batches stores really get.
//
// Interactions are compared by their canonical JSON (schemas.Interaction
// AppendJSON): every field, timestamps as instants in their own UTC offset
// to the nanosecond, map keys sorted. Two stores agree when they return the
// same canonical text; a store may return times in any *time.Location as
// long as the offset is the one written. LatestData is compared with
// time.Time.Equal only.
//
// The suite's helpers are used from one test goroutine except where a
// sub-test starts its own; nothing here is safe for concurrent use unless
// stated.
package storetest
