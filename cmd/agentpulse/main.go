// Command agentpulse is the one binary of agentpulse: each subcommand starts
// one part of the product, or all of them in one process.
//
// main only parses, validates, builds, runs and waits; every part lives in
// its own package. Only main exits.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"sort"
	"syscall"
)

// command is one subcommand: a one-line summary for the usage text and the
// function that runs it with the arguments after its name.
type command struct {
	summary string
	run     func(ctx context.Context, args []string, stdout io.Writer) error
}

// commands lists every subcommand. Parts that later issues build answer
// errNotBuilt so that scripts see an honest failure, not a silent no-op.
var commands = map[string]command{
	"simulate": {"write a simulated contact center's interactions as NDJSON", runSimulate},
	"all":      {"run broker, ingest, processor and server in one process", runAll},
	"version":  {"print the version", runVersion},
	"broker":   {"run the embedded Kafka-protocol broker alone", runBroker},
	"process":  {"run the processor alone (a consumer-group member)", runProcess},
	"migrate":  {"create or update the ClickHouse tables", runMigrate},
	"import":   {"backfill interactions from an NDJSON or CSV file (resumable)", runImport},
	"token":    {"print a bearer token (JWT) signed with the product's secret", runToken},
	"ingest":   {"run the HTTP ingest server alone against running brokers", runIngest},
	"serve":    {"run the server alone (read API, plans, websocket) over ClickHouse and running brokers", runServe},
}

// version is set at build time with -ldflags "-X main.version=…".
var version = "dev"

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := dispatch(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	if err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintf(os.Stderr, "agentpulse: %v\n", err)
		}
		os.Exit(exitCode(err))
	}
}

// exitCode is 0 for an asked-for help text, 2 for a usage mistake and 1
// for anything else.
func exitCode(err error) int {
	var usage *usageError
	switch {
	case errors.Is(err, flag.ErrHelp):
		return 0
	case errors.As(err, &usage):
		return 2
	default:
		return 1
	}
}

// usageError is returned when the command line itself is wrong.
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

// dispatch runs the subcommand named by args[0].
func dispatch(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		printUsage(stdout)
		return nil
	}
	cmd, ok := commands[args[0]]
	if !ok {
		printUsage(stderr)
		return &usageError{fmt.Sprintf("unknown command %q (see the list above)", args[0])}
	}
	return cmd.run(ctx, args[1:], stdout)
}

func printUsage(w io.Writer) {
	fmt.Fprintln(w, "agentpulse: real-time agent effectiveness scores and coaching for contact centers")
	fmt.Fprintln(w, "\nUsage: agentpulse <command> [flags]   (agentpulse <command> -h for its flags)")
	fmt.Fprintln(w, "\nCommands:")
	names := make([]string, 0, len(commands))
	for name := range commands {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		fmt.Fprintf(w, "  %-10s %s\n", name, commands[name].summary)
	}
	fmt.Fprintf(w, "\nEvery flag also reads an environment variable: --data-dir from %s.\n", envName("data-dir"))
}

func runVersion(_ context.Context, _ []string, stdout io.Writer) error {
	_, err := fmt.Fprintln(stdout, "agentpulse", version)
	return err
}
