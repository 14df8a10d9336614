package schemas

import (
	"encoding/json"
	"time"

	"github.com/agentpulse/agentpulse/outcomes"
)

// Update is the message the processor publishes on the "updates" topic
// (update.schema.json, embedded as [UpdateSchema]) after applying records,
// before they are stored: what changed for one agent of one tenant and
// model, with the new full value of every bucket that changed. Servers
// overlay these buckets on what the store answers (the higher version
// wins), so a pushed figure never waits for a flush. Updates are keyed by
// tenant/agent, so one agent's updates stay in order within a processor;
// Partition names the bucket parts they carry.
//
// A message whose Kind is not empty is a marker, not an agent's change:
// see [KindRebuilt]. Readers dispatch on Kind and skip kinds they do not
// know.
type Update struct {
	// Kind is empty for an agent's update, else the marker's kind.
	Kind      string         `json:"kind,omitempty"`
	Tenant    string         `json:"tenant"`
	Model     string         `json:"model"`
	Agent     string         `json:"agent"`
	Partition int32          `json:"partition"`
	Offset    int64          `json:"offset"` // offset of the last record applied
	Buckets   []UpdateBucket `json:"buckets"`
	// Interactions are the ids applied (new ones and higher revisions).
	Interactions []UpdateInteraction `json:"interactions"`
	// Roster is the agent's new roster part in the model and partition
	// when the applied records changed it (processor/roster.go), else nil.
	Roster *UpdateRoster `json:"roster,omitempty"`
}

// UpdateRoster is the new full value of the agent's roster part in the
// update's model and partition (store.RosterPart): their newest current
// interaction there, empty InteractionID for none.
type UpdateRoster struct {
	Team          string    `json:"team"`
	InteractionID string    `json:"interaction_id"`
	EndedAt       time.Time `json:"ended_at"`
	Version       int64     `json:"version"`
}

// KindRebuilt marks that the processor folded a partition's records
// without publishing updates (it was far behind the log end: a replay, a
// restart after downtime, a backfill) and has now stored every record of
// Partition up to and including Offset. A reader that keeps figures from
// updates reads the store again, once. A marker carries only Kind,
// Partition and Offset.
const KindRebuilt = "rebuilt"

// Rebuilt returns the marker that partition is stored through offset.
func Rebuilt(partition int32, offset int64) Update {
	return Update{Kind: KindRebuilt, Partition: partition, Offset: offset}
}

// UpdateBucket is one changed bucket's new full value.
type UpdateBucket struct {
	Team    string     `json:"team"`
	Inquiry string     `json:"inquiry"`
	Hour    time.Time  `json:"hour"`
	Sums    UpdateSums `json:"sums"`
	Version int64      `json:"version"`
}

// UpdateSums are a bucket's additive sums, field for field views.Sums
// (which cannot live here: views imports schemas). The two convert into
// each other with a plain conversion, views.Sums(s) and UpdateSums(v), so
// a field added to one and not the other fails to compile.
type UpdateSums struct {
	Volume    int64   `json:"volume"`
	HandleSum float64 `json:"handle_sum"`
	PsatN     int64   `json:"psat_n"`
	PsatSum   float64 `json:"psat_sum"`
	PresN     int64   `json:"pres_n"`
	PresSum   float64 `json:"pres_sum"`
	// Lsat and Lres are the learned outcomes (views.Sums.Lsat, Lres);
	// written only when not zero.
	Lsat outcomes.Cell `json:"lsat,omitzero"`
	Lres outcomes.Cell `json:"lres,omitzero"`
}

// UpdateInteraction names one applied revision.
type UpdateInteraction struct {
	ID       string    `json:"id"`
	Revision int64     `json:"revision"`
	Inquiry  string    `json:"inquiry"`
	EndedAt  time.Time `json:"ended_at"`
}

// DecodeUpdate parses an update message.
func DecodeUpdate(b []byte) (Update, error) {
	var u Update
	err := json.Unmarshal(b, &u)
	return u, err
}
