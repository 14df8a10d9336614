package main

import (
	"bytes"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"strings"
	"time"
)

func main() {
	in := flag.String("in", "artifacts/bench.txt", "the `go test -bench` output to read")
	out := flag.String("out", "docs/BENCHMARKS.md", "the report to write")
	command := flag.String("command", "make bench", "the command that made the run, as the report names it")
	env := flag.String("env", "", "the environment the run set, as the report names it")
	began := flag.String("began", "", "when the run began (RFC 3339); default: when the input was last written")
	flag.Parse()
	if err := run(*in, *out, *command, *env, *began); err != nil {
		slog.Error("benchreport", "err", err)
		os.Exit(1)
	}
}

func run(in, out, command, env, began string) error {
	raw, err := os.ReadFile(in)
	if err != nil {
		return err
	}
	st, err := os.Stat(in)
	if err != nil {
		return err
	}
	res, err := parse(bytes.NewReader(raw), strings.Split(string(raw), "\n"))
	if err != nil {
		return err
	}
	if len(res) == 0 {
		return fmt.Errorf("%s holds no benchmark result", in)
	}
	rep := report{Command: command, Env: env, Began: st.ModTime(), Machine: thisMachine(), Results: res}
	if cpu := res.cpu(); cpu != "" {
		rep.Machine.CPU = cpu // as the run itself named it
	}
	if began != "" {
		t, err := time.Parse(time.RFC3339, began)
		if err != nil {
			return fmt.Errorf("-began %q: want RFC 3339: %w", began, err)
		}
		rep.Began, rep.Took = t, st.ModTime().Sub(t)
	}
	var buf bytes.Buffer
	if err := rep.write(&buf); err != nil {
		return err
	}
	return os.WriteFile(out, buf.Bytes(), 0o644)
}
