package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/agentpulse/agentpulse/ingest/backfill"
	"github.com/agentpulse/agentpulse/ingest/broker"
)

// importTestBroker starts an in-memory embedded broker for one test.
func importTestBroker(t *testing.T) string {
	t.Helper()
	b, err := broker.StartEmbedded(broker.EmbeddedConfig{Addr: "127.0.0.1:0", Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(b.Close)
	return b.Addr()
}

func TestImportCommand(t *testing.T) {
	addr := importTestBroker(t)
	dir := t.TempDir()
	sim, err := simulate(t, small...)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.SplitAfter(sim, "\n")[:200]
	lines[10] = `{"tenant_id":"acme"}` + "\n" // refused: required fields missing
	path := filepath.Join(dir, "history.ndjson")
	if err := os.WriteFile(path, []byte(strings.Join(lines, "")), 0o644); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	err = runImport(context.Background(), []string{path, "--brokers", addr, "--batch", "50", "--log-level", "error"}, &out)
	if err != nil {
		t.Fatal(err)
	}
	want := "import " + path + " (ndjson): read 200, accepted 199, rejected 1, "
	if !strings.HasPrefix(out.String(), want) || !strings.Contains(out.String(), "dead-letter topic") {
		t.Errorf("output %q, want it to start %q and name the dead-letter topic", out.String(), want)
	}
	if _, err := os.Stat(path + backfill.StateSuffix); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("state file after a finished import: %v", err)
	}
}

func TestImportCommandUsage(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{nil, "exactly one FILE, got 0"},
		{[]string{"a.csv", "b.csv"}, "exactly one FILE, got 2"},
		{[]string{"a.csv", "--format", "xml"}, "--format"},
		{[]string{"a.csv", "--batch", "0"}, "--batch must be at least 1"},
		{[]string{"a.csv", "--brokers", " , "}, "--brokers"},
	} {
		err := runImport(context.Background(), tc.args, &bytes.Buffer{})
		if exitCode(err) != 2 || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("import %q: err = %v (exit %d), want a usage error containing %q", tc.args, err, exitCode(err), tc.want)
		}
	}
	var help bytes.Buffer
	if err := runImport(context.Background(), []string{"-h"}, &help); !errors.Is(err, flag.ErrHelp) ||
		!strings.Contains(help.String(), "Required columns") || !strings.Contains(help.String(), "-state") {
		t.Errorf("import -h: %v\n%s", err, help.String())
	}
}

func TestImportCommandMissingFile(t *testing.T) {
	err := runImport(context.Background(), []string{filepath.Join(t.TempDir(), "nope.csv")}, &bytes.Buffer{})
	if !errors.Is(err, os.ErrNotExist) {
		t.Errorf("err = %v, want a not-exist error before any broker is contacted", err)
	}
}

func TestParseInterspersed(t *testing.T) {
	for _, tc := range []struct {
		args    []string
		files   []string
		batch   int
		verbose bool
	}{
		{[]string{"f"}, []string{"f"}, 1, false},
		{[]string{"--batch", "5", "f"}, []string{"f"}, 5, false},
		{[]string{"f", "--batch", "5", "-v"}, []string{"f"}, 5, true},
		{[]string{"f", "-v", "g", "--batch=7"}, []string{"f", "g"}, 7, true},
		{[]string{"-v", "--", "-f", "--batch"}, []string{"-f", "--batch"}, 1, true},
	} {
		fs := flag.NewFlagSet("x", flag.ContinueOnError)
		batch := fs.Int("batch", 1, "")
		verbose := fs.Bool("v", false, "")
		files, err := parseInterspersed(fs, tc.args)
		if err != nil || !slices.Equal(files, tc.files) || *batch != tc.batch || *verbose != tc.verbose {
			t.Errorf("%q: files %q batch %d v %v err %v; want %q %d %v", tc.args, files, *batch, *verbose, err, tc.files, tc.batch, tc.verbose)
		}
	}
}

func TestImportSummaryLine(t *testing.T) {
	s := backfill.Summary{Format: backfill.FormatCSV, Read: 1000, Accepted: 990, Rejected: 10,
		Duration: 2 * time.Second, ResumedFrom: backfill.Position{Offset: 5, Line: 41}, Reached: backfill.Position{Line: 1041}, Done: true}
	want := "import x.csv (csv): read 1000, accepted 990, rejected 10, 2.0 s, 500 records/s; resumed after line 41; " +
		"rejected records are on the dead-letter topic interactions.dlq with their reason"
	if got := importSummary("x.csv", s); got != want {
		t.Errorf("got  %q\nwant %q", got, want)
	}
	s.Done, s.Rejected, s.ResumedFrom = false, 0, backfill.Position{}
	if got := importSummary("x.csv", s); !strings.HasSuffix(got, "; stopped after line 1041, run again to resume") {
		t.Errorf("interrupted: %q", got)
	}
}
