package storeview

// WithWarmHold makes the warm-up (Run, Warm) skip its passes while hold
// returns an error, which Ready then reports: while the store is catching
// up with the log (server/catchup) an entry built from it would be partial
// and thrown away by Refresh, and the scans would slow the catch-up down.
func WithWarmHold(hold func() error) Option {
	return func(v *Views) { v.hold = hold }
}

// Refresh drops every cached figure (WithCache): entries, the roster
// and latest-data times, and asks Run for a warm-up pass, so that
// every answer after it is computed from the store as it is now. Call it
// when the store changed without updates (a processor's rebuilt marker,
// a catch-up that ended). A build or read in flight finishes on what it
// read and is not kept. The update overlay is not touched: its parts
// carry versions and are pruned by the store's checkpoints. Without
// WithCache it does nothing.
func (v *Views) Refresh() {
	c := v.cache
	if c == nil {
		return
	}
	c.mu.Lock()
	c.models = map[modelKey]*modelCache{}
	c.mu.Unlock()
	c.roster.reset()
	if c.latest != nil {
		c.latest.reset()
	}
	c.metrics.refreshes.Inc()
	c.pokeWarmer()
}

// reset forgets every tenant's roster, so that the next use reads it
// from the store again (the store changed without updates). A read in
// flight fills the forgotten roster, not the new one; updates received
// since are kept by the new one and merged by version with its read.
func (b *rosterBook) reset() {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.tenants = map[string]*tenantRoster{}
}

// reset forgets every remembered latest-data time.
func (l *latestMemo) reset() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.m = map[modelKey]*latestEntry{}
	l.resetAt = l.now()
}
