package processor

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/agentpulse/agentpulse/processor/store"
)

// keyBuild is the outcome of building a static key filter from the store.
type keyBuild struct {
	filter *keyFilter
	below  int64 // the filter holds every key applied below it
	err    error
	took   time.Duration
}

// keyRebuildRetry is how long after a failed build the next may start.
const keyRebuildRetry = time.Minute

// rebuildKeys starts, when the evicted filter's recent chain is due, a
// background build of a new static filter of every key the partition
// applied below the store's checkpoint (storedNext): the chain so far is
// sealed first, every key in it having been evicted with its day once
// stored, so below that checkpoint. The worker installs the result when
// it arrives (installKeys). Called with no batch in flight; not while
// stopping (the build would outlive the worker).
func (w *worker) rebuildKeys(ctx context.Context) {
	ev := &w.fold.evicted
	min := uint64(rebuildMinKeys)
	if w.p.cfg.keyRebuildMin > 0 {
		min = uint64(w.p.cfg.keyRebuildMin)
	}
	if w.final || w.keysBuilt != nil || w.storedNext <= 0 || !ev.rebuildDue(min) || time.Since(w.keysFailed) < keyRebuildRetry {
		return
	}
	ev.seal()
	below := w.storedNext
	done := make(chan keyBuild, 1)
	w.keysBuilt = done
	go func() { done <- w.buildKeys(ctx, below) }()
}

// buildKeys builds and stores the static filter of every key the
// partition applied below below, from the store (store.Keys). It touches
// no fold state: it runs beside the worker. It holds one shard's keys at
// a time (keyFilterBuilder): below bounds how many keys there are.
func (w *worker) buildKeys(ctx context.Context, below int64) keyBuild {
	began := time.Now()
	kb := w.keyBuilder(below)
	defer kb.close()
	var buf []byte
	err := w.p.store.Keys(ctx, w.partition, below, func(k store.InteractionKey) error {
		buf = appendKey(buf[:0], k.Tenant, k.ID)
		kb.add(keyHash64(buf))
		return nil
	})
	if err != nil {
		return keyBuild{err: fmt.Errorf("read keys below %d: %w", below, err)}
	}
	kf, err := w.saveKeys(ctx, kb, below)
	return keyBuild{filter: kf, below: below, err: err, took: time.Since(began)}
}

// keyBuilder returns a builder of the filter of the keys applied below
// below (at most below of them).
func (w *worker) keyBuilder(below int64) *keyFilterBuilder {
	return newKeyFilterBuilder(w.p.cfg.ScratchDir, below, w.p.cfg.keyShardKeys)
}

// saveKeys builds the filter of what kb was given and stores it as built
// below below.
func (w *worker) saveKeys(ctx context.Context, kb *keyFilterBuilder, below int64) (*keyFilter, error) {
	kf, err := kb.build()
	if err != nil {
		return nil, err
	}
	if kf == nil {
		return nil, errors.New("no keys below the checkpoint")
	}
	if err := w.p.store.SaveKeyFilter(ctx, w.partition, below, kf.encode()); err != nil {
		return nil, fmt.Errorf("store key filter: %w", err)
	}
	return kf, nil
}

// installKeys makes a built filter the partition's static filter, or
// forgets the seal of a failed build.
func (w *worker) installKeys(kb keyBuild) {
	w.keysBuilt = nil
	ev := &w.fold.evicted
	if kb.err != nil {
		ev.unseal()
		w.keysFailed = time.Now()
		w.p.log.Warn("key filter not rebuilt; the evicted keys stay in the Bloom chain", "partition", w.partition, "err", kb.err)
		return
	}
	before := ev.bytes()
	ev.install(kb.filter, kb.below, false)
	w.p.metrics.keyFilters.Inc()
	w.noteFilter()
	w.p.log.Info("key filter rebuilt", "partition", w.partition, "below", kb.below, "keys", kb.filter.keys,
		"filter_bytes_before", before, "filter_bytes", ev.bytes(), "took", kb.took)
}

// storedKeys is what store.KeyFilter returned.
type storedKeys struct {
	below int64
	data  []byte
	err   error
}

// loadKeys installs the stored static filter k that a restored snapshot
// needs (one built below at least the offset the snapshot names; a newer
// one covers more, which costs at most a lookup that finds nothing).
func (w *worker) loadKeys(k storedKeys) error {
	ev := &w.fold.evicted
	if ev.staticBelow == 0 {
		return nil
	}
	if k.err != nil {
		return fmt.Errorf("read key filter: %w", k.err)
	}
	if k.data == nil || k.below < ev.staticBelow {
		return fmt.Errorf("the snapshot needs a key filter built below %d; the store has one below %d", ev.staticBelow, k.below)
	}
	kf, err := decodeKeyFilter(k.data)
	if err != nil {
		return err
	}
	ev.static, ev.staticBelow, ev.staticKeys = kf, k.below, kf.keys
	return nil
}
