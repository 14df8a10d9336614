package simulator

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"sync"

	"github.com/agentpulse/agentpulse/schemas"
)

// WriteNDJSON runs the generator and writes every record to w as one line
// of JSON, in stream order. Each batch is encoded in parallel on the
// generator's workers and written through a buffer, which is flushed before
// WriteNDJSON returns. (A separate writer goroutine overlapping writes with
// generation was measured and gained nothing: encoding dominates.)
//
// It returns the run's statistics and the number of bytes written. On
// error (from w, or ctx being done) the output is a prefix of the full
// stream, ending at a line boundary unless w itself failed.
func (g *Generator) WriteNDJSON(ctx context.Context, w io.Writer) (Stats, int64, error) {
	stats, _, n, err := g.write(ctx, w, nil, false)
	return stats, n, err
}

// WriteWithTruth is WriteNDJSON that also writes the survey outcomes
// (Batch.Outcomes) to outcomes as NDJSON, unless it is nil, and returns
// the ground truth of the run (RunTruth). The bytes written to w are those
// of WriteNDJSON.
func (g *Generator) WriteWithTruth(ctx context.Context, w, outcomes io.Writer) (Stats, *Truth, int64, error) {
	return g.write(ctx, w, outcomes, true)
}

func (g *Generator) write(ctx context.Context, w, outcomes io.Writer, truth bool) (Stats, *Truth, int64, error) {
	bw := bufio.NewWriterSize(w, 1<<20)
	var ow *bufio.Writer
	if outcomes != nil {
		ow = bufio.NewWriterSize(outcomes, 1<<16)
	}
	enc := newBatchEncoder(g.workers)
	var written int64
	var obuf []byte
	fn := func(b Batch) error {
		for _, chunk := range enc.encode(b.Records) {
			n, err := bw.Write(chunk)
			written += int64(n)
			if err != nil {
				return fmt.Errorf("write ndjson: %w", err)
			}
		}
		if ow == nil {
			return nil
		}
		obuf = obuf[:0]
		for i := range b.Outcomes {
			obuf = append(b.Outcomes[i].AppendJSON(obuf), '\n')
		}
		if _, err := ow.Write(obuf); err != nil {
			return fmt.Errorf("write outcomes ndjson: %w", err)
		}
		return nil
	}
	var stats Stats
	var tr *Truth
	var err error
	if truth {
		stats, tr, err = g.RunTruth(ctx, fn)
	} else {
		stats, err = g.Run(ctx, fn)
	}
	if err != nil {
		return stats, tr, written, err
	}
	if err := bw.Flush(); err != nil {
		return stats, tr, written, fmt.Errorf("write ndjson: %w", err)
	}
	if ow != nil {
		if err := ow.Flush(); err != nil {
			return stats, tr, written, fmt.Errorf("write outcomes ndjson: %w", err)
		}
	}
	return stats, tr, written, nil
}

// batchEncoder encodes a batch as NDJSON in parallel: one contiguous chunk
// of records per worker, each into a buffer reused across batches. Not safe
// for concurrent use.
type batchEncoder struct {
	bufs [][]byte
}

func newBatchEncoder(workers int) *batchEncoder {
	return &batchEncoder{bufs: make([][]byte, workers)}
}

// encode returns the encoded chunks in order. They stay valid until the
// next call.
func (e *batchEncoder) encode(its []schemas.Interaction) [][]byte {
	workers := len(e.bufs)
	chunk := (len(its) + workers - 1) / workers
	var wg sync.WaitGroup
	for w := range workers {
		lo, hi := min(len(its), w*chunk), min(len(its), (w+1)*chunk)
		wg.Add(1)
		go func() {
			defer wg.Done()
			buf := e.bufs[w][:0]
			for i := lo; i < hi; i++ {
				buf = its[i].AppendJSON(buf) // reflection-free, same bytes as json.Marshal
				buf = append(buf, '\n')
			}
			e.bufs[w] = buf
		}()
	}
	wg.Wait()
	return e.bufs
}
