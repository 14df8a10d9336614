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

	"github.com/agentpulse/agentpulse/ingest"
	"github.com/agentpulse/agentpulse/ingest/broker"
	"github.com/agentpulse/agentpulse/ingest/simulator"
	"github.com/agentpulse/agentpulse/schemas"
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
	predictions := fs.Bool("predictions", true, "give voice and chat records predicted satisfaction and resolution (false: leave them out, as real feeds do)")
	outcomesOut := fs.String("outcomes", "", "also write the survey answers (outcome records, NDJSON) to this file")
	truthOut := fs.String("truth", "", "also write the ground truth (true psat, pres and AES per agent and inquiry, NDJSON) to this file")
	var lv liveFlags
	lv.register(fs)
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "Usage: agentpulse simulate [flags]")
		fmt.Fprintln(fs.Output(), "       agentpulse simulate --rate R (--to URL [--token T] | --brokers HOST:PORT) [--count N] [flags]")
		fmt.Fprintln(fs.Output(), "\nWrites a simulated contact center's interactions as NDJSON, roughly in ended_at")
		fmt.Fprintln(fs.Output(), "order like a live feed. The output is deterministic: the same flags, --end")
		fmt.Fprintln(fs.Output(), "included, always give byte-identical output.")
		fmt.Fprintln(fs.Output(), "\nWith --rate it runs live instead: R new interactions per second in all, ending")
		fmt.Fprintln(fs.Output(), "now, sent in a batch every 50 ms until interrupted or --count is reached; POSTed")
		fmt.Fprintln(fs.Output(), "as NDJSON to --to (retried on 5xx, 408, 429 and connection errors; other 4xx stop it)")
		fmt.Fprintln(fs.Output(), "or produced to Kafka at --brokers. --seed, --agents, --tenants and --team-size")
		fmt.Fprintln(fs.Output(), "give the same contact center as a history written with the same flags; the")
		fmt.Fprintln(fs.Output(), "fault rates apply with live delays; --days, --end and --out are not used.")
		fmt.Fprintln(fs.Output(), "\nFlags:")
		fs.PrintDefaults()
	}
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	cfg.NoPredictions = !*predictions
	if fs.NArg() > 0 {
		return &usageError{fmt.Sprintf("simulate: unexpected argument %q (every setting is a flag)", fs.Arg(0))}
	}
	if lv.rate != 0 {
		if *outcomesOut != "" || *truthOut != "" {
			return &usageError{"simulate: --outcomes and --truth write a history's; live mode does not make them"}
		}
		if *out != "" {
			return &usageError{"simulate: --out writes a history; with --rate records are sent live to --to or --brokers"}
		}
		if *end == "" {
			cfg.End = time.Now().UTC().Truncate(time.Hour)
		}
		return simulateLive(ctx, cfg, &lv, stdout)
	}
	if lv.to != "" || lv.count != 0 {
		return &usageError{"simulate: --to and --count are for live mode: give --rate too"}
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
	if *outcomesOut != "" || *truthOut != "" {
		return simulateWithTruth(ctx, gen, *out, *outcomesOut, *truthOut, stdout)
	}
	if *out == "" {
		_, _, err := gen.WriteNDJSON(ctx, stdout)
		return err
	}
	return simulateToFile(ctx, gen, *out, stdout)
}

// simulateWithTruth writes the interactions (to out, or stdout when it is
// ""), the survey outcomes to outcomesPath and the ground truth to
// truthPath (each when not ""), every file replaced atomically when
// complete.
func simulateWithTruth(ctx context.Context, gen *simulator.Generator, out, outcomesPath, truthPath string, stdout io.Writer) error {
	var files []*atomicFile
	defer func() {
		for _, f := range files {
			f.abort()
		}
	}()
	open := func(path string) (io.Writer, error) {
		if path == "" {
			return nil, nil
		}
		f, err := createAtomic(path)
		if err != nil {
			return nil, fmt.Errorf("simulate: %w", err)
		}
		files = append(files, f)
		return f.f, nil
	}
	w, err := open(out)
	if err != nil {
		return err
	}
	if w == nil {
		w = stdout
	}
	ow, err := open(outcomesPath)
	if err != nil {
		return err
	}
	tw, err := open(truthPath)
	if err != nil {
		return err
	}
	_, truth, _, err := gen.WriteWithTruth(ctx, w, ow)
	if err != nil {
		return err
	}
	if tw != nil {
		if err := truth.WriteNDJSON(tw); err != nil {
			return fmt.Errorf("simulate: %w", err)
		}
	}
	for _, f := range files {
		if err := f.commit(); err != nil {
			return fmt.Errorf("simulate: %w", err)
		}
	}
	files = nil
	return nil
}

// atomicFile is written beside its path and renamed into place on commit.
type atomicFile struct {
	f    *os.File
	path string
	done bool
}

func createAtomic(path string) (*atomicFile, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return nil, err
	}
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return nil, err
	}
	return &atomicFile{f: f, path: path}, nil
}

func (a *atomicFile) commit() error {
	err := a.f.Chmod(0o644)
	if cerr := a.f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(a.f.Name(), a.path)
	}
	a.done = err == nil
	return err
}

// abort removes the temporary file unless it was committed.
func (a *atomicFile) abort() {
	if !a.done {
		_ = a.f.Close()
		_ = os.Remove(a.f.Name())
	}
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

// liveFlags are the flags of `agentpulse simulate --rate`.
type liveFlags struct {
	rate    float64
	to      string
	token   string
	brokers string
	count   int64
	kafka   kafkaFlags
	log     logFlags
}

func (lv *liveFlags) register(fs *flag.FlagSet) {
	fs.Float64Var(&lv.rate, "rate", 0, "live mode: new interactions per second, in all (with --to or --brokers)")
	fs.StringVar(&lv.to, "to", "", "live mode: POST NDJSON batches to this ingest URL, e.g. http://127.0.0.1:8080/v1/ingest/interactions")
	fs.StringVar(&lv.token, "token", "", "live mode: bearer token for --to, an ingest token (agentpulse token --role ingest); prefer "+envName("token"))
	fs.StringVar(&lv.brokers, "brokers", "", "live mode: produce to these Kafka brokers (comma-separated) instead of --to")
	fs.Int64Var(&lv.count, "count", 0, "live mode: stop after this many interactions (0: run until interrupted)")
	lv.kafka.register(fs)
	lv.log.register(fs)
}

// liveLogEvery is how often live mode logs what it sent.
const liveLogEvery = 10 * time.Second

// simulateLive runs the live generator until ctx ends or --count is
// reached, sending to --to or --brokers, then prints a summary. An
// interruption (SIGTERM, Ctrl-C) is the normal end, not an error.
func simulateLive(ctx context.Context, world simulator.Config, lv *liveFlags, stdout io.Writer) error {
	log, err := lv.log.logger()
	if err != nil {
		return err
	}
	// The survey answers go to the outcomes topic with --brokers; with --to
	// (the interactions endpoint) they are dropped.
	var outcomes func([]schemas.Outcome) error
	live, err := simulator.NewLive(simulator.LiveConfig{World: world, Rate: lv.rate, Count: lv.count,
		Outcomes: func(os []schemas.Outcome) error {
			if outcomes == nil {
				return nil
			}
			return outcomes(os)
		}})
	if err != nil {
		if errors.Is(err, simulator.ErrInvalidConfig) {
			return &usageError{"simulate: " + strings.ReplaceAll(err.Error(), "\n", "; ")}
		}
		return fmt.Errorf("simulate: %w", err)
	}
	var emit func([]schemas.Interaction) error
	dest := lv.to
	switch {
	case lv.to != "":
		if lv.brokers != "" {
			log.Warn("simulate: both --to and --brokers are set; sending to --to", "to", lv.to)
		}
		sink, err := simulator.NewHTTPSink(simulator.HTTPSinkConfig{URL: lv.to, Token: lv.token, Logger: log})
		if err != nil {
			return &usageError{"simulate: " + err.Error()}
		}
		emit = func(b []schemas.Interaction) error { return sink.Send(ctx, b) }
	case lv.brokers != "":
		seeds := splitList(lv.brokers)
		if len(seeds) == 0 {
			return &usageError{"simulate: --brokers: at least one broker address is required"}
		}
		dest = strings.Join(seeds, ",")
		kopts, err := lv.kafka.opts()
		if err != nil {
			return err
		}
		prod, err := ingest.NewProducer(ingest.ProducerConfig{Brokers: seeds, ClientOpts: kopts})
		if err != nil {
			return fmt.Errorf("simulate: %w", err)
		}
		defer prod.Close()
		if err := lv.kafka.check(ctx, seeds); err != nil {
			return fmt.Errorf("simulate: %w", err)
		}
		if err := reachBrokers(ctx, prod, seeds); err != nil {
			return fmt.Errorf("simulate: %w", lv.kafka.explain(err))
		}
		if err := broker.EnsureTopics(ctx, seeds, broker.Topics{}, kopts...); err != nil {
			return fmt.Errorf("simulate: ensure topics: %w", lv.kafka.explain(err))
		}
		emit = func(b []schemas.Interaction) error { return prod.Produce(ctx, b) }
		outcomes = func(os []schemas.Outcome) error { return prod.ProduceOutcomes(ctx, os) }
	default:
		return &usageError{"simulate: --rate sends live records: give --to URL or --brokers HOST:PORT"}
	}
	log.Info("simulate live starting", "rate", lv.rate, "to", dest, "run_id", live.Config().RunID,
		"tenants", world.Tenants, "agents_per_tenant", world.Agents, "count", lv.count)
	began := time.Now()
	done := make(chan struct{})
	go func() {
		t := time.NewTicker(liveLogEvery)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
				st := live.Stats()
				log.Info("simulate live", "records", st.Records, "interactions", st.Interactions,
					"interactions_per_s", int64(float64(st.Interactions)/time.Since(began).Seconds()))
			}
		}
	}()
	err = live.Run(ctx, emit)
	close(done)
	st := live.Stats()
	secs := time.Since(began).Seconds()
	fmt.Fprintf(stdout, "sent %d records (%d interactions, %d duplicates, %d revisions, %d late) to %s in %.1f s, %.0f interactions/s\n",
		st.Records, st.Interactions, st.Duplicates, st.Revisions, st.Late, dest, secs, float64(st.Interactions)/secs)
	if errors.Is(err, context.Canceled) && ctx.Err() != nil {
		return nil
	}
	return err
}
