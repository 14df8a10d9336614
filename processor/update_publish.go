package processor

import (
	"context"
	"strconv"

	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/agentpulse/agentpulse/schemas"
)

// catchUpLag is how far behind its log end a partition must be to be
// caught up without updates: a tenth of FlushRecords, the distance at
// which flushes use CatchUpFlushInterval.
func (w *worker) catchUpLag() int64 { return int64(max(1, w.p.cfg.FlushRecords/10)) }

// catchUp decides, before a fetched batch is folded, whether its records
// publish updates: a batch that begins at least catchUpLag records behind
// the partition's log end is folded without them. During a replay nobody
// needs the per-batch updates (servers would fall behind applying them,
// and the updates topic would grow by a copy of the history).
func (w *worker) catchUp(f fetched) {
	if len(f.records) == 0 || w.catchingUp {
		return
	}
	if f.highWatermark-f.records[0].Offset >= w.catchUpLag() {
		w.catchingUp = true
		w.p.log.Info("partition far behind its log end: folding without updates until caught up",
			"partition", w.partition, "from_offset", f.records[0].Offset, "log_end", f.highWatermark)
	}
}

// caughtUp ends a catch-up, after a batch is folded, once the partition
// is less than catchUpLag records behind its log end: what was folded is
// stored first (flush, and wait for it), then one schemas.KindRebuilt
// marker says the store holds the partition through the last offset
// folded, so servers read it again once. Later batches publish updates as
// usual.
func (w *worker) caughtUp(ctx context.Context) {
	if !w.catchingUp || w.highWatermark-w.next.Load() >= w.catchUpLag() {
		return
	}
	w.catchingUp = false
	last := w.next.Load() - 1
	w.flush(ctx)
	w.waitFlushed()
	select {
	case <-w.lost:
		return // not ours any more: the new owner announces its own catch-up
	case <-ctx.Done():
		return
	default:
	}
	m := schemas.Rebuilt(w.partition, last)
	w.p.publish(ctx, &m)
	w.p.log.Info("partition caught up: stored without updates, rebuilt marker published", "partition", w.partition, "offset", last)
}

// publish sends an update (or a marker) without waiting for it. An
// update is keyed tenant/agent, so one agent's updates stay in order; a
// marker rebuilt/{partition}.
func (p *Processor) publish(ctx context.Context, u *schemas.Update) {
	b, err := u.AppendJSON(nil)
	if err != nil {
		p.log.Error("encode update", "err", err)
		return
	}
	key := []byte(u.Tenant + "/" + u.Agent)
	if u.Kind != "" {
		key = strconv.AppendInt([]byte(u.Kind+"/"), int64(u.Partition), 10)
	}
	rec := &kgo.Record{Topic: p.cfg.UpdatesTopic, Key: key, Value: b}
	p.client.Produce(ctx, rec, func(_ *kgo.Record, err error) {
		if err != nil {
			p.metrics.updatesFailed.Inc()
			p.log.Warn("update produce failed", "err", err)
			return
		}
		p.metrics.updatesSent.Inc()
	})
}
