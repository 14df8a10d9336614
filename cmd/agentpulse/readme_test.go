package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"os"
	"regexp"
	"strings"
	"testing"
)

// TestReadmeConfigTableListsEveryFlag keeps the README's configuration
// table true: every flag of every command must have a row
// "| cmd, other-cmd | `--flag` | default | meaning |" naming the command.
func TestReadmeConfigTableListsEveryFlag(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	documented := map[string]bool{} // "cmd --flag"
	row := regexp.MustCompile("(?m)^\\| ([a-z, -]+) \\| `--([a-z0-9-]+)` \\|")
	for _, m := range row.FindAllStringSubmatch(string(readme), -1) {
		for _, cmd := range strings.Split(m[1], ",") {
			documented[strings.TrimSpace(cmd)+" --"+m[2]] = true
		}
	}
	flagLine := regexp.MustCompile(`(?m)^\s+-([a-z0-9-]+)`)
	for name := range commands {
		var out bytes.Buffer
		err := dispatch(context.Background(), []string{name, "-h"}, &out, &out)
		if err != nil && !errors.Is(err, flag.ErrHelp) {
			t.Fatalf("%s -h: %v", name, err)
		}
		for _, m := range flagLine.FindAllStringSubmatch(out.String(), -1) {
			if !documented[name+" --"+m[1]] {
				t.Errorf("README.md configuration table has no row for %s --%s", name, m[1])
			}
		}
	}
}

func TestEnvFallbackAndFlagPrecedence(t *testing.T) {
	t.Setenv("AGENTPULSE_SIZE", "7")
	t.Setenv("AGENTPULSE_NAME", "from-env")
	fs := flag.NewFlagSet("x", flag.ContinueOnError)
	size := fs.Int("size", 1, "")
	name := fs.String("name", "default", "")
	if err := parseFlags(fs, []string{"--name", "from-flag"}); err != nil {
		t.Fatal(err)
	}
	if *size != 7 || *name != "from-flag" {
		t.Fatalf("size=%d name=%q, want 7 from the env and from-flag from the command line", *size, *name)
	}
	t.Setenv("AGENTPULSE_SIZE", "seven")
	fs = flag.NewFlagSet("x", flag.ContinueOnError)
	fs.Int("size", 1, "")
	err := parseFlags(fs, nil)
	if err == nil || !strings.Contains(err.Error(), "AGENTPULSE_SIZE") {
		t.Fatalf("err = %v, want one naming AGENTPULSE_SIZE", err)
	}
}

func TestUnknownCommandIsAUsageError(t *testing.T) {
	var out bytes.Buffer
	err := dispatch(context.Background(), []string{"frobnicate"}, &out, &out)
	if exitCode(err) != 2 || !strings.Contains(err.Error(), "frobnicate") {
		t.Fatalf("err = %v (exit %d), want a usage error naming the command", err, exitCode(err))
	}
}
