package storeview

import (
	"context"

	"github.com/agentpulse/agentpulse/processor/store"
)

var _ store.RosterReader = (*Overlay)(nil)

// Roster is the store's roster parts with the updates' parts laid over
// them (per part, the higher version wins), so a team move is seen before
// the processor stores it. It fails when the store keeps no roster.
func (o *Overlay) Roster(ctx context.Context, tenant, agent string, fn func(store.RosterPart) error) error {
	rr, ok := o.st.(store.RosterReader)
	if !ok {
		return errNoRoster
	}
	m := rosterMap{}
	err := rr.Roster(ctx, tenant, agent, func(p store.RosterPart) error {
		m.put(p)
		return nil
	})
	if err != nil {
		return err
	}
	o.mu.RLock()
	for id, a := range o.roster[tenant] {
		if agent != "" && id != agent {
			continue
		}
		for _, p := range a.parts {
			m.put(p)
		}
	}
	o.mu.RUnlock()
	for _, a := range m {
		for _, p := range a.parts {
			if err := fn(p); err != nil {
				return err
			}
		}
	}
	return nil
}

// pruneRoster drops the roster parts the store holds (version below their
// partition's checkpoint). o.mu is held.
func (o *Overlay) pruneRoster(cps map[int32]int64) {
	for tenant, m := range o.roster {
		for id, a := range m {
			kept := a.parts[:0]
			for _, p := range a.parts {
				if cp, ok := cps[p.Partition]; !ok || p.Version >= cp {
					kept = append(kept, p)
				}
			}
			a.parts = kept
			if len(kept) == 0 {
				delete(m, id)
			}
		}
		if len(m) == 0 {
			delete(o.roster, tenant)
		}
	}
}

// worstReader returns the store's store.WorstReader, if it is one: the
// review list is read from the store, like Recent (updates carry no
// interactions).
func (o *Overlay) worstReader() (store.WorstReader, bool) {
	wr, ok := o.st.(store.WorstReader)
	return wr, ok
}
