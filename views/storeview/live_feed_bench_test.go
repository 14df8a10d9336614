package storeview_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/agentpulse/agentpulse/processor/store"
	"github.com/agentpulse/agentpulse/schemas"
	"github.com/agentpulse/agentpulse/views"
	"github.com/agentpulse/agentpulse/views/storeview"
)

// liveFeed stands for the processor during a benchmark: every
// flushEvery (the processor's default FlushInterval) each of the
// benchmark's log partitions stores one batch (store.Apply: records,
// bucket parts, roster parts, checkpoint) of the interactions that
// arrived meanwhile (rate per second in all; a batch that took longer
// than flushEvery makes the next one larger), then hands the batch's
// updates to every subscribed Views (OnUpdate), as a server consuming
// the updates topic does. The interactions are of random agents, end in
// the last loaded hour (so the ranges' end stays put), and one in
// moveEvery goes to the next team (a roster move).
type liveFeed struct {
	st     store.Writer
	agents int
	rate   int
	base   int64 // first offset: above every loaded version, and every earlier run's
	n      atomic.Int64
	mu     sync.Mutex
	subs   []*storeview.Views
	errMu  sync.Mutex
	err    error
	start  time.Time
	cancel context.CancelFunc
	done   sync.WaitGroup
}

const (
	flushEvery = 200 * time.Millisecond
	moveEvery  = 100
)

type livePart struct {
	agent, team, inquiry string
}

type liveNewest struct {
	ended time.Time
	id    string
}

// startLiveFeed starts the feed; stop ends it and returns the rate it
// kept (interactions stored per second).
func startLiveFeed(tb testing.TB, st store.Writer, agents, rate int) *liveFeed {
	ctx, cancel := context.WithCancel(context.Background())
	f := &liveFeed{st: st, agents: agents, rate: rate, base: time.Now().UnixMicro(), start: time.Now(), cancel: cancel}
	for p := range benchPartitns {
		f.done.Go(func() { f.partition(ctx, int32(p)) })
	}
	tb.Cleanup(func() { f.stop() })
	return f
}

func (f *liveFeed) subscribe(v *storeview.Views) {
	f.mu.Lock()
	f.subs = append(f.subs, v)
	f.mu.Unlock()
}

func (f *liveFeed) unsubscribe(v *storeview.Views) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for i, s := range f.subs {
		if s == v {
			f.subs = append(f.subs[:i], f.subs[i+1:]...)
			return
		}
	}
}

// stop ends the feed and returns the interactions per second it stored,
// failing on an Apply error.
func (f *liveFeed) stop() float64 {
	f.cancel()
	f.done.Wait()
	return float64(f.n.Load()) / time.Since(f.start).Seconds()
}

func (f *liveFeed) error() error {
	f.errMu.Lock()
	defer f.errMu.Unlock()
	return f.err
}

func (f *liveFeed) partition(ctx context.Context, p int32) {
	// Each batch takes the interactions due since the last one (rate per
	// second in all), so that a slow Apply makes batches larger, as in
	// the processor, rather than the feed slower.
	perSecond := float64(f.rate) / benchPartitns
	sent := 0
	rng := rand.New(rand.NewPCG(uint64(f.base), uint64(p)))
	parts := map[livePart]views.Sums{}
	newest := map[string]liveNewest{}
	off := f.base + int64(p)<<32
	hour := benchEnd.Add(-time.Hour)
	teams := (f.agents + 9) / 10
	pf := func(x float64) *float64 { return &x }
	t := time.NewTicker(flushEvery)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		var batch store.Batch
		ups := map[string]*schemas.Update{}
		changed := map[livePart]int64{}
		due := int(perSecond*time.Since(f.start).Seconds()) - sent
		sent += due
		for range due {
			a := rng.IntN(f.agents)
			team := a / 10
			if rng.IntN(moveEvery) == 0 {
				team = (team + 1) % teams
			}
			off++
			it := schemas.Interaction{TenantID: benchTenant, InteractionID: fmt.Sprintf("live-%d", off), Revision: 1, Model: benchModel,
				AgentID: benchAgent(a), TeamID: fmt.Sprintf("team-%04d", team), Inquiry: fmt.Sprintf("inq-%d", rng.IntN(benchInquiry)),
				HandleTimeS: float64(100 + rng.IntN(400)), PredictedSatisfaction: pf(0.3 + rng.Float64()/2),
				PredictedResolution: pf(0.4 + rng.Float64()/2), Source: "api"}
			it.EndedAt = hour.Add(time.Duration(rng.Int64N(int64(time.Hour - time.Second))))
			it.StartedAt = it.EndedAt.Add(-time.Duration(it.HandleTimeS) * time.Second)
			batch.Records = append(batch.Records, store.Record{Interaction: it, Partition: p, Offset: off})
			k := livePart{agent: it.AgentID, team: it.TeamID, inquiry: it.Inquiry}
			s := parts[k]
			s.Add(&it)
			parts[k] = s
			changed[k] = off
			u := ups[it.AgentID]
			if u == nil {
				u = &schemas.Update{Tenant: benchTenant, Model: benchModel, Agent: it.AgentID, Partition: p}
				ups[it.AgentID] = u
			}
			u.Offset = off
			u.Interactions = append(u.Interactions, schemas.UpdateInteraction{ID: it.InteractionID, Revision: 1, Inquiry: it.Inquiry, EndedAt: it.EndedAt})
			if n := newest[it.AgentID]; it.EndedAt.After(n.ended) {
				newest[it.AgentID] = liveNewest{ended: it.EndedAt, id: it.InteractionID}
				r := store.RosterPart{Tenant: benchTenant, Agent: it.AgentID, Model: benchModel, Partition: p, Team: it.TeamID,
					InteractionID: it.InteractionID, EndedAt: it.EndedAt, Version: off}
				u.Roster = &schemas.UpdateRoster{Team: r.Team, InteractionID: r.InteractionID, EndedAt: r.EndedAt, Version: r.Version}
			}
		}
		for k, version := range changed {
			batch.Buckets = append(batch.Buckets, store.Bucket{BucketKey: store.BucketKey{Tenant: benchTenant, Model: benchModel,
				Team: k.team, Agent: k.agent, Inquiry: k.inquiry, Hour: hour}, Partition: p, Sums: parts[k], Version: version})
			u := ups[k.agent]
			u.Buckets = append(u.Buckets, schemas.UpdateBucket{Team: k.team, Inquiry: k.inquiry, Hour: hour,
				Sums: schemas.UpdateSums(parts[k]), Version: version})
		}
		for _, u := range ups {
			if u.Roster != nil {
				batch.Roster = append(batch.Roster, store.RosterPart{Tenant: benchTenant, Agent: u.Agent, Model: benchModel, Partition: p,
					Team: u.Roster.Team, InteractionID: u.Roster.InteractionID, EndedAt: u.Roster.EndedAt, Version: u.Roster.Version})
			}
		}
		batch.Partition, batch.Next = p, off+1
		if err := f.st.Apply(ctx, batch); err != nil {
			if ctx.Err() == nil {
				f.errMu.Lock()
				f.err = err
				f.errMu.Unlock()
			}
			return
		}
		f.n.Add(int64(len(batch.Records)))
		f.mu.Lock()
		subs := append([]*storeview.Views(nil), f.subs...)
		f.mu.Unlock()
		for _, v := range subs {
			for _, u := range ups {
				v.OnUpdate(ctx, *u)
			}
		}
	}
}
