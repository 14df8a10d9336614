package storetest

import (
	"testing"

	"github.com/agentpulse/agentpulse/processor/store"
)

// Option changes how Run treats the store under test.
type Option func(*options)

type options struct {
	durable bool
}

// Durable declares that the store keeps its data across Close: calling open
// a second time with the same *testing.T returns a new handle on the data
// the first handle wrote. Without it the restart sub-test is skipped.
func Durable() Option { return func(o *options) { o.durable = true } }

// Run runs the conformance suite, one sub-test per promise of the store
// contract. open must return a new, empty store private to the sub-test t
// it is given (each sub-test calls it) and arrange with t.Cleanup to close
// it; Close may then be called twice, once by the suite. Sub-tests run one
// after the other.
func Run(t *testing.T, open func(t *testing.T) store.Store, opts ...Option) {
	var o options
	for _, opt := range opts {
		opt(&o)
	}
	cases := []struct {
		name string
		run  func(t *testing.T, open func(t *testing.T) store.Store)
	}{
		{"Redelivery", testRedelivery},
		{"Revisions", testRevisions},
		{"BucketVersions", testBucketVersions},
		{"BucketParts", testBucketParts},
		{"LateData", testLateData},
		{"BucketRanges", testBucketRanges},
		{"BucketFilters", testBucketFilters},
		{"EmptyBuckets", testEmptyBuckets},
		{"LatestData", testLatestData},
		{"RecentOrdering", testRecentOrdering},
		{"RecentBefore", testRecentBefore},
		{"RoundTrip", testRoundTrip},
		{"Checkpoints", testCheckpoints},
		{"LoadPartitionAsOf", testLoadPartitionAsOf},
		{"LoadPartitionStops", testLoadPartitionStops},
		{"LoadPartitionAcrossMonths", testLoadPartitionAcrossMonths},
		{"Snapshots", testSnapshots},
		{"KeyFilters", testKeyFilters},
		{"CurrentLookups", testCurrentLookups},
		{"ApplyAll", testApplyAll},
		{"TenantIsolation", testTenantIsolation},
		{"Restart", func(t *testing.T, open func(t *testing.T) store.Store) { testRestart(t, open, o.durable) }},
		{"Concurrency", testConcurrency},
		{"Random", testRandom},
		{"Summaries", testSummaries},
		{"Rollups", testRollups},
		{"Learned", testLearned},
		{"Roster", testRoster},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) { c.run(t, open) })
	}
}
