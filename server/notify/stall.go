package notify

import (
	"sync"
	"time"
)

// DefaultStallAfter is how long a tenant's feed may be silent before its
// admins are told it stalled.
const DefaultStallAfter = 10 * time.Minute

// StallWatch notices a tenant whose data feed stopped: Seen records that
// an update of the tenant arrived; Check returns the tenants silent for
// longer than After since their last update, each once until updates
// resume (then Check reports nothing for it until it stalls again).
// Safe for concurrent use.
type StallWatch struct {
	After time.Duration
	mu    sync.Mutex
	last  map[string]time.Time
	told  map[string]bool
}

// NewStallWatch returns a watch with the silence limit after
// (DefaultStallAfter when not positive).
func NewStallWatch(after time.Duration) *StallWatch {
	if after <= 0 {
		after = DefaultStallAfter
	}
	return &StallWatch{After: after, last: map[string]time.Time{}, told: map[string]bool{}}
}

// Seen records an update of tenant at instant at.
func (w *StallWatch) Seen(tenant string, at time.Time) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if at.After(w.last[tenant]) {
		w.last[tenant] = at
	}
	w.told[tenant] = false
}

// Check returns the tenants newly stalled as of now, with their last
// update.
func (w *StallWatch) Check(now time.Time) map[string]time.Time {
	w.mu.Lock()
	defer w.mu.Unlock()
	out := map[string]time.Time{}
	for t, last := range w.last {
		if !w.told[t] && now.Sub(last) > w.After {
			w.told[t] = true
			out[t] = last
		}
	}
	return out
}
