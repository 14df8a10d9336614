package processor

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/agentpulse/agentpulse/processor/store"
)

// newPartitionFold returns an empty fold configured by cfg.
func newPartitionFold(cfg Config, partition int32) *fold {
	f := newFold(partition)
	f.horizon = cfg.StateHorizon
	return f
}

// load makes the fold the state of the partition's log below w.start: the
// snapshot stored with that checkpoint when there is one, else (no
// snapshot yet, or one this version cannot read) the partition's newest
// revisions below it (loadFromStore), after which a snapshot is written
// at once so that the next start is a snapshot's. Days past the horizon
// then leave memory. False when the partition cannot be folded: the
// processor is failing.
func (w *worker) load(ctx context.Context) bool {
	log := w.p.log.With("partition", w.partition)
	began := time.Now()
	from := "snapshot"
	var restoreTook, keysTook time.Duration
	if w.snapshot != nil {
		// The stored key filter is read while the snapshot decodes: the
		// snapshot says whether it needs one (loadKeys).
		keys := make(chan storedKeys, 1)
		go func() {
			var k storedKeys
			k.below, k.data, k.err = w.p.store.KeyFilter(ctx, w.partition)
			keys <- k
		}()
		err := w.fold.restore(w.snapshot)
		restoreTook = time.Since(began)
		k := <-keys
		keysTook = time.Since(began) - restoreTook
		if err == nil {
			err = w.loadKeys(k)
		}
		if err != nil {
			log.Warn("snapshot unreadable; loading the partition from the store", "offset", w.start, "err", err)
			w.fold = newPartitionFold(w.p.cfg, w.partition)
			w.snapshot = nil
		}
	}
	peak, loadEvicted := 0, 0
	var keys *keyFilterBuilder
	if w.snapshot == nil && w.start > 0 {
		from = "store"
		keys = w.keyBuilder(w.start)
		defer keys.close()
		var err error
		if peak, loadEvicted, err = w.loadFromStore(ctx, keys); err != nil {
			// Without its state the partition cannot be folded correctly:
			// stop the processor rather than count wrongly.
			w.p.fail(fmt.Errorf("load partition %d: %w", w.partition, err))
			return false
		}
	}
	size := len(w.snapshot)
	w.snapshot = nil
	// Everything loaded is stored: batch 0 is.
	days, evicted := w.fold.evict(0)
	evicted += loadEvicted
	w.p.metrics.evicted.Add(float64(evicted))
	hot, buckets := w.fold.hot()
	peak = max(peak, hot)
	log.Info("partition loaded", "from", from, "offset", w.start, "snapshot_bytes", size,
		"interactions", hot, "peak_interactions", peak, "bucket_parts", buckets, "evicted_days", days,
		"evicted_interactions", evicted, "restore_took", restoreTook, "key_filter_took", keysTook, "took", time.Since(began))
	w.p.metrics.loadPeak.WithLabelValues(strconv.Itoa(int(w.partition))).Set(float64(peak))
	defer w.noteFilter()
	if from == "store" {
		if w.fold.evictedThrough != minDay {
			// Every key loaded was applied below w.start: one static
			// filter of them replaces the Bloom chain the load filled.
			// Stored before the snapshot that names it; if it cannot be,
			// the chain stays and covers.
			if kf, err := w.saveKeys(ctx, keys, w.start); err != nil {
				log.Warn("key filter not stored; the evicted keys stay in the Bloom chain", "err", err)
			} else {
				w.fold.evicted.install(kf, w.start, true)
				w.p.metrics.keyFilters.Inc()
			}
		}
		keys.close()
		// Write the snapshot now: the next start then reads it instead of
		// the partition's history.
		if err := w.writeSnapshot(ctx); err != nil {
			log.Warn("first snapshot not written", "err", err)
		}
	}
	return true
}

// loadFromStore folds the partition's newest revisions below w.start
// (store.LoadPartition, in ascending order of ended_at) and lets each day
// leave memory as soon as the load has passed the horizon beyond it, so
// that memory holds the horizon's days and not the partition's history
// however long it is. Everything loaded is stored, so a day may leave at
// once (evict(0)); no later record of the load falls in a day that left,
// since records come in order of ended_at and a day leaves only once the
// watermark (the newest ended_at loaded) is a horizon past its end. It
// returns the most interactions memory held at once and how many left; it
// gives keys the hash of every key loaded (keyHash64), to build the static
// filter of keys from.
func (w *worker) loadFromStore(ctx context.Context, keys *keyFilterBuilder) (peak, evicted int, err error) {
	f := w.fold
	day, held := int32(minDay), 0
	var key []byte
	err = w.p.store.LoadPartition(ctx, w.partition, w.start, func(r store.Record) error {
		key = appendKey(key[:0], r.TenantID, r.InteractionID)
		keys.add(keyHash64(key))
		if d := dayOf(r.EndedAt.UnixNano()); d != day {
			if d < day {
				return fmt.Errorf("store returned %s (ended %v) after a later day: not in order of ended_at",
					r.InteractionID, r.EndedAt)
			}
			// A new day: the days the horizon has passed can go.
			day = d
			_, n := f.evict(0)
			evicted += n
			held -= n
		}
		f.load(r)
		held++
		peak = max(peak, held)
		return nil
	})
	return peak, evicted, err
}

// writeSnapshot stores a snapshot of the fold at w.start, with nothing
// else: the state right after loading.
func (w *worker) writeSnapshot(ctx context.Context) error {
	snap, err := w.fold.snapshot()
	if err != nil {
		return err
	}
	if !w.store(ctx, store.Batch{Partition: w.partition, Next: w.start, Snapshot: snap}) {
		return errors.New("stopped before the store answered")
	}
	w.lastSnapshot = time.Now()
	w.p.metrics.snapshots.Inc()
	w.p.metrics.snapshotBytes.Observe(float64(len(snap)))
	return nil
}

// noteFilter sets the gauge of the evicted filter's memory.
func (w *worker) noteFilter() {
	w.p.metrics.filterBytes.WithLabelValues(strconv.Itoa(int(w.partition))).Set(float64(w.fold.evicted.bytes()))
}
