// Package storetest is the conformance suite every store.Store passes: the
// embedded store in its package tests and the ClickHouse store against a
// throwaway server. Run(t, open) runs one sub-test per promise of the
// store contract (package store): idempotent redelivery, revisions, late
// data and hour ranges, empty buckets, LatestData, Recent ordering,
// checkpoints, LoadPartition as of an offset, tenant isolation, restart
// (durable stores only), concurrent Apply while reading, and a randomized
// comparison against an in-memory oracle.
//
// Expected values come from an oracle that models the contract, not an
// implementation: newest revision per (tenant, interaction) wins (the first
// applied among equal revisions), the highest version per bucket key wins,
// the highest checkpoint per partition wins. Batches are built by feed, a
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
