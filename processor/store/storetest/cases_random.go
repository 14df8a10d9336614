package storetest

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"sync"
	"testing"
	"time"

	"github.com/agentpulse/agentpulse/processor/store"
	"github.com/agentpulse/agentpulse/schemas"
)

// randomBatches returns n batches of per interactions each from f: new
// interactions and revisions of earlier ones that move agent, inquiry,
// model, hour (up to ten days back) and zone offset, with stale and
// duplicate revisions mixed in. Tenants t1 and t2 share ids.
func randomBatches(f *feed, seed uint64, n, per int) []store.Batch {
	rng := rand.New(rand.NewPCG(seed, uint64(f.partition)))
	pick := func(xs ...string) string { return xs[rng.IntN(len(xs))] }
	zones := []*time.Location{time.UTC, zoneKolkata, zoneMinus5, zoneMax, zoneMin}
	revs := map[ikey]int64{}
	var out []store.Batch
	for range n {
		var its []schemas.Interaction
		for range per {
			tenant := pick("t1", "t2")
			id := fmt.Sprintf("p%d-i%02d", f.partition, rng.IntN(3*per))
			k := ikey{tenant, id}
			rev := revs[k] + 1
			switch rng.IntN(10) {
			case 0: // a stale revision: the processor skips it
				rev = max(revs[k], 1)
			case 1: // a jump
				rev += int64(rng.IntN(5))
			}
			revs[k] = max(revs[k], rev)
			ended := t0.Add(-time.Duration(rng.IntN(10*24*60)) * time.Minute).Add(time.Duration(rng.IntN(1e9)))
			it := ix(tenant, id, rev, pick("a0", "a1", "a2"), pick("billing", "refund", "tech"), ended.In(zones[rng.IntN(len(zones))]))
			it.Model = pick("voice", "voice", "chat")
			it.HandleTimeS = float64(rng.IntN(3600)) + float64(rng.IntN(4))/4
			if rng.IntN(4) == 0 {
				it.PredictedSatisfaction, it.PredictedResolution = nil, nil
			} else {
				it.PredictedSatisfaction = f64(float64(rng.IntN(1001)) / 1000)
			}
			its = append(its, it)
		}
		out = append(out, f.batch(its...))
	}
	return out
}

// testRandom applies random batches of two partitions, with redeliveries of
// earlier batches, and compares every read with the oracle at checkpoints
// along the way.
func testRandom(t *testing.T, open func(t *testing.T) store.Store) {
	for _, seed := range []uint64{1, 2} {
		t.Run(fmt.Sprint("seed", seed), func(t *testing.T) {
			s := open(t)
			o := newOracle()
			var all []store.Batch
			p0 := randomBatches(newFeed(0), seed, 6, 25)
			p1 := randomBatches(newFeed(1), seed, 6, 25)
			rng := rand.New(rand.NewPCG(seed, 99))
			for i := range p0 {
				for _, b := range []store.Batch{p0[i], p1[i]} {
					mustValid(t, recordsOf(b)...)
					apply(t, s, b)
					o.apply(b)
					all = append(all, b)
				}
				if rng.IntN(2) == 0 { // a redelivery of any earlier batch
					b := all[rng.IntN(len(all))]
					apply(t, s, b)
					o.apply(b)
				}
				if i%3 == 2 {
					checkState(t, s, o)
				}
			}
		})
	}
}

func recordsOf(b store.Batch) []schemas.Interaction {
	out := make([]schemas.Interaction, len(b.Records))
	for i, r := range b.Records {
		out[i] = r.Interaction
	}
	return out
}

// testConcurrency applies two partitions' batches from two goroutines while
// a third reads, then compares the final state with the oracle. Under -race
// it also checks the store's locking.
func testConcurrency(t *testing.T, open func(t *testing.T) store.Store) {
	s := open(t)
	parts := [][]store.Batch{randomBatches(newFeed(0), 7, 8, 15), randomBatches(newFeed(1), 8, 8, 15)}
	ctx := context.Background()
	var writers sync.WaitGroup
	errs := make(chan error, 3)
	for _, bs := range parts {
		writers.Add(1)
		go func() {
			defer writers.Done()
			for _, b := range bs {
				if err := s.Apply(ctx, b); err != nil {
					errs <- fmt.Errorf("Apply(partition %d): %w", b.Partition, err)
					return
				}
			}
		}()
	}
	done := make(chan struct{})
	var reader sync.WaitGroup
	reader.Add(1)
	go func() {
		defer reader.Done()
		errs <- readWhileWriting(ctx, s, done)
	}()
	writers.Wait()
	close(done)
	reader.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
	o := newOracle()
	for _, bs := range parts {
		for _, b := range bs {
			o.apply(b)
		}
	}
	checkState(t, s, o)
}

// readWhileWriting reads until done is closed and checks what must hold at
// any moment: checkpoints never go back, Recent is ordered and bounded,
// Buckets returns no empty bucket.
func readWhileWriting(ctx context.Context, s store.Store, done <-chan struct{}) error {
	var last [2]int64
	for {
		select {
		case <-done:
			return nil
		default:
		}
		for p := range int32(2) {
			cp, err := s.Checkpoint(ctx, p)
			if err != nil {
				return fmt.Errorf("Checkpoint(%d) while writing: %w", p, err)
			}
			if cp < last[p] {
				return fmt.Errorf("Checkpoint(%d) went back from %d to %d", p, last[p], cp)
			}
			last[p] = cp
		}
		got, err := s.Recent(ctx, "t1", "voice", "a1", "billing", 5)
		if err != nil {
			return fmt.Errorf("Recent while writing: %w", err)
		}
		if len(got) > 5 {
			return fmt.Errorf("Recent(limit 5) returned %d", len(got))
		}
		for j := 1; j < len(got); j++ {
			a, b := got[j-1], got[j]
			if a.EndedAt.Before(b.EndedAt) || a.EndedAt.Equal(b.EndedAt) && a.InteractionID <= b.InteractionID {
				return fmt.Errorf("Recent out of order: %s then %s", a.InteractionID, b.InteractionID)
			}
		}
		err = s.Buckets(ctx, store.BucketQuery{Tenant: "t2", Model: "voice", From: wideFrom, To: wideTo}, func(b store.Bucket) error {
			if b.Volume == 0 {
				return fmt.Errorf("Buckets returned an empty bucket %s", canonBucket(b))
			}
			return nil
		})
		if err != nil {
			return fmt.Errorf("Buckets while writing: %w", err)
		}
		if _, err := s.LatestData(ctx, "t1", "chat"); err != nil && !errors.Is(err, store.ErrNoData) {
			return fmt.Errorf("LatestData while writing: %w", err)
		}
	}
}
