package ingest

import (
	"context"
	"errors"
	"fmt"
	"sync"
)

// States of a batch being kept.
const (
	keepRunning   int32 = iota // the sink has not returned
	keepAnswered               // the sink returned to the waiting handler
	keepAbandoned              // the handler answered 503 and left the batch to the sink's goroutine
)

// keep produces b's accepted records and dead-letters its rejected ones,
// concurrently, and waits for both durable acknowledgements, at most
// ProduceTimeout. The sink runs detached from the client's cancellation,
// so a client that goes away does not leave a half-produced batch behind.
//
// owned reports whether the caller still owns b. On a timeout the sink may
// still be blocked (kgo does not fail an idempotent record already sent),
// so b and its in-flight slot pass to the sink's goroutine, which releases
// them when the sink returns: memory and slots stay bounded even when the
// broker hangs.
func (h *HTTPHandler) keep(ctx context.Context, b *batch) (owned bool, err error) {
	if b.nAccepted() == 0 && len(b.dead) == 0 {
		return true, nil
	}
	pctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), h.cfg.ProduceTimeout)
	done := make(chan error, 1)
	go func() {
		defer cancel()
		err := h.sinkAll(pctx, b)
		if b.state.CompareAndSwap(keepRunning, keepAnswered) {
			done <- err
			return
		}
		h.release(b)
	}()
	select {
	case err := <-done:
		return true, err
	case <-pctx.Done():
		if b.state.CompareAndSwap(keepRunning, keepAbandoned) {
			return false, fmt.Errorf("no durable acknowledgement within %s: %w", h.cfg.ProduceTimeout, pctx.Err())
		}
		return true, <-done
	}
}

// sinkAll produces and dead-letters b's records concurrently.
func (h *HTTPHandler) sinkAll(ctx context.Context, b *batch) error {
	switch {
	case len(b.dead) == 0:
		return h.produce(ctx, b)
	case b.nAccepted() == 0:
		return h.sink.DeadLetter(ctx, b.dead)
	}
	var dlqErr error
	var wg sync.WaitGroup
	wg.Go(func() { dlqErr = h.sink.DeadLetter(ctx, b.dead) })
	err := h.produce(ctx, b)
	wg.Wait()
	return errors.Join(err, dlqErr)
}

// produce writes b's accepted records to their topic.
func (h *HTTPHandler) produce(ctx context.Context, b *batch) error {
	if b.outcomes {
		return h.osink.ProduceOutcomes(ctx, b.accOut)
	}
	return h.sink.Produce(ctx, b.accepted)
}
