package backfill

import (
	"fmt"
	"io"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Progress is a snapshot of a running import.
type Progress struct {
	// Elapsed is the time since this run started.
	Elapsed time.Duration
	// Records is the number of records acknowledged in this run.
	Records int64
	// Done is the file offset reached by the acknowledged records; Start
	// the offset this run started at (non-zero when resumed); Total the
	// file's size.
	Done, Start, Total int64
}

// Rate returns the records acknowledged per second in this run.
func (p Progress) Rate() float64 {
	if p.Elapsed <= 0 {
		return 0
	}
	return float64(p.Records) / p.Elapsed.Seconds()
}

// Fraction returns the share of the file done, 0..1 (1 for an empty file).
func (p Progress) Fraction() float64 {
	if p.Total <= 0 {
		return 1
	}
	return min(1, max(0, float64(p.Done)/float64(p.Total)))
}

// ETA estimates the time left from this run's byte rate; ok is false while
// nothing is done yet.
func (p Progress) ETA() (eta time.Duration, ok bool) {
	did := p.Done - p.Start
	if did <= 0 || p.Elapsed <= 0 {
		return 0, false
	}
	left := max(0, p.Total-p.Done)
	return time.Duration(float64(p.Elapsed) * float64(left) / float64(did)).Round(time.Second), true
}

// Bar renders p as a one-line progress bar of the given bar width:
//
//	[########------------]  40.0%  400000 records  200000 rec/s  40.0/100.0 MB  ETA 3s
func (p Progress) Bar(width int) string {
	filled := int(p.Fraction() * float64(width))
	eta := "ETA -"
	if d, ok := p.ETA(); ok {
		eta = "ETA " + d.String()
	}
	return fmt.Sprintf("[%s%s] %5.1f%%  %d records  %.0f rec/s  %.1f/%.1f MB  %s",
		strings.Repeat("#", filled), strings.Repeat("-", width-filled), 100*p.Fraction(),
		p.Records, p.Rate(), float64(p.Done)/1e6, float64(p.Total)/1e6, eta)
}

// progressReporter shows a running import's progress on a terminal as a
// bar redrawn in place, or elsewhere as a log line every interval. Its
// counters are updated by the import loop and read by its own goroutine.
type progressReporter struct {
	out      io.Writer    // the terminal (bar mode), or nil
	log      *slog.Logger // log mode
	interval time.Duration
	started  time.Time
	start    int64
	total    int64
	done     atomic.Int64
	records  atomic.Int64
	stop     chan struct{}
	wg       sync.WaitGroup
}

// barWidth is the number of cells of the terminal progress bar.
const barWidth = 30

// startProgress starts reporting. With a non-nil terminal it draws a bar
// there every interval, else it logs every interval.
func startProgress(terminal io.Writer, log *slog.Logger, interval time.Duration, start, total int64) *progressReporter {
	p := &progressReporter{out: terminal, log: log, interval: interval, started: time.Now(), start: start, total: total, stop: make(chan struct{})}
	p.done.Store(start)
	p.wg.Add(1)
	go p.loop()
	return p
}

// ack records that a batch up to offset is acknowledged.
func (p *progressReporter) ack(offset int64, records int) {
	p.done.Store(offset)
	p.records.Add(int64(records))
}

func (p *progressReporter) snapshot() Progress {
	return Progress{Elapsed: time.Since(p.started), Records: p.records.Load(), Done: p.done.Load(), Start: p.start, Total: p.total}
}

func (p *progressReporter) loop() {
	defer p.wg.Done()
	t := time.NewTicker(p.interval)
	defer t.Stop()
	for {
		select {
		case <-p.stop:
			return
		case <-t.C:
			p.show()
		}
	}
}

func (p *progressReporter) show() {
	s := p.snapshot()
	if p.out != nil {
		fmt.Fprintf(p.out, "\r%s\x1b[K", s.Bar(barWidth))
		return
	}
	eta, _ := s.ETA()
	p.log.Info("import progress", "records", s.Records, "records_per_s", int64(s.Rate()),
		"bytes_done", s.Done, "bytes_total", s.Total, "percent", fmt.Sprintf("%.1f", 100*s.Fraction()), "eta", eta.String())
}

// finish stops reporting; on a terminal it draws the final bar and ends
// its line.
func (p *progressReporter) finish() {
	close(p.stop)
	p.wg.Wait()
	if p.out != nil {
		p.show()
		fmt.Fprintln(p.out)
	}
}
