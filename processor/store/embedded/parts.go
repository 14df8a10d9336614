package embedded

import (
	"time"

	"github.com/agentpulse/agentpulse/processor/store"
	"github.com/agentpulse/agentpulse/views"
)

// parts are one agent's bucket parts of a tenant and model. Keys and
// values are small plain structs, so the map holds them inline: about
// 130 bytes a part instead of 330 for a map of BucketKey to *Bucket (at a
// small contact center's rate there is about one part per interaction).
type parts map[partSlot]partVal

// partSlot names one partition's part of a bucket of the agent.
type partSlot struct {
	team, inquiry string
	hour          int64 // unix seconds
	partition     int32
}

type partVal struct {
	sums    views.Sums
	version int64
}

// each calls fn with every part as a store.Bucket (reused between calls).
func (ps parts) each(tenant, model, agent string, fn func(*store.Bucket)) {
	var b store.Bucket
	for k, v := range ps {
		b = store.Bucket{
			BucketKey: store.BucketKey{Tenant: tenant, Model: model, Team: k.team, Agent: agent, Inquiry: k.inquiry, Hour: time.Unix(k.hour, 0).UTC()},
			Partition: k.partition, Sums: v.sums, Version: v.version,
		}
		fn(&b)
	}
}
