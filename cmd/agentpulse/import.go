package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/agentpulse/agentpulse/ingest"
	"github.com/agentpulse/agentpulse/ingest/backfill"
	"github.com/agentpulse/agentpulse/ingest/broker"
)

// importHelp explains the file formats; it is printed by `import -h`.
const importHelp = `Usage: agentpulse import FILE [flags]

Backfills canonical interactions from an NDJSON or CSV file into the
interactions topic. Each batch is sent and durably acknowledged, then the
position reached is saved in the state file (default FILE.progress). If the
import stops (Ctrl-C, a crash, a broker outage), run the same command again:
it resumes after the last acknowledged batch. A finished import removes its
state file. Invalid records go to the dead-letter topic (interactions.dlq)
with their line number and reason; the import goes on. Progress is drawn on
stderr when it is a terminal, else logged every 5 seconds.

NDJSON: one interaction per line, as POST /v1/ingest/interactions takes it.

CSV: a header row naming canonical fields (any order), then one interaction
per row, RFC 4180 quoting ("a, ""b""" for a, "b"). Required columns:
tenant_id, interaction_id, revision, model, agent_id, team_id, inquiry,
started_at, ended_at, handle_time_s, source. Optional: predicted_satisfaction,
predicted_resolution (empty cell: no prediction, as for email), hold_s,
queue_wait_s, transfers, customer_key, chain_id, initiation, source_refs
and attributes (a JSON object in the cell). Other columns are refused.

  tenant_id,interaction_id,revision,model,agent_id,team_id,inquiry,started_at,ended_at,handle_time_s,predicted_satisfaction,predicted_resolution,source,source_refs
  acme,c-1,1,voice,a1,t1,billing,2026-11-25T09:00:00Z,2026-11-25T09:05:00Z,300,0.8,0.9,import,"{""contact_id"":""c-1""}"
  acme,e-7,1,email,a2,t1,refund,2026-11-25T09:00:00Z,2026-11-25T09:20:00Z,240,,,import,

Flags (before or after FILE):`

// runImport backfills a file through ingest.Producer and prints a summary
// of the run to stdout.
func runImport(ctx context.Context, args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("import", flag.ContinueOnError)
	fs.SetOutput(stdout)
	brokers := fs.String("brokers", "127.0.0.1:9092", "Kafka brokers, comma-separated (by default the embedded broker of agentpulse all)")
	format := fs.String("format", "auto", "file format: auto (by extension, else by content), ndjson or csv")
	batch := fs.Int("batch", backfill.DefaultBatchSize, "records sent, acknowledged and checkpointed together")
	state := fs.String("state", "", "resume state file (default FILE.progress)")
	var lf logFlags
	lf.register(fs)
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), importHelp)
		fs.PrintDefaults()
	}
	files, err := parseInterspersed(fs, args)
	if err != nil {
		return err
	}
	if len(files) != 1 {
		return &usageError{fmt.Sprintf("import: want exactly one FILE, got %d (see agentpulse import -h)", len(files))}
	}
	f, err := backfill.ParseFormat(*format)
	if err != nil {
		return &usageError{"import: --format: " + err.Error()}
	}
	if *batch < 1 {
		return &usageError{fmt.Sprintf("import: --batch must be at least 1, got %d", *batch)}
	}
	seeds := splitList(*brokers)
	if len(seeds) == 0 {
		return &usageError{"import: --brokers: at least one broker address is required"}
	}
	log, err := lf.logger()
	if err != nil {
		return err
	}
	if _, err := os.Stat(files[0]); err != nil {
		return fmt.Errorf("import: %w", err)
	}

	prod, err := ingest.NewProducer(ingest.ProducerConfig{Brokers: seeds})
	if err != nil {
		return fmt.Errorf("import: %w", err)
	}
	defer prod.Close()
	if err := reachBrokers(ctx, prod, seeds); err != nil {
		return fmt.Errorf("import: %w", err)
	}
	if err := broker.EnsureTopics(ctx, seeds, broker.Topics{}); err != nil {
		return fmt.Errorf("import: ensure topics: %w", err)
	}
	cfg := backfill.Config{Path: files[0], Format: f, BatchSize: *batch, StatePath: *state, Logger: log}
	if isTerminal(os.Stderr) {
		cfg.Terminal = os.Stderr
	}
	im, err := backfill.New(cfg, prod)
	if err != nil {
		return err
	}
	sum, runErr := im.Run(ctx)
	if runErr == nil || sum.Read > 0 {
		fmt.Fprintln(stdout, importSummary(files[0], sum))
	}
	return runErr
}

// importSummary is the one-line report of a run.
func importSummary(file string, s backfill.Summary) string {
	line := fmt.Sprintf("import %s (%s): read %d, accepted %d, rejected %d, %.1f s, %.0f records/s",
		file, s.Format, s.Read, s.Accepted, s.Rejected, s.Duration.Seconds(), s.RecordsPerSecond())
	if s.ResumedFrom.Offset > 0 {
		line += fmt.Sprintf("; resumed after line %d", s.ResumedFrom.Line)
	}
	if !s.Done {
		line += fmt.Sprintf("; stopped after line %d, run again to resume", s.Reached.Line)
	}
	if s.Rejected > 0 {
		line += "; rejected records are on the dead-letter topic interactions.dlq with their reason"
	}
	return line
}

// reachBrokers fails fast, naming the addresses, when no broker answers
// within 10 seconds; producing would otherwise wait for one indefinitely.
func reachBrokers(ctx context.Context, p *ingest.Producer, seeds []string) error {
	pctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := p.Ping(pctx); err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		return fmt.Errorf("no broker answers at %v within 10 s (is `agentpulse all` or `agentpulse broker` running? set --brokers): %w", seeds, err)
	}
	return nil
}

// parseInterspersed parses flags that may come before or after the
// positional arguments ("import FILE --batch 100") and returns the
// positional ones. Everything after "--" is positional.
func parseInterspersed(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := parseFlags(fs, args); err != nil {
			return nil, err
		}
		rest := fs.Args()
		if len(rest) == 0 {
			return pos, nil
		}
		if n := len(args) - len(rest); n > 0 && args[n-1] == "--" {
			return append(pos, rest...), nil
		}
		pos = append(pos, rest[0])
		args = rest[1:]
	}
}

// isTerminal reports whether f is a character device (a terminal), where
// a progress bar redrawn in place makes sense.
func isTerminal(f *os.File) bool {
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}
