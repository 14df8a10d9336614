package processor

import (
	"encoding/json"
	"time"

	"github.com/agentpulse/agentpulse/processor/store"
	"github.com/agentpulse/agentpulse/views"
)

// Update is the message the processor publishes on the "updates" topic
// after applying records, before they are stored: what changed for one
// agent of one tenant and model, with the new full value of every bucket
// that changed. Servers overlay these buckets on what the store answers
// (the higher version wins), so a pushed figure never waits for a flush.
// Updates are keyed by tenant/agent, so one agent's updates stay in order
// within a processor; Partition names the bucket parts they carry.
type Update struct {
	Tenant    string         `json:"tenant"`
	Model     string         `json:"model"`
	Agent     string         `json:"agent"`
	Partition int32          `json:"partition"`
	Offset    int64          `json:"offset"` // offset of the last record applied
	Buckets   []UpdateBucket `json:"buckets"`
	// Interactions are the ids applied (new ones and higher revisions).
	Interactions []UpdateInteraction `json:"interactions"`
	// Roster is the agent's new roster part in the model and partition
	// when the applied records changed it (roster.go), else nil.
	Roster *UpdateRoster `json:"roster,omitempty"`
}

// UpdateBucket is one changed bucket's new full value.
type UpdateBucket struct {
	Team    string     `json:"team"`
	Inquiry string     `json:"inquiry"`
	Hour    time.Time  `json:"hour"`
	Sums    views.Sums `json:"sums"`
	Version int64      `json:"version"`
}

// UpdateInteraction names one applied revision.
type UpdateInteraction struct {
	ID       string    `json:"id"`
	Revision int64     `json:"revision"`
	Inquiry  string    `json:"inquiry"`
	EndedAt  time.Time `json:"ended_at"`
}

// Bucket returns the store bucket an UpdateBucket stands for.
func (u *Update) Bucket(i int) store.Bucket {
	b := u.Buckets[i]
	return store.Bucket{
		BucketKey: store.BucketKey{Tenant: u.Tenant, Model: u.Model, Team: b.Team, Agent: u.Agent, Inquiry: b.Inquiry, Hour: b.Hour},
		Partition: u.Partition,
		Sums:      b.Sums,
		Version:   b.Version,
	}
}

// DecodeUpdate parses an update message.
func DecodeUpdate(b []byte) (Update, error) {
	var u Update
	err := json.Unmarshal(b, &u)
	return u, err
}
