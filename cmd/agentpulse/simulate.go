package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/agentpulse/agentpulse/ingest/simulator"
)

// runSimulate writes a simulated contact center's interactions as NDJSON to
// stdout, or to --out. The output is a function of the flags alone: the same
// flags, --end included, give byte-identical output on any machine.
func runSimulate(ctx context.Context, args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("simulate", flag.ContinueOnError)
	fs.SetOutput(stdout)
	cfg := simulator.DefaultConfig(time.Time{})
	fs.IntVar(&cfg.Agents, "agents", cfg.Agents, "agents per tenant")
	fs.IntVar(&cfg.Days, "days", cfg.Days, "length of the simulated period in days, ending at --end")
	fs.Int64Var(&cfg.Seed, "seed", cfg.Seed, "seed of the simulated world")
	fs.IntVar(&cfg.Tenants, "tenants", cfg.Tenants, `number of tenants ("acme", "globex", … then "tenant-N")`)
	end := fs.String("end", "", "end of the simulated period, RFC 3339 (default: the current hour, so pass it for reproducible output)")
	fs.IntVar(&cfg.TeamSize, "team-size", cfg.TeamSize, "agents per team (teams are as equal as possible, none larger)")
	fs.Float64Var(&cfg.DuplicateRate, "duplicate-rate", 0, "fraction of records re-emitted identically later in the stream (0..1)")
	fs.Float64Var(&cfg.RevisionRate, "revision-rate", 0, "fraction of records followed later by a corrected revision 2 (0..1)")
	fs.Float64Var(&cfg.LateRate, "late-rate", 0, "fraction of records delivered hours to days late, ended_at unchanged (0..1)")
	out := fs.String("out", "", "write to this file instead of stdout (replaced atomically when complete)")
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "Usage: agentpulse simulate [flags]")
		fmt.Fprintln(fs.Output(), "\nWrites a simulated contact center's interactions as NDJSON, roughly in ended_at")
		fmt.Fprintln(fs.Output(), "order like a live feed. The output is deterministic: the same flags, --end")
		fmt.Fprintln(fs.Output(), "included, always give byte-identical output.")
		fmt.Fprintln(fs.Output(), "\nFlags:")
		fs.PrintDefaults()
	}
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return &usageError{fmt.Sprintf("simulate: unexpected argument %q (every setting is a flag)", fs.Arg(0))}
	}
	if *end == "" {
		cfg.End = time.Now().UTC().Truncate(time.Hour)
	} else {
		t, err := time.Parse(time.RFC3339, *end)
		if err != nil {
			return &usageError{fmt.Sprintf("--end: must be an RFC 3339 time such as 2026-11-26T00:00:00Z, got %q", *end)}
		}
		cfg.End = t
	}
	gen, err := simulator.New(cfg, 0)
	if err != nil {
		if errors.Is(err, simulator.ErrInvalidConfig) {
			// One line per broken rule is clearer on a terminal as one line.
			return &usageError{"simulate: " + strings.ReplaceAll(err.Error(), "\n", "; ")}
		}
		return fmt.Errorf("simulate: %w", err)
	}
	if *out == "" {
		_, _, err := gen.WriteNDJSON(ctx, stdout)
		return err
	}
	return simulateToFile(ctx, gen, *out, stdout)
}

// simulateToFile writes the stream to a temporary file beside path and
// renames it into place once complete, so a reader never sees half a file,
// then prints a one-line summary to stdout.
func simulateToFile(ctx context.Context, gen *simulator.Generator, path string, stdout io.Writer) error {
	began := time.Now()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return fmt.Errorf("simulate: %w", err)
	}
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return fmt.Errorf("simulate: %w", err)
	}
	stats, n, err := gen.WriteNDJSON(ctx, f)
	if err == nil {
		err = f.Chmod(0o644) // CreateTemp makes it 0600; the file is meant to be shared
	}
	if cerr := f.Close(); err == nil && cerr != nil {
		err = fmt.Errorf("simulate: close %s: %w", f.Name(), cerr)
	}
	if err == nil {
		err = os.Rename(f.Name(), path)
	}
	if err != nil {
		_ = os.Remove(f.Name())
		return err
	}
	from, to := gen.Period()
	_, err = fmt.Fprintf(stdout, "wrote %d records (%d interactions, %d duplicates, %d revisions, %d late) from %s to %s, %.1f MB, to %s in %s\n",
		stats.Records, stats.Interactions, stats.Duplicates, stats.Revisions, stats.Late,
		from.Format(time.RFC3339), to.Format(time.RFC3339), float64(n)/1e6, path, time.Since(began).Round(time.Millisecond))
	return err
}
