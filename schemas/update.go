package schemas

import (
	"encoding/json"
	"time"
)

// Update is the message the processor publishes on the "updates" topic
// (update.schema.json, embedded as [UpdateSchema]) after applying records,
// before they are stored: what changed for one agent of one tenant and
// model, with the new full value of every bucket that changed. Servers
// overlay these buckets on what the store answers (the higher version
// wins), so a pushed figure never waits for a flush. Updates are keyed by
// tenant/agent, so one agent's updates stay in order within a processor;
// Partition names the bucket parts they carry.
type Update struct {
	Tenant    string         `json:"tenant"`
	Model     string         `json:"model"`
	Agent     string         `json:"agent"`
	Partition int32          `json:"partition"`
	Offset    int64          `json:"offset"` // offset of the last record applied
	Buckets   []UpdateBucket `json:"buckets"`
	// Interactions are the ids applied (new ones and higher revisions).
	Interactions []UpdateInteraction `json:"interactions"`
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
