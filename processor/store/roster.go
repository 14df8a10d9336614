package store

import (
	"context"
	"time"

	"github.com/agentpulse/agentpulse/schemas"
)

// RosterPart is one log partition's view of an agent's newest current
// interaction in one model of a tenant: the newest by ended_at, then
// interaction_id, of the agent's current interactions in the model that
// the partition applied. InteractionID is empty when the partition holds
// none any more (they were all corrected away); such a part is written,
// never deleted, like an empty bucket part. Version is the log offset, in
// the partition, of the record that last changed the part; of two values
// of a part the higher version wins.
//
// An agent's current team (DESIGN.md §1: the team of their newest
// interaction in the tenant) is the Team of the newest of their parts over
// every model and partition (NewerPart); their newest interaction in one
// model is the newest of that model's parts.
type RosterPart struct {
	Tenant        string
	Agent         string
	Model         string
	Partition     int32
	Team          string
	InteractionID string
	EndedAt       time.Time
	Version       int64
}

// Empty reports whether the part names no interaction.
func (p *RosterPart) Empty() bool { return p.InteractionID == "" }

// NewerPart reports whether part a names a newer interaction than b: a
// later ended_at, or the same and a greater interaction_id (the order of
// views.CompareNewestFirst). An empty part is older than any other.
func NewerPart(a, b *RosterPart) bool {
	switch {
	case a.Empty():
		return false
	case b.Empty():
		return true
	case !a.EndedAt.Equal(b.EndedAt):
		return a.EndedAt.After(b.EndedAt)
	}
	return a.InteractionID > b.InteractionID
}

// LatestPart is one log partition's newest current interaction in one
// model of a tenant: the newest (ended_at, then interaction_id) of the
// model's roster parts in the partition, and the agent it counts for.
// InteractionID is empty when the partition holds none any more. Version
// is the log offset of the record that last changed it; of two values of
// a part the higher version wins. A store may answer LatestData from these
// (the newest over the partitions whose interaction is current) instead
// of indexing every revision by time.
type LatestPart struct {
	Tenant        string
	Model         string
	Partition     int32
	Agent         string
	InteractionID string
	EndedAt       time.Time
	Version       int64
}

// RosterReader is a Reader that keeps the processors' roster parts (both
// stores do).
type RosterReader interface {
	// Roster calls fn with the newest value of every roster part of the
	// tenant (only agent's when agent is not empty), empty parts included,
	// in no particular order. It stops at fn's first error and returns it.
	Roster(ctx context.Context, tenant, agent string, fn func(RosterPart) error) error
}

// RosterPartOf returns the roster part an update's Roster stands for; u.Roster
// must not be nil.
func RosterPartOf(u *schemas.Update) RosterPart {
	r := u.Roster
	return RosterPart{Tenant: u.Tenant, Agent: u.Agent, Model: u.Model, Partition: u.Partition,
		Team: r.Team, InteractionID: r.InteractionID, EndedAt: r.EndedAt, Version: r.Version}
}
