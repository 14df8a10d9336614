// Package store defines what the processor writes and the read side reads:
// applied interaction revisions with their log position, hourly aggregates
// (Sums per tenant, model, team, agent, inquiry and hour) and per-partition
// checkpoints. Two implementations exist, ClickHouse (production) and an
// embedded in-process store; both pass the conformance suite in storetest.
//
// Consistency model. A Kafka partition's state is a pure function of the
// partition's log up to an offset. The processor writes a Batch: the
// revisions it applied, the full new value of every bucket they changed,
// and last the partition's checkpoint (the next offset to consume). Every
// write is idempotent (rows are keyed, values are full states versioned by
// log offset, never increments), so a crash between any two writes leaves
// the store either at the old checkpoint or at the new one plus rows that
// replaying the log rewrites identically. On restart the processor reloads
// exactly the revisions below the checkpoint (LoadPartition) and replays
// the log from there; a processor that stored a snapshot of its hot state
// with a checkpoint (Batch.Snapshot) loads that instead, and looks up the
// few older interactions and bucket parts it needs (Current, CurrentIn) as
// of an offset, never the partition's whole history.
//
// Implementations are safe for concurrent use.
package store

import (
	"context"
	"errors"
	"slices"
	"strings"
	"time"

	"github.com/agentpulse/agentpulse/schemas"
	"github.com/agentpulse/agentpulse/views"
)

// ErrNoData is returned by LatestData when the tenant has no interaction in
// the model.
var ErrNoData = errors.New("no data")

// Record is one applied revision of an interaction and where it was read
// from the "interactions" topic.
type Record struct {
	schemas.Interaction
	Partition int32
	Offset    int64
}

// BucketKey names one hourly aggregate. Hour is the start of the hour of
// the interactions' ended_at, in UTC.
type BucketKey struct {
	Tenant  string
	Model   string
	Team    string
	Agent   string
	Inquiry string
	Hour    time.Time
}

// Bucket is the full value of one hourly aggregate as one partition's fold
// holds it. Interactions are keyed by tenant and interaction, so one
// BucketKey may get interactions from several partitions: each writes its
// own part (Partition), and the bucket's value is the Merge of its parts.
// Version is the log offset, in that partition, of the last record that
// changed the part; of two values of a part the higher version wins. A
// part whose interactions all moved away is written with empty Sums, never
// deleted.
type Bucket struct {
	BucketKey
	Partition int32
	views.Sums
	Version int64
}

// Batch is one atomic-in-effect write of a partition's progress.
type Batch struct {
	Partition int32
	// Records are the revisions applied by this batch (new interactions and
	// higher revisions), in log order.
	Records []Record
	// Buckets are the full new values of every bucket part the batch
	// changed; their Partition is the batch's.
	Buckets []Bucket
	// Roster are the full new values of every roster part the batch
	// changed; their Partition is the batch's.
	Roster []RosterPart
	// Latest are the full new values of every LatestPart the batch
	// changed; their Partition is the batch's.
	Latest []LatestPart
	// Next is the offset to resume from once the batch is stored.
	Next int64
	// Snapshot, when not nil, is the partition's hot state as of Next (an
	// opaque encoding of the processor's). It is stored atomically with
	// the checkpoint: a store that holds the snapshot reports a checkpoint
	// of at least Next, so a snapshot is never ahead of the checkpoint.
	Snapshot []byte
}

// InteractionKey names one interaction of a tenant.
type InteractionKey struct {
	Tenant string
	ID     string
}

// Writer is the processor's side of a store.
type Writer interface {
	// Apply stores a batch: records and buckets first, the checkpoint
	// last. It is idempotent: applying a batch again changes nothing.
	Apply(ctx context.Context, b Batch) error
	// ApplyAll stores batches of several partitions (at most one of each)
	// as Apply stores each, in as few writes as the store can: a
	// processor writes the batches of all its partitions together.
	ApplyAll(ctx context.Context, bs []Batch) error
	// Checkpoint returns the next offset to consume for a partition, 0 when
	// nothing was stored for it.
	Checkpoint(ctx context.Context, partition int32) (int64, error)
	// LoadPartition calls fn with the newest revision of every interaction
	// whose applied records came from partition at offsets below below, in
	// ascending order of ended_at, so that a caller can let old days go
	// while it loads. It stops at fn's first error and returns it.
	LoadPartition(ctx context.Context, partition int32, below int64, fn func(Record) error) error
	// Snapshot returns the newest snapshot stored for partition and the
	// checkpoint it was stored with; 0 and nil when there is none. The
	// offset is never above Checkpoint.
	Snapshot(ctx context.Context, partition int32) (int64, []byte, error)
	// Current calls fn with the newest revision, among those applied from
	// partition at offsets below below, of each of keys that has one, in
	// no particular order. It stops at fn's first error and returns it.
	Current(ctx context.Context, partition int32, below int64, keys []InteractionKey, fn func(Record) error) error
	// CurrentIn calls fn, as Current does, with the newest revision below
	// below of every interaction of partition whose newest revision below
	// below counts in one of the buckets keys: what a bucket part holds
	// as of an offset. It stops at fn's first error and returns it.
	CurrentIn(ctx context.Context, partition int32, below int64, keys []BucketKey, fn func(Record) error) error
	// Keys calls fn with the key of every interaction partition applied
	// at offsets below below, each at least once, in no particular order:
	// what a static filter of the partition's keys is built from. It
	// stops at fn's first error and returns it.
	Keys(ctx context.Context, partition int32, below int64, fn func(InteractionKey) error) error
	// SaveKeyFilter stores a filter of the keys partition applied below
	// builtBelow (an opaque encoding of the processor's), replacing an
	// older one; it never replaces one built below a higher offset.
	SaveKeyFilter(ctx context.Context, partition int32, builtBelow int64, filter []byte) error
	// KeyFilter returns the newest filter stored for partition and the
	// offset it was built below; 0 and nil when there is none.
	KeyFilter(ctx context.Context, partition int32) (int64, []byte, error)
	// NewestOf returns up to limit of the newest interactions (ended_at,
	// then interaction_id, descending) whose newest revision among those
	// partition applied below below counts for agent in model: an agent's
	// newest current interactions in one partition as of an offset (the
	// roster's recovery, processor/roster.go).
	NewestOf(ctx context.Context, partition int32, below int64, tenant, model, agent string, limit int) ([]Record, error)
}

// SortNewestFirst orders records by ended_at, then interaction_id,
// descending: NewestOf's order.
func SortNewestFirst(rs []Record) {
	slices.SortFunc(rs, func(a, b Record) int {
		if c := b.EndedAt.Compare(a.EndedAt); c != 0 {
			return c
		}
		return strings.Compare(b.InteractionID, a.InteractionID)
	})
}

// BucketQuery selects buckets of one tenant and model whose hour lies in
// [From, To). Empty Agent, Team and Inquiry match every value.
type BucketQuery struct {
	Tenant  string
	Model   string
	From    time.Time
	To      time.Time
	Agent   string
	Team    string
	Inquiry string
}

// Reader is the read side's view of a store.
type Reader interface {
	// Buckets calls fn with the newest value of every non-empty bucket part
	// (BucketKey and Partition) the query selects; callers Merge the parts
	// of a key.
	Buckets(ctx context.Context, q BucketQuery, fn func(Bucket) error) error
	// LatestData returns the newest ended_at of the tenant's interactions
	// in the model, or ErrNoData.
	LatestData(ctx context.Context, tenant, model string) (time.Time, error)
	// Recent returns up to limit current interactions of an agent on a
	// model and inquiry, newest first (ended_at, then interaction_id
	// descending).
	Recent(ctx context.Context, tenant, model, agent, inquiry string, limit int) ([]schemas.Interaction, error)
	// RecentBefore is Recent restricted to interactions that ended strictly
	// before before: an agent's window as of an instant (a coaching plan's
	// Now at the end of a day or at its due time).
	RecentBefore(ctx context.Context, tenant, model, agent, inquiry string, before time.Time, limit int) ([]schemas.Interaction, error)
}

// Store is both sides, and Close.
type Store interface {
	Writer
	Reader
	Close() error
}
