package main

import (
	"context"
	"flag"
	"fmt"
	"io"
)

// runAll will run the broker, ingest, processor and server in one process.
// Until the streaming pipeline lands it says so plainly and succeeds, so that
// `make run` works on a fresh clone and tells the user what to try instead.
func runAll(_ context.Context, args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("all", flag.ContinueOnError)
	fs.SetOutput(stdout)
	simulate := fs.Bool("simulate", false, "feed a simulated contact center into the product")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	fmt.Fprintln(stdout, "agentpulse all: the broker, processor, server and dashboard are not built yet;")
	fmt.Fprintln(stdout, "they arrive with the streaming-pipeline and read-side work.")
	if *simulate {
		fmt.Fprintln(stdout, "The simulated contact center already works, for example:")
		fmt.Fprintln(stdout, "  ./bin/agentpulse simulate --agents 300 --days 90 --seed 1 --out data/sim.ndjson")
	}
	return nil
}
