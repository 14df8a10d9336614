package backfill

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	"github.com/agentpulse/agentpulse/ingest"
	"github.com/agentpulse/agentpulse/schemas"
)

// Sink receives an import's batches. *ingest.Producer is the Sink of
// `agentpulse import`. Both methods must return only once the records are
// durably acknowledged: the import checkpoints right after.
type Sink interface {
	Produce(ctx context.Context, its []schemas.Interaction) error
	DeadLetter(ctx context.Context, rs []ingest.Rejected) error
}

// Defaults of Config.
const (
	DefaultBatchSize = 5000
	DefaultInFlight  = 2
	// StateSuffix is appended to the imported file's path to name its
	// resume state file when Config.StatePath is empty.
	StateSuffix = ".progress"
	// Stage is the stage header of the dead-letter records of an import.
	Stage = "import"
)

// Config configures an Importer.
type Config struct {
	// Path is the file to import: a regular file (resuming needs offsets
	// and a size). Required.
	Path string
	// Format is how to read it. Default FormatAuto (see DetectFormat).
	Format Format
	// BatchSize is the number of records (valid or not) sent, acknowledged
	// and checkpointed together. Default 5000.
	BatchSize int
	// StatePath is the resume state file. Default Path + ".progress".
	StatePath string
	// MaxRecord bounds one record's size in bytes; a longer one is refused
	// (dead-lettered without its bytes). Default 1 MiB.
	MaxRecord int
	// Logger receives start, resume, warning and (without Terminal)
	// progress lines. Default slog.Default().
	Logger *slog.Logger
	// Terminal, when not nil, gets a progress bar redrawn in place; when
	// nil, progress is logged instead.
	Terminal io.Writer
	// ProgressInterval is how often progress is shown. Default 200 ms with
	// a Terminal, 5 s as log lines.
	ProgressInterval time.Duration
	// InFlight is how many batches are sent at once (each waiting for its
	// acknowledgement); they are checkpointed in file order. A batch sent
	// but not checkpointed when the import stops is sent again by the
	// next run. Default DefaultInFlight.
	InFlight int
}

// Summary reports one run of an import.
type Summary struct {
	// Format is the format the file was read as.
	Format Format
	// ResumedFrom is where this run started; zero when from the start.
	ResumedFrom Position
	// Read, Accepted and Rejected count this run's acknowledged records:
	// Read = Accepted + Rejected. Accepted went to the interactions topic,
	// Rejected to the dead-letter topic.
	Read, Accepted, Rejected int64
	// Reached is the position after the last acknowledged record.
	Reached Position
	// Bytes is the number of file bytes this run got through (Reached
	// minus ResumedFrom; a CSV header counts).
	Bytes int64
	// Duration is the run's wall time.
	Duration time.Duration
	// Done is true when the whole file was imported (and the state file
	// removed).
	Done bool
}

// RecordsPerSecond is Read over Duration.
func (s Summary) RecordsPerSecond() float64 {
	if s.Duration <= 0 {
		return 0
	}
	return float64(s.Read) / s.Duration.Seconds()
}

// Importer backfills one file into a Sink. Build it with New and call Run
// once. Not safe for concurrent use.
type Importer struct {
	cfg  Config
	sink Sink
}

// New checks cfg and fills its defaults. It does not touch the file.
func New(cfg Config, sink Sink) (*Importer, error) {
	if cfg.Path == "" {
		return nil, errors.New("import: no file given")
	}
	if sink == nil {
		return nil, errors.New("import: no sink")
	}
	if cfg.Format == "" {
		cfg.Format = FormatAuto
	}
	if _, err := ParseFormat(string(cfg.Format)); err != nil {
		return nil, fmt.Errorf("import: %w", err)
	}
	if cfg.BatchSize <= 0 {
		cfg.BatchSize = DefaultBatchSize
	}
	if cfg.StatePath == "" {
		cfg.StatePath = cfg.Path + StateSuffix
	}
	if cfg.InFlight <= 0 {
		cfg.InFlight = DefaultInFlight
	}
	if cfg.MaxRecord <= 0 {
		cfg.MaxRecord = schemas.DefaultMaxRecord
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.ProgressInterval <= 0 {
		cfg.ProgressInterval = 5 * time.Second
		if cfg.Terminal != nil {
			cfg.ProgressInterval = 200 * time.Millisecond
		}
	}
	return &Importer{cfg: cfg, sink: sink}, nil
}

// StatePath returns the resume state file in use.
func (im *Importer) StatePath() string { return im.cfg.StatePath }

// Run imports the file, resuming from the state file when there is one
// for this file. It blocks until the file is done, ctx ends or the sink
// fails; the Summary counts what this run got acknowledged either way.
//
// Once a batch and every batch before it are acknowledged (dead-letter
// records first, then the interactions), the position after it is written
// to the state file; a later Run starts there. Batches in flight whose
// acknowledgement was lost are sent again by the next run, which is
// harmless: the processor deduplicates. When the whole file is done the
// state file is removed and Summary.Done is set. A stopped import returns
// the cause wrapped (errors.Is(err, context.Canceled) after a signal).
func (im *Importer) Run(ctx context.Context) (Summary, error) {
	began := time.Now()
	f, err := os.Open(im.cfg.Path)
	if err != nil {
		return Summary{}, fmt.Errorf("import: %w", err)
	}
	defer f.Close()
	fp, err := fingerprint(f)
	if err != nil {
		return Summary{}, fmt.Errorf("import %s: %w", im.cfg.Path, err)
	}
	format := im.cfg.Format
	if format == FormatAuto {
		head := make([]byte, min(sniffLen, fp.Size))
		if _, err := f.ReadAt(head, 0); err != nil && !errors.Is(err, io.EOF) {
			return Summary{}, fmt.Errorf("import %s: %w", im.cfg.Path, err)
		}
		format = DetectFormat(im.cfg.Path, head)
	}
	sum := Summary{Format: format}

	st, err := loadState(im.cfg.StatePath)
	if err != nil {
		return sum, fmt.Errorf("import: %w", err)
	}
	if st != nil {
		if err := st.check(im.cfg.StatePath, fp, format); err != nil {
			return sum, fmt.Errorf("import: %w", err)
		}
		if !st.ModTime.Equal(fp.ModTime) {
			im.cfg.Logger.Warn("import file's modification time changed since the resume state was written; size and content match, resuming",
				"file", im.cfg.Path, "was", st.ModTime, "now", fp.ModTime)
		}
		sum.ResumedFrom = st.Position
		im.cfg.Logger.Info("import resuming", "file", im.cfg.Path, "line", st.Line, "offset", st.Offset,
			"records_before", st.Records, "state", im.cfg.StatePath)
	} else {
		abs, _ := filepath.Abs(im.cfg.Path)
		st = &State{Version: stateVersion, File: abs, Fingerprint: fp, Format: format}
	}

	var header *CSVHeader
	start := st.Position
	if format == FormatCSV {
		h, end, err := ReadCSVHeader(io.NewSectionReader(f, 0, fp.Size), im.cfg.MaxRecord)
		switch {
		case errors.Is(err, io.EOF):
			// No header row: nothing to import.
			start = Position{Offset: fp.Size}
		case err != nil:
			return sum, fmt.Errorf("import %s: %w", im.cfg.Path, err)
		default:
			header = h
			if start.Offset < end.Offset {
				start = end
			}
		}
	}
	sum.Reached = start
	im.cfg.Logger.Info("import starting", "file", im.cfg.Path, "format", format, "bytes", fp.Size,
		"from_line", start.Line, "batch", im.cfg.BatchSize, "state", im.cfg.StatePath)
	// Write the state before sending anything: an unwritable location is
	// found now, not after the first batch.
	st.Position = start
	if err := im.checkpoint(st); err != nil {
		return sum, err
	}

	var rd Reader
	if start.Offset < fp.Size {
		rd, err = NewReader(format, io.NewSectionReader(f, start.Offset, fp.Size-start.Offset), header, start, im.cfg.MaxRecord)
		if err != nil {
			return sum, fmt.Errorf("import %s: %w", im.cfg.Path, err)
		}
	}
	prog := startProgress(im.cfg.Terminal, im.cfg.Logger, im.cfg.ProgressInterval, start.Offset, fp.Size)
	err = im.send(ctx, rd, st, &sum, prog)
	prog.finish()
	sum.Duration = time.Since(began)
	sum.Bytes = sum.Reached.Offset - sum.ResumedFrom.Offset
	if err != nil {
		return sum, err
	}
	sum.Done = true
	if err := removeState(im.cfg.StatePath); err != nil {
		return sum, fmt.Errorf("import: %w", err)
	}
	return sum, nil
}

// checkpoint writes st to the state file.
func (im *Importer) checkpoint(st *State) error {
	st.UpdatedAt = time.Now().UTC()
	if err := saveState(im.cfg.StatePath, st); err != nil {
		return fmt.Errorf("import: %w (pass --state to keep it elsewhere)", err)
	}
	return nil
}

// stopped wraps the error that interrupted an import with where a rerun
// resumes.
func (im *Importer) stopped(err error, st *State) error {
	return fmt.Errorf("import interrupted after line %d (%d records acknowledged; rerun to resume from %s): %w",
		st.Line, st.Records, im.cfg.StatePath, err)
}
