package storeview

// WithWarmHold makes the warm-up (Run, Warm) skip its passes while hold
// returns an error, which Ready then reports: while the store is catching
// up with the log (server/catchup) an entry built from it would be partial
// and thrown away by Refresh, and the scans would slow the catch-up down.
func WithWarmHold(hold func() error) Option {
	return func(v *Views) { v.hold = hold }
}

// Refresh drops every cached figure (WithCache): entries, remembered
// teams and latest-data times, and asks Run for a warm-up pass, so that
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
	c.teams.reset()
	if c.latest != nil {
		c.latest.reset()
	}
	c.metrics.refreshes.Inc()
	c.pokeWarmer()
}

// reset forgets every team. Entries are invalidated in place rather than
// dropped, so that a read begun before cannot write its answer: put finds
// the entry's generation moved, learn finds it changed after its start
// (or, for an agent without an entry, resetAt after its start).
func (t *teamMemo) reset() {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.clock++
	t.resetAt = t.clock
	for _, e := range t.m {
		e.valid = false
		e.gen++
		e.changedAt = t.clock
	}
}

// reset forgets every remembered latest-data time.
func (l *latestMemo) reset() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.m = map[modelKey]*latestEntry{}
	l.resetAt = l.now()
}
