package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/agentpulse/agentpulse/schemas"
)

// small is a quick, fully specified simulation.
var small = []string{"--agents", "12", "--days", "2", "--seed", "7", "--tenants", "2", "--end", "2026-11-26T00:00:00Z"}

func simulate(t *testing.T, args ...string) (string, error) {
	t.Helper()
	var out bytes.Buffer
	err := runSimulate(context.Background(), args, &out)
	return out.String(), err
}

func TestSimulateWritesValidDeterministicNDJSON(t *testing.T) {
	first, err := simulate(t, small...)
	if err != nil {
		t.Fatal(err)
	}
	second, err := simulate(t, small...)
	if err != nil {
		t.Fatal(err)
	}
	if first != second {
		t.Fatal("the same flags gave different output")
	}
	sc := bufio.NewScanner(strings.NewReader(first))
	sc.Buffer(nil, 1<<20)
	n := 0
	tenants := map[string]bool{}
	for sc.Scan() {
		it, err := schemas.DecodeInteraction(sc.Bytes())
		if err != nil {
			t.Fatalf("line %d: %v", n+1, err)
		}
		tenants[it.TenantID] = true
		n++
	}
	if n < 100 || !tenants["acme"] || !tenants["globex"] {
		t.Errorf("%d records from tenants %v, want hundreds from acme and globex", n, tenants)
	}
	other, err := simulate(t, append(small, "--seed", "8")...)
	if err != nil || other == first {
		t.Errorf("--seed 8 gave the same output (err %v)", err)
	}
}

func TestSimulateOutFileMatchesStdout(t *testing.T) {
	want, err := simulate(t, small...)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "data", "sim.ndjson") // the directory is created
	summary, err := simulate(t, append(small, "--out", path, "--duplicate-rate", "0")...)
	if err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != want {
		t.Error("--out file differs from stdout output")
	}
	if !strings.Contains(summary, "wrote ") || !strings.Contains(summary, path) {
		t.Errorf("summary = %q, want the record count and the path", summary)
	}
	entries, _ := os.ReadDir(filepath.Dir(path))
	if len(entries) != 1 {
		t.Errorf("temporary files left behind: %v", entries)
	}
}

func TestSimulateFaultFlags(t *testing.T) {
	clean, err := simulate(t, small...)
	if err != nil {
		t.Fatal(err)
	}
	faulty, err := simulate(t, append(small, "--duplicate-rate", "0.2", "--revision-rate", "0.2", "--late-rate", "0.2")...)
	if err != nil {
		t.Fatal(err)
	}
	nc, nf := strings.Count(clean, "\n"), strings.Count(faulty, "\n")
	if nf < nc+nc/4 || !strings.Contains(faulty, `"revision":2`) {
		t.Errorf("%d lines with faults vs %d without: want about 40 %% more, with revisions", nf, nc)
	}
}

func TestSimulateFlagErrorsNameTheFlag(t *testing.T) {
	tests := []struct {
		args []string
		flag string
	}{
		{[]string{"--agents", "0"}, "--agents"},
		{[]string{"--agents", "-5"}, "--agents"},
		{[]string{"--days", "0"}, "--days"},
		{[]string{"--tenants", "0"}, "--tenants"},
		{[]string{"--tenants", "1001"}, "--tenants"},
		{[]string{"--agents", "200000", "--tenants", "6"}, "--tenants"},
		{[]string{"--team-size", "0"}, "--team-size"},
		{[]string{"--duplicate-rate", "1.5"}, "--duplicate-rate"},
		{[]string{"--revision-rate", "-0.1"}, "--revision-rate"},
		{[]string{"--late-rate", "NaN"}, "--late-rate"},
		{[]string{"--end", "yesterday"}, "--end"},
		{[]string{"--end", "1999-12-31T00:00:00Z"}, "--end"},
		{[]string{"--end", "2026-11-26"}, "--end"},
		{[]string{"extra"}, "unexpected argument"},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			_, err := simulate(t, append([]string{"--end", "2026-11-26T00:00:00Z"}, tt.args...)...)
			if err == nil || !strings.Contains(err.Error(), tt.flag) {
				t.Fatalf("err = %v, want one naming %s", err, tt.flag)
			}
			if exitCode(err) != 2 {
				t.Errorf("exit code %d, want 2 (usage)", exitCode(err))
			}
		})
	}
	// A value the flag package cannot parse is refused by it, naming the flag.
	if _, err := simulate(t, "--agents", "many"); err == nil || !strings.Contains(err.Error(), "agents") {
		t.Errorf("err = %v, want a parse error naming agents", err)
	}
}

func TestSimulateEnvFallback(t *testing.T) {
	t.Setenv("AGENTPULSE_AGENTS", "0")
	if _, err := simulate(t, "--end", "2026-11-26T00:00:00Z"); err == nil || !strings.Contains(err.Error(), "--agents") {
		t.Errorf("err = %v, want AGENTPULSE_AGENTS=0 refused as --agents", err)
	}
	// The command line wins.
	if _, err := simulate(t, small...); err != nil {
		t.Errorf("flags should override the environment: %v", err)
	}
}

func TestSimulateHelpSaysOutputIsDeterministic(t *testing.T) {
	out, err := simulate(t, "-h")
	if !errors.Is(err, flag.ErrHelp) {
		t.Fatalf("err = %v, want flag.ErrHelp", err)
	}
	for _, want := range []string{"deterministic", "--end", "-agents", "-late-rate", "-out"} {
		if !strings.Contains(out, want) {
			t.Errorf("help lacks %q:\n%s", want, out)
		}
	}
}
