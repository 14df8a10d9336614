package store

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"time"
)

// Retention and erasure (package server/retention decides when; a store
// that is a Retainer does the removing).
//
// Retain(tenant, cutoff) removes a tenant's data that ended before
// cutoff, a UTC midnight, so that every figure read afterwards is the
// figure of the records that remain. An interaction goes, every revision
// of it, when its current (highest) revision ended before the cutoff; a
// revision that ended before the cutoff goes even when a later revision
// of the interaction remains (its content is past retention too, and
// nothing reads a revision that is not current except the processor's
// recovery as of an offset, which reads the current one). Bucket parts of
// hours before the cutoff go: such a part holds exactly the interactions
// whose current revision ended in that hour, all gone. Rollups of periods
// that start before the cutoff go (a period straddling the cutoff is
// resealed by the next Compact from what remains, and read from its days
// and hours until then), and roster parts whose newest interaction ended
// before the cutoff (all of the agent's interactions in that partition
// are gone). Checkpoints and snapshots stay: a snapshot holds the
// processor's hot days only, which a retention of at least
// MinRetentionDays never reaches.
//
// EraseAgent pseudonymises an agent (see Retainer). A store rebuilt
// from the log (the embedded store) renames records as they are stored
// once told, as it scrubs erased customer keys.
//
// EraseCustomer blanks customer_key in every stored revision whose key
// matches (SubjectMatch: a keyed hash, never the key): the key is the personal
// datum, the interaction is the agent's work and stays, so no figure
// changes (customer_key counts in no stored figure).

// RetentionPartition is the log partition of the touch a store that
// seals rollups concurrently with retention (ClickHouse: the compactor
// may run in another process) writes on a tenant's cutoff day after a
// pass removed data: every period containing that day whose rollup was
// computed before the pass (from hours since removed) does not cover the
// touch, so reads treat it as stale and the next Compact redoes it from
// what remains. No bucket part has this partition (log partitions are ≥
// 0, LearnedPartition is -1).
const RetentionPartition int32 = -2

// MinRetentionDays is the shortest retention a tenant may have: longer
// than the processor's default state horizon (7 days) many times over, so
// that retention never removes what a processor holds in memory.
const MinRetentionDays = 30

// RetainStats says what one Retain call removed.
type RetainStats struct {
	// Interactions is how many interactions (every revision of each)
	// went; Revisions how many stored revisions, theirs and older ones
	// of remaining interactions.
	Interactions int64 `json:"interactions"`
	Revisions    int64 `json:"revisions"`
	// Buckets is how many hourly bucket parts went.
	Buckets int64 `json:"buckets"`
}

// Add adds o to s.
func (s *RetainStats) Add(o RetainStats) {
	s.Interactions += o.Interactions
	s.Revisions += o.Revisions
	s.Buckets += o.Buckets
}

// Retainer is a store that enforces retention and erasure.
type Retainer interface {
	// RetentionTenants lists every tenant the store holds interactions
	// or buckets of.
	RetentionTenants(ctx context.Context) ([]string, error)
	// Retain removes, for each tenant of cutoffs, what ended before its
	// cutoff (a UTC midnight; see above). It is idempotent: a second call
	// with the same cutoffs removes nothing. Tenants not in cutoffs are
	// left alone.
	Retain(ctx context.Context, cutoffs map[string]time.Time) (map[string]RetainStats, error)
	// EraseCustomer blanks customer_key in every stored revision of the
	// tenant whose key m matches, and returns how many revisions it
	// changed. Idempotent.
	EraseCustomer(ctx context.Context, tenant string, m SubjectMatch) (int64, error)
	// RetentionAgents lists the tenant's agents (those with roster
	// parts).
	RetentionAgents(ctx context.Context, tenant string) ([]string, error)
	// EraseAgent replaces agent by pseudonym in every stored revision,
	// bucket part, rollup and roster part of the tenant, so that every
	// figure stays as it was under the pseudonym (team and model figures
	// unchanged), and returns what it changed. A store that keeps plans
	// by agent in rows (ClickHouse) deletes the agent's plan rows: the
	// caller stores each plan's erased state under the pseudonym first.
	// Idempotent; pseudonym must be new to the tenant.
	EraseAgent(ctx context.Context, tenant, agent, pseudonym string) (AgentErased, error)
}

// AgentErased says what EraseAgent changed.
type AgentErased struct {
	Revisions int64 `json:"revisions"`
	Buckets   int64 `json:"buckets"`
	Roster    int64 `json:"roster"`
}

// SubjectMatch recognises an erased customer_key or agent id without
// holding it: Hash is SubjectHash(Key, value). Erasures are recorded with
// a per-tenant secret Key (server/retention), so that whoever reads the
// records cannot find the value by hashing guesses; a nil Key is the plain
// SHA-256 of erasures recorded before keyed hashes.
type SubjectMatch struct {
	Key  []byte
	Hash string
}

// Matches reports whether v is the erased value.
func (m SubjectMatch) Matches(v string) bool {
	return hmac.Equal([]byte(SubjectHash(m.Key, v)), []byte(m.Hash))
}

// SubjectHash is the lowercase hex HMAC-SHA256 of v under key, or the
// plain SHA-256 of v when key is nil. ClickHouse computes the same with
// HMACPads (it has no HMAC function).
func SubjectHash(key []byte, v string) string {
	if key == nil {
		h := sha256.Sum256([]byte(v))
		return hex.EncodeToString(h[:])
	}
	m := hmac.New(sha256.New, key)
	m.Write([]byte(v))
	return hex.EncodeToString(m.Sum(nil))
}

// HMACPads returns HMAC-SHA256's inner and outer padded keys for key (at
// most 64 bytes): HMAC(key, v) = SHA256(outer ‖ SHA256(inner ‖ v)), which
// a store without an HMAC function computes from the two.
func HMACPads(key []byte) (inner, outer []byte) {
	inner, outer = make([]byte, 64), make([]byte, 64)
	copy(inner, key)
	copy(outer, key)
	for i := range inner {
		inner[i] ^= 0x36
		outer[i] ^= 0x5c
	}
	return inner, outer
}

// RetentionCutoff returns the cutoff of a retention of days as of now:
// the UTC midnight days days before today's.
func RetentionCutoff(now time.Time, days int) time.Time {
	y, m, d := now.UTC().Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC).AddDate(0, 0, -days)
}
