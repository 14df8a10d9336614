package processor

import (
	"context"
	"fmt"
	"sync/atomic"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/agentpulse/agentpulse/processor/store"
	"github.com/agentpulse/agentpulse/schemas"
)

// worker owns one partition: it loads the partition's state from the
// store, folds the records the poll loop hands it, publishes updates, and
// writes batches to the store before marking offsets for commit.
type worker struct {
	p         *Processor
	partition int32
	start     int64  // the offset the partition's state was loaded at
	snapshot  []byte // the store's snapshot at start, nil when none
	fold      *fold

	in   chan fetched
	quit chan struct{} // closed on revoke: flush, then stop
	lost chan struct{} // closed on loss: stop without flushing
	done chan struct{}

	// highWatermark is the partition's log end as of the latest fetch.
	highWatermark int64

	last       *kgo.Record   // last record applied, not yet handed to the store
	firstDirty time.Time     // when the oldest unstored change was applied
	inflight   chan struct{} // closed when the batch being stored is done; nil when none

	// round numbers the update rounds (one per fetched batch) and order
	// lists the agents with an update in the current round: see process.
	round uint64
	order []*agentState

	// catchingUp is set while the partition is far behind its log end:
	// records are folded without publishing updates (update_publish.go).
	catchingUp bool

	decoded []decoded // process's buffer

	// stored is the fold.seq of the newest batch the store acknowledged:
	// written by the batch's goroutine before it closes inflight.
	stored uint64
	// storedNext is the checkpoint of the newest batch the store
	// acknowledged (written with stored): every key evicted so far was
	// applied below it.
	storedNext   int64
	lastSnapshot time.Time
	// keysBuilt delivers the static key filter a background build made
	// (keybuild.go); nil when none is being built. keysFailed is when the
	// last build failed: the next waits a while.
	keysBuilt  chan keyBuild
	keysFailed time.Time
	final      bool // stopping: the next batch carries a snapshot

	// next is the offset after the last record folded. Read by
	// Processor.Lag.
	next atomic.Int64
}

func newWorker(p *Processor, partition int32, start int64, snapshot []byte) *worker {
	w := &worker{
		p: p, partition: partition, start: start, snapshot: snapshot, fold: newPartitionFold(p.cfg, partition),
		in:   make(chan fetched, p.cfg.QueueBatches),
		quit: make(chan struct{}), lost: make(chan struct{}), done: make(chan struct{}),
	}
	w.next.Store(start)
	w.storedNext = start
	return w
}

// run loads state, then folds until quit, lost or ctx ends.
func (w *worker) run(ctx context.Context) {
	defer close(w.done)
	if !w.load(ctx) {
		return
	}
	ticker := time.NewTicker(w.p.cfg.FlushInterval / 4)
	defer ticker.Stop()
	for {
		select {
		case f := <-w.in:
			w.p.metrics.queueLength.Dec()
			w.highWatermark = f.highWatermark
			w.catchUp(f)
			w.process(ctx, f.records)
			w.caughtUp(ctx)
			if n := len(w.fold.pending); n >= w.p.cfg.FlushRecords || (n >= w.p.cfg.FlushRecords/10 && w.fold.overdue()) {
				// Full, or (in a replay) holding a day past the horizon
				// that only a flush lets leave memory: memory follows the
				// horizon, not the records between flushes.
				w.flush(ctx)
			}
		case kb := <-w.keysBuilt:
			w.installKeys(kb)
		case <-ticker.C:
			if w.last != nil && time.Since(w.firstDirty) >= w.flushInterval() {
				w.flush(ctx)
			} else if w.last == nil {
				w.evictIdle(ctx)
			}
		case <-w.quit:
			w.drain(ctx)
			w.final = true
			w.flush(ctx)
			w.waitFlushed()
			return
		case <-w.lost:
			// The batch in flight, if any, is left to finish (or give
			// up) on its own: with the store down it may wait in the
			// processor's group write, and a lost partition must not
			// hold the client's callback.
			return
		case <-ctx.Done():
			w.waitFlushed()
			return
		}
	}
}

// fetched is one partition's records of a poll, and the partition's log
// end as the broker saw it then.
type fetched struct {
	records       []*kgo.Record
	highWatermark int64
}

// flushInterval is how long the oldest unstored change may wait for the
// store: FlushInterval near the log end, for fresh reads; CatchUpFlushInterval
// while the log holds at least a tenth of FlushRecords more records (a
// processor keeping up with live traffic is never that far behind), so
// that a replay writes full batches of FlushRecords rather than one small
// batch every FlushInterval: fewer, bigger inserts cost the store and the
// processor far less. The same distance decides whether updates are
// published (catchUp).
func (w *worker) flushInterval() time.Duration {
	if w.highWatermark-w.next.Load() >= w.catchUpLag() {
		return w.p.cfg.CatchUpFlushInterval
	}
	return w.p.cfg.FlushInterval
}

// drain folds what is already queued, so a revoke stores it.
func (w *worker) drain(ctx context.Context) {
	for {
		select {
		case f := <-w.in:
			w.p.metrics.queueLength.Dec()
			w.highWatermark = f.highWatermark
			w.catchUp(f)
			w.process(ctx, f.records)
		default:
			return
		}
	}
}

// decoded is one fetched record as process folds it.
type decoded struct {
	rec *kgo.Record
	it  schemas.Interaction
	err error // why it cannot be folded; nil when it can
}

// process folds a fetched batch and publishes one update per changed agent.
// It first brings back from the store what the batch needs of what left
// memory (hydrate); when the worker stops before the store answers, it
// folds nothing and returns.
func (w *worker) process(ctx context.Context, recs []*kgo.Record) {
	ds := w.decoded[:0]
	if cap(ds) < len(recs) {
		ds = make([]decoded, 0, len(recs)) // at once: growing copies every decoded record
	}
	for _, r := range recs {
		if r.Offset < w.start {
			continue // before the checkpoint: already in the loaded state
		}
		d := decoded{rec: r}
		d.it, d.err = schemas.DecodeInteraction(r.Value)
		ds = append(ds, d)
	}
	defer func() {
		clear(ds)
		w.decoded = ds[:0]
	}()
	if len(ds) == 0 || !w.hydrate(ctx, ds) {
		return
	}
	below := ds[0].rec.Offset
	w.fold.evictedNewest = func(tenant, model, agent string, limit int) []store.Record {
		var out []store.Record
		w.retry(ctx, "look up an agent's newest evicted interactions", func() error {
			var err error
			out, err = w.p.store.NewestOf(ctx, w.partition, below, tenant, model, agent, limit)
			return err
		})
		return out
	}
	// A new round of updates: every agentState and bucketState whose round
	// is older is not in an update of this batch yet.
	w.round++
	order := w.order[:0]
	for i := range ds {
		d := &ds[i]
		r := d.rec
		if d.err != nil {
			w.p.metrics.records.WithLabelValues("invalid").Inc()
			w.p.deadLetter(ctx, r, d.err)
			w.markApplied(r)
			continue
		}
		it := &d.it
		if w.tooOld(it) {
			w.p.metrics.records.WithLabelValues("too_old").Inc()
			w.p.deadLetter(ctx, r, fmt.Errorf("ended_at %s is more than the acceptance window (%s) before the newest ended_at of its partition (%s): too old to correct",
				it.EndedAt.Format(time.RFC3339), w.p.cfg.AcceptanceWindow, time.Unix(0, w.fold.watermark).UTC().Format(time.RFC3339)))
			w.markApplied(r)
			continue
		}
		ch := w.fold.apply(it, r.Offset)
		w.markApplied(r)
		if !ch.Applied {
			w.p.metrics.unchanged.Inc()
			continue
		}
		w.p.metrics.applied.Inc()
		if w.catchingUp {
			continue // no updates: a marker once caught up
		}
		// The interaction's own agent is its new bucket's.
		a := ch.Buckets[ch.N-1].agent
		order = w.updateFor(order, a)
		a.update.Offset = r.Offset
		a.update.Interactions = append(a.update.Interactions, schemas.UpdateInteraction{ID: it.InteractionID, Revision: it.Revision, Inquiry: it.Inquiry, EndedAt: it.EndedAt})
		for _, b := range ch.Buckets[:ch.N] {
			// A retraction from another agent's or model's bucket is that
			// agent's change.
			order = w.updateFor(order, b.agent)
			b.agent.update.Offset = r.Offset
			if b.published != w.round {
				b.published = w.round
				b.agent.update.Buckets = append(b.agent.update.Buckets, schemas.UpdateBucket{Team: b.team, Inquiry: b.inquiry, Hour: b.hour})
				b.agent.buckets = append(b.agent.buckets, b)
			}
		}
	}
	for _, a := range order {
		u := a.update
		for i, b := range a.buckets {
			u.Buckets[i].Sums, u.Buckets[i].Version = schemas.UpdateSums(b.sums), b.version
		}
		u.Roster = a.rosterUpdate()
		w.p.publish(ctx, u)
		a.update = nil
		clear(a.buckets)
		a.buckets = a.buckets[:0]
	}
	clear(order)
	w.order = order[:0]
}

// tooOld reports whether it ended more than the acceptance window before
// the newest ended_at the partition applied: a function of the log, so a
// refold decides the same.
func (w *worker) tooOld(it *schemas.Interaction) bool {
	return w.fold.watermark != 0 && w.fold.watermark-it.EndedAt.UnixNano() > int64(w.p.cfg.AcceptanceWindow)
}

// updateFor makes sure agent a has an update in the current round,
// appending it to order when it is new.
func (w *worker) updateFor(order []*agentState, a *agentState) []*agentState {
	if a.round != w.round || a.update == nil {
		a.round = w.round
		a.update = &schemas.Update{Tenant: a.tenant, Model: a.model, Agent: a.agent, Partition: w.partition}
		a.buckets = a.buckets[:0]
		order = append(order, a)
	}
	return order
}

func (w *worker) markApplied(r *kgo.Record) {
	w.next.Store(r.Offset + 1)
	if w.last == nil {
		w.firstDirty = time.Now()
	}
	w.last = r
}

// flush hands everything applied since the last flush to the store in the
// background, so that folding goes on while the store writes; the batch is
// written together with other partitions' (groupWriter). At most one
// batch per partition is in flight: flush first waits for the previous
// one, which keeps batches in order and bounds memory. The store write is
// retried with backoff until it succeeds or the worker must stop; only
// then are the batch's offsets marked for commit. A batch that never
// reaches the store is replayed from the log by whoever owns the
// partition next.
func (w *worker) flush(ctx context.Context) {
	w.waitFlushed()
	// Every batch taken so far is stored (or the worker is stopping):
	// days past the horizon may leave memory now.
	if _, n := w.fold.evict(w.stored); n > 0 {
		w.p.metrics.evicted.Add(float64(n))
		w.noteFilter()
	}
	w.rebuildKeys(ctx)
	if w.last == nil {
		return
	}
	last := w.last
	batch := w.fold.takeBatch(last.Offset + 1)
	seq := w.fold.seq
	if w.final || time.Since(w.lastSnapshot) >= w.p.cfg.SnapshotInterval {
		// The fold is exactly the state as of the batch's checkpoint.
		snap, err := w.fold.snapshot()
		if err != nil {
			w.p.log.Error("snapshot not written", "partition", w.partition, "err", err)
		} else {
			batch.Snapshot = snap
			w.lastSnapshot = time.Now()
			w.p.metrics.snapshots.Inc()
			w.p.metrics.snapshotBytes.Observe(float64(len(snap)))
		}
	}
	w.last = nil
	done := make(chan struct{})
	w.inflight = done
	go func() {
		defer close(done)
		if w.p.group.write(ctx, w, batch) {
			w.stored, w.storedNext = seq, batch.Next
			w.p.client.MarkCommitRecords(last)
		}
	}()
}

// evictIdle lets days past the horizon leave memory while nothing waits
// for the store, so a partition that went quiet does not keep them until
// its next record, and starts a key filter build when one is due.
func (w *worker) evictIdle(ctx context.Context) {
	if w.inflight != nil {
		select {
		case <-w.inflight:
			w.inflight = nil
		default:
			return
		}
	}
	if _, n := w.fold.evict(w.stored); n > 0 {
		w.p.metrics.evicted.Add(float64(n))
		w.noteFilter()
	}
	w.rebuildKeys(ctx)
}

// waitFlushed waits for the batch in flight, if any.
func (w *worker) waitFlushed() {
	if w.inflight != nil {
		<-w.inflight
		w.inflight = nil
	}
}

// store writes one batch, retrying with backoff; false when the worker
// stopped first.
func (w *worker) store(ctx context.Context, batch store.Batch) bool {
	began := time.Now()
	backoff := 50 * time.Millisecond
	for {
		err := w.p.store.Apply(ctx, batch)
		if err == nil {
			break
		}
		w.p.metrics.storeErrors.Inc()
		w.p.log.Warn("store write failed; retrying", "partition", w.partition, "records", len(batch.Records), "retry_in", backoff, "err", err)
		select {
		case <-time.After(backoff):
		case <-w.lost:
			return false
		case <-ctx.Done():
			return false
		}
		backoff = min(2*backoff, 5*time.Second)
	}
	w.p.metrics.flushSeconds.Observe(time.Since(began).Seconds())
	w.p.metrics.flushRecords.Observe(float64(len(batch.Records)))
	select {
	case <-w.lost:
		return false // not ours any more: leave the commit to the new owner
	default:
		return true
	}
}

// deadLetter keeps a record that cannot be folded on the dead-letter topic
// with the reason, so nothing accepted is dropped silently.
func (p *Processor) deadLetter(ctx context.Context, r *kgo.Record, cause error) {
	reason := cause.Error()
	dl := &kgo.Record{
		Topic: p.cfg.DeadLetterTopic,
		Key:   r.Key,
		Value: r.Value,
		Headers: []kgo.RecordHeader{
			{Key: "reason", Value: []byte(reason)},
			{Key: "stage", Value: []byte("processor")},
			{Key: "source_topic", Value: []byte(r.Topic)},
			{Key: "source_partition", Value: fmt.Appendf(nil, "%d", r.Partition)},
			{Key: "source_offset", Value: fmt.Appendf(nil, "%d", r.Offset)},
		},
	}
	// Produced without waiting: a record that fails never holds its
	// partition for a broker round trip. The client retries; a record it
	// gives up on is logged with its position, which stays in the
	// interactions topic.
	part, off := r.Partition, r.Offset
	p.client.Produce(ctx, dl, func(_ *kgo.Record, err error) {
		if err != nil {
			p.log.Error("dead-letter produce failed", "partition", part, "offset", off, "reason", reason, "err", err)
		}
	})
}
