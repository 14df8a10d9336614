package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"strings"

	"github.com/agentpulse/agentpulse/processor/store"
	"github.com/agentpulse/agentpulse/processor/store/clickhouse"
	"github.com/agentpulse/agentpulse/processor/store/embedded"
)

// storeFlags are the flags that choose and reach a store.
type storeFlags struct {
	kind   string
	chAddr string
	chDB   string
	chUser string
	chPass string
	// chCluster, when set, is cluster mode (see clickhouse.Config.Cluster).
	chCluster string
}

func (s *storeFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&s.kind, "store", "embedded", "store: embedded (in process, rebuilt from the broker's log) or clickhouse")
	s.registerClickHouse(fs)
}

// registerClickHouse registers only the flags that reach ClickHouse.
func (s *storeFlags) registerClickHouse(fs *flag.FlagSet) {
	fs.StringVar(&s.chAddr, "clickhouse-addr", "127.0.0.1:9000", "ClickHouse native-protocol addresses, comma-separated (with --store clickhouse)")
	fs.StringVar(&s.chDB, "clickhouse-database", "agentpulse", "ClickHouse database (with --store clickhouse)")
	fs.StringVar(&s.chUser, "clickhouse-user", "default", "ClickHouse user")
	fs.StringVar(&s.chPass, "clickhouse-password", "", "ClickHouse password")
	fs.StringVar(&s.chCluster, "clickhouse-cluster", "", "ClickHouse cluster (a remote_servers name) for cluster mode: migrate creates replicated, sharded tables ON CLUSTER; the others only check them (empty: one server)")
}

// open opens the chosen store; ClickHouse tables are created when missing.
func (s *storeFlags) open(ctx context.Context, log *slog.Logger) (store.Store, error) {
	switch s.kind {
	case "embedded":
		return embedded.New(), nil
	case "clickhouse":
		st, err := clickhouse.Open(ctx, s.clickhouseConfig(log))
		if err != nil {
			return nil, fmt.Errorf("open clickhouse store at %s: %w", s.chAddr, err)
		}
		return st, nil
	default:
		return nil, &usageError{fmt.Sprintf("--store: must be embedded or clickhouse, got %q", s.kind)}
	}
}

func (s *storeFlags) clickhouseConfig(log *slog.Logger) clickhouse.Config {
	return clickhouse.Config{
		Addr:     splitList(s.chAddr),
		Database: s.chDB,
		Username: s.chUser,
		Password: s.chPass,
		Cluster:  s.chCluster,
		Logger:   log,
	}
}

// splitList splits a comma-separated flag value, dropping empty items.
func splitList(v string) []string {
	var out []string
	for _, p := range strings.Split(v, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}
