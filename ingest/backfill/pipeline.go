package backfill

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/agentpulse/agentpulse/ingest"
	"github.com/agentpulse/agentpulse/schemas"
)

// send runs the import's pipeline: one goroutine reads and decodes
// batches, a dispatcher starts sending up to Config.InFlight of them at
// once, and the calling goroutine takes their results in file order,
// checkpointing after each. rd nil means nothing is left to read.
//
// Once the context is done no batch is started: a batch started then
// could land with no checkpoint to show for it. Batches already in flight
// finish; those acknowledged are checkpointed.
func (im *Importer) send(ctx context.Context, rd Reader, st *State, sum *Summary, prog *progressReporter) error {
	if rd == nil {
		return nil
	}
	ctx, cancel := context.WithCancel(ctx)
	batches := make(chan *batch, 2)
	readErr := make(chan error, 1)
	go func() {
		defer close(batches)
		readErr <- readBatches(ctx, rd, im.cfg.BatchSize, batches)
	}()
	defer func() {
		// Every path below returns after the dispatcher has ended; stop
		// the reader and wait for it, so no goroutine outlives Run.
		cancel()
		for range batches {
		}
	}()
	slots := make(chan struct{}, im.cfg.InFlight)
	flights := make(chan *flight, im.cfg.InFlight) // never full: a flight holds a slot
	go func() {
		defer close(flights)
		for b := range batches {
			select {
			case slots <- struct{}{}:
			case <-ctx.Done():
				return
			}
			if ctx.Err() != nil {
				return
			}
			f := &flight{b: b, done: make(chan error, 1)}
			go func() { f.done <- im.deliver(ctx, f.b) }()
			flights <- f
		}
	}()
	for f := range flights {
		err := <-f.done
		<-slots
		if err != nil {
			cancel()
			for g := range flights {
				<-g.done // let the other sends end before returning
			}
			return im.stopped(err, st)
		}
		b := f.b
		st.Position = b.end
		st.Accepted += int64(len(b.accepted))
		st.Rejected += int64(len(b.rejected))
		sum.Accepted += int64(len(b.accepted))
		sum.Rejected += int64(len(b.rejected))
		sum.Read = sum.Accepted + sum.Rejected
		sum.Reached = b.end
		if err := im.checkpoint(st); err != nil {
			cancel()
			for g := range flights {
				<-g.done
			}
			return err
		}
		prog.ack(b.end.Offset, len(b.accepted)+len(b.rejected))
	}
	if err := ctx.Err(); err != nil {
		return im.stopped(err, st)
	}
	if err := <-readErr; err != nil {
		return fmt.Errorf("import %s: %w", im.cfg.Path, err)
	}
	return nil
}

// deliver sends one batch: dead letters first, then interactions, each
// waiting for the broker's acknowledgement.
func (im *Importer) deliver(ctx context.Context, b *batch) error {
	if err := im.sink.DeadLetter(ctx, b.rejected); err != nil {
		return err
	}
	return im.sink.Produce(ctx, b.accepted)
}

// flight is a batch being sent; done receives the result.
type flight struct {
	b    *batch
	done chan error
}

// batch is a run of records sent and checkpointed together.
type batch struct {
	accepted []schemas.Interaction
	rejected []ingest.Rejected
	end      Position // after the batch's last record
}

// readBatches reads rd into batches of size records until the end of the
// file (returning nil), a read error, or ctx being done.
func readBatches(ctx context.Context, rd Reader, size int, out chan<- *batch) error {
	b := &batch{accepted: make([]schemas.Interaction, 0, size)}
	n := 0
	flush := func() bool {
		select {
		case out <- b:
		case <-ctx.Done():
			return false
		}
		b = &batch{accepted: make([]schemas.Interaction, 0, size)}
		n = 0
		return true
	}
	for {
		item, err := rd.Next()
		if errors.Is(err, io.EOF) {
			if n > 0 && !flush() {
				return ctx.Err()
			}
			return nil
		}
		if err != nil {
			return err
		}
		if item.Err != nil {
			b.rejected = append(b.rejected, ingest.Rejected{
				Tenant: item.Tenant, Stage: Stage, Reason: item.Err.Error(), Raw: item.Raw,
			})
		} else {
			b.accepted = append(b.accepted, item.Interaction)
		}
		b.end = item.End
		if n++; n == size && !flush() {
			return ctx.Err()
		}
	}
}
