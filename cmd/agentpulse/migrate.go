package main

import (
	"context"
	"flag"
	"fmt"
	"io"

	"github.com/agentpulse/agentpulse/processor/store/clickhouse"
)

// runMigrate creates or updates the ClickHouse database and tables. It is
// idempotent; processors and servers also apply it at start, except in
// cluster mode (--clickhouse-cluster), where only migrate creates the
// tables (ON CLUSTER) and the others check that they exist.
func runMigrate(ctx context.Context, args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("migrate", flag.ContinueOnError)
	fs.SetOutput(stdout)
	var sf storeFlags
	sf.registerClickHouse(fs)
	var lf logFlags
	lf.register(fs)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	log, err := lf.logger()
	if err != nil {
		return err
	}
	cfg, err := sf.clickhouseConfig(log)
	if err != nil {
		return err
	}
	if err := clickhouse.Migrate(ctx, cfg); err != nil {
		return fmt.Errorf("migrate clickhouse at %s: %w", sf.chAddr, sf.explain(err))
	}
	if sf.chCluster != "" {
		fmt.Fprintf(stdout, "clickhouse database %q is up to date on cluster %q\n", sf.chDB, sf.chCluster)
		return nil
	}
	fmt.Fprintf(stdout, "clickhouse database %q is up to date\n", sf.chDB)
	return nil
}
