package processor

import (
	"time"

	"github.com/agentpulse/agentpulse/processor/store"
)

// The newest interaction of a model as keyed state. For every tenant's
// model the fold stores the newest of its agents' roster parts
// (store.LatestPart): the partition's newest current interaction in the
// model, which a store reads to answer LatestData without an index of
// every revision sorted by time. It changes only when a roster part of the
// model changes, so it is computed when a batch is taken, for the models
// whose roster parts the batch carries: over every agent of the model in
// the partition (their roster parts are in memory), and stored when it
// differs from what the fold stored last. Its version is the offset of the
// batch's last record that changed a roster part of the model: the value
// is the model's newest right after that record (no later record of the
// batch changed any of its parts), so a refold that cuts batches
// elsewhere writes the same value at the same version.

// tenantModel names one model of a tenant.
type tenantModel struct{ tenant, model string }

// latestStored is the last LatestPart the fold stored for a model.
type latestStored struct {
	agent, id string
	ended     int64
	empty     bool
}

// takeLatest returns the LatestParts to store with the next batch; it
// reads f.rosterDirty, so it runs before takeRoster clears it.
func (f *fold) takeLatest() []store.LatestPart {
	if len(f.rosterDirty) == 0 {
		return nil
	}
	touched := map[tenantModel]int64{}
	for _, a := range f.rosterDirty {
		tm := tenantModel{a.tenant, a.model}
		if v, ok := touched[tm]; !ok || a.roster.version > v {
			touched[tm] = a.roster.version
		}
	}
	newest := make(map[tenantModel]*agentState, len(touched))
	for _, a := range f.agents {
		tm := tenantModel{a.tenant, a.model}
		if _, ok := touched[tm]; !ok {
			continue
		}
		e, ok := a.roster.newest()
		if !ok {
			continue
		}
		if b := newest[tm]; b == nil {
			newest[tm] = a
		} else if be, _ := b.roster.newest(); e.newer(&be) {
			newest[tm] = a
		}
	}
	if f.latestStored == nil {
		f.latestStored = map[tenantModel]latestStored{}
	}
	var out []store.LatestPart
	for tm, version := range touched {
		p := store.LatestPart{Tenant: tm.tenant, Model: tm.model, Partition: f.partition, Version: version}
		now := latestStored{empty: true}
		if a := newest[tm]; a != nil {
			e, _ := a.roster.newest()
			p.Agent, p.InteractionID, p.EndedAt = a.agent, e.id, time.Unix(0, e.ended).UTC()
			now = latestStored{agent: a.agent, id: e.id, ended: e.ended}
		}
		if last, ok := f.latestStored[tm]; ok && last == now {
			continue
		}
		f.latestStored[tm] = now
		out = append(out, p)
	}
	return out
}
