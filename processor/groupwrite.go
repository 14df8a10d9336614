package processor

import (
	"context"
	"sync"
	"time"

	"github.com/agentpulse/agentpulse/processor/store"
)

// groupWriter writes the batches of all of a processor's partitions to the
// store together (store.Writer.ApplyAll: one insert per table), so that
// inserts per second follow the store's latency, not the partition count.
// There is no goroutine of its own: a worker's batch goroutine that finds
// no write in progress leads one, taking every batch queued by then; when
// it is done, it hands the lead to the first batch queued meanwhile. No
// batch waits for a timer: one that arrives while the store is idle is
// written at once, alone.
type groupWriter struct {
	p     *Processor
	mu    sync.Mutex
	queue []*groupJob
	busy  bool
}

type groupJob struct {
	w     *worker
	batch store.Batch
	lead  chan struct{} // closed when this job's goroutine must lead a write
	done  chan struct{} // closed when the batch is written or given up
	ok    bool
}

// write stores b with whatever other partitions hand over meanwhile; true
// once the store acknowledged it and w still owns its partition, false
// when the worker or the processor stopped first (the next owner replays
// the batch from the log).
func (g *groupWriter) write(ctx context.Context, w *worker, b store.Batch) bool {
	j := &groupJob{w: w, batch: b, lead: make(chan struct{}), done: make(chan struct{})}
	g.mu.Lock()
	g.queue = append(g.queue, j)
	if !g.busy {
		g.busy = true
		close(j.lead)
	}
	g.mu.Unlock()
	select {
	case <-j.done:
		return j.ok
	case <-j.lead:
	}
	g.mu.Lock()
	jobs := g.queue
	g.queue = nil
	g.mu.Unlock()
	ok := g.store(ctx, jobs)
	for _, x := range jobs {
		x.ok = ok && !x.w.isLost()
		close(x.done)
	}
	g.mu.Lock()
	if len(g.queue) > 0 {
		close(g.queue[0].lead)
	} else {
		g.busy = false
	}
	g.mu.Unlock()
	return j.ok
}

// store writes jobs' batches, retrying with backoff until the store
// acknowledges, ctx ends or every job's worker lost its partition.
func (g *groupWriter) store(ctx context.Context, jobs []*groupJob) bool {
	p := g.p
	bs := make([]store.Batch, len(jobs))
	records := 0
	for i, j := range jobs {
		bs[i] = j.batch
		records += len(j.batch.Records)
	}
	began := time.Now()
	backoff := 50 * time.Millisecond
	for {
		err := p.store.ApplyAll(ctx, bs)
		if err == nil {
			break
		}
		p.metrics.storeErrors.Inc()
		p.log.Warn("store write failed; retrying", "partitions", len(bs), "records", records, "retry_in", backoff, "err", err)
		allLost := true
		for _, j := range jobs {
			allLost = allLost && j.w.isLost()
		}
		if allLost {
			return false
		}
		select {
		case <-time.After(backoff):
		case <-ctx.Done():
			return false
		}
		backoff = min(2*backoff, 5*time.Second)
	}
	p.metrics.flushSeconds.Observe(time.Since(began).Seconds())
	p.metrics.flushRecords.Observe(float64(records))
	p.metrics.flushPartitions.Observe(float64(len(bs)))
	return true
}

// isLost reports whether the worker's partition was lost.
func (w *worker) isLost() bool {
	select {
	case <-w.lost:
		return true
	default:
		return false
	}
}
