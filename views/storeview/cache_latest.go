package storeview

import (
	"context"
	"sync"
	"time"

	"github.com/agentpulse/agentpulse/schemas"
)

// latestMemo remembers the Reader's LatestData per (tenant, model) for
// CacheConfig.LatestTTL, so that a cached figure does not cost a store
// query (two ClickHouse round trips: the tenant's roster, then one
// interaction row) per request. Updates raise a remembered time at
// once (OnUpdate: the interactions' ended_at), as the Overlay does, so a
// new hour is seen without waiting for the TTL; what only the store
// knows (a correction that moves the newest interaction back, data
// written without an update) is seen after at most the TTL.
type latestMemo struct {
	ttl time.Duration
	now func() time.Time

	mu      sync.Mutex
	m       map[modelKey]*latestEntry
	resetAt time.Time // the last reset: reads begun before are not kept
}

type latestEntry struct {
	t, at    time.Time // the answer and when its read began
	valid    bool
	raised   time.Time // the newest ended_at of the updates of the last TTL
	raisedAt time.Time // the last raise
}

func newLatestMemo(ttl time.Duration) *latestMemo {
	return &latestMemo{ttl: ttl, now: time.Now, m: map[modelKey]*latestEntry{}}
}

// get returns the remembered time while it is fresh.
func (l *latestMemo) get(k modelKey) (time.Time, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	e := l.m[k]
	if e == nil || !e.valid || l.now().Sub(e.at) >= l.ttl {
		return time.Time{}, false
	}
	return e.t, true
}

// put remembers t, read from the Reader by a read that began at started,
// raised by the updates that arrived since (the read may have missed
// them).
func (l *latestMemo) put(k modelKey, t, started time.Time) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if started.Before(l.resetAt) {
		return // read before a Refresh
	}
	e := l.entry(k)
	if !e.raisedAt.Before(started) && e.raised.After(t) {
		t = e.raised
	}
	if e.valid && e.at.After(started) {
		return // a later read answered already
	}
	e.t, e.at, e.valid = t, started, true
}

// raise records the interactions of an update.
func (l *latestMemo) raise(u *schemas.Update) {
	var newest time.Time
	for _, it := range u.Interactions {
		if it.EndedAt.After(newest) {
			newest = it.EndedAt
		}
	}
	if newest.IsZero() {
		return
	}
	newest = newest.UTC()
	l.mu.Lock()
	defer l.mu.Unlock()
	e := l.entry(modelKey{u.Tenant, u.Model})
	now := l.now()
	if stale := e.raisedAt.IsZero() || now.Sub(e.raisedAt) >= l.ttl; stale || newest.After(e.raised) {
		e.raised = newest
	}
	e.raisedAt = now
	if e.valid && newest.After(e.t) {
		e.t = newest
	}
}

func (l *latestMemo) entry(k modelKey) *latestEntry {
	e := l.m[k]
	if e == nil {
		e = &latestEntry{}
		l.m[k] = e
	}
	return e
}

// latestData is LatestData through the memo when there is one.
func (v *Views) latestData(ctx context.Context, tenant, model string) (time.Time, error) {
	var memo *latestMemo
	if v.cache != nil {
		memo = v.cache.latest
	}
	if memo == nil {
		return v.r.LatestData(ctx, tenant, model)
	}
	k := modelKey{tenant, model}
	if t, ok := memo.get(k); ok {
		return t, nil
	}
	started := memo.now()
	t, err := v.r.LatestData(ctx, tenant, model)
	if err != nil {
		return t, err
	}
	memo.put(k, t, started)
	return t, nil
}
