package store

import "context"

// LearnedPartition is the Partition of the bucket parts the outcome
// learner (processor/learn) writes: per bucket key, the learned
// satisfaction and resolution cells (views.Sums Lsat, Lres) of the
// interactions currently in the bucket, with no interaction counts
// (Volume 0). Readers merge it with the key's other parts like any part.
// It is no log partition: no checkpoint, snapshot or revision names it.
const LearnedPartition int32 = -1

// LearnedWriter is the outcome learner's side of a store.
type LearnedWriter interface {
	// ApplyLearned stores full values of learned parts (Partition
	// LearnedPartition, only Lsat and Lres set): the higher version of
	// a part wins, as for every part, and applying the same parts again
	// changes nothing. Rollups of sealed days they touch are redone.
	ApplyLearned(ctx context.Context, parts []Bucket) error
	// LearnedVersion returns the highest version of any learned part
	// stored, 0 when none is: a learner starting over versions its
	// writes above it, so they win over whatever an earlier run left.
	LearnedVersion(ctx context.Context) (int64, error)
}
