package processor

import (
	"context"
	"time"

	"github.com/agentpulse/agentpulse/processor/store"
)

// hydrate brings back into memory what folding ds needs of what left it:
// the current revision of every interaction that may have left (the
// evicted filter says so) and is not in memory, and every bucket part of
// an evicted day that a record or such a revision counts in. Both come
// from the store as of the batch's first offset: everything the partition
// applied below it is in memory or, having left, stored; what the store
// holds at or past it (rows of a batch whose checkpoint a crash kept from
// being written) is not read. Two queries at most per fetched batch, and
// none while the batch touches only recent days and new interactions.
// Retried with backoff; false when the worker stopped first.
func (w *worker) hydrate(ctx context.Context, ds []decoded) bool {
	f := w.fold
	if f.evictedThrough == minDay {
		return true
	}
	below := ds[0].rec.Offset
	var keys []store.InteractionKey
	seenKey := map[store.InteractionKey]bool{}
	var parts []store.BucketKey
	seenPart := map[store.BucketKey]bool{}
	addPart := func(k store.BucketKey) {
		if !seenPart[k] {
			seenPart[k] = true
			parts = append(parts, k)
		}
	}
	for i := range ds {
		d := &ds[i]
		if d.err != nil || w.tooOld(&d.it) {
			continue
		}
		interaction, bucket := f.needs(&d.it)
		if interaction {
			k := store.InteractionKey{Tenant: d.it.TenantID, ID: d.it.InteractionID}
			if !seenKey[k] {
				seenKey[k] = true
				keys = append(keys, k)
			}
		}
		if bucket {
			addPart(BucketKeyOf(&d.it))
		}
	}
	var found []store.Record
	if len(keys) > 0 {
		ok := w.retry(ctx, "look up evicted interactions", func() error {
			found = found[:0]
			return w.p.store.Current(ctx, w.partition, below, keys, func(r store.Record) error {
				found = append(found, r)
				return nil
			})
		})
		if !ok {
			return false
		}
		for i := range found {
			if k := BucketKeyOf(&found[i].Interaction); f.coldMissing(k) {
				addPart(k)
			}
		}
	}
	if len(parts) > 0 {
		byPart := map[store.BucketKey][]store.Record{}
		ok := w.retry(ctx, "load evicted bucket parts", func() error {
			clear(byPart)
			return w.p.store.CurrentIn(ctx, w.partition, below, parts, func(r store.Record) error {
				k := BucketKeyOf(&r.Interaction)
				byPart[k] = append(byPart[k], r)
				return nil
			})
		})
		if !ok {
			return false
		}
		for _, k := range parts {
			f.loadPart(k, byPart[k])
		}
	}
	for i := range found {
		f.loadInteraction(&found[i])
	}
	return true
}

// retry runs fn until it succeeds, with backoff; false when the worker
// stopped first.
func (w *worker) retry(ctx context.Context, what string, fn func() error) bool {
	backoff := 50 * time.Millisecond
	for {
		w.p.metrics.lookups.Inc()
		err := fn()
		if err == nil {
			return true
		}
		w.p.metrics.storeErrors.Inc()
		w.p.log.Warn("store lookup failed; retrying", "partition", w.partition, "what", what, "retry_in", backoff, "err", err)
		select {
		case <-time.After(backoff):
		case <-w.lost:
			return false
		case <-ctx.Done():
			return false
		}
		backoff = min(2*backoff, 5*time.Second)
	}
}
