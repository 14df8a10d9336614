package main

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"

	ch "github.com/ClickHouse/clickhouse-go/v2"

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
	chTLS     bool
	chCA      string
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
	fs.BoolVar(&s.chTLS, "clickhouse-tls", false, "connect to ClickHouse over TLS (its secure native port, tcp_port_secure, 9440 by default; implied by --clickhouse-tls-ca)")
	fs.StringVar(&s.chCA, "clickhouse-tls-ca", "", "PEM file of the CAs to trust for ClickHouse's certificate; empty: the system's")
	fs.StringVar(&s.chCluster, "clickhouse-cluster", "", "ClickHouse cluster (a remote_servers name) for cluster mode: migrate creates replicated, sharded tables ON CLUSTER; the others only check them (empty: one server)")
}

// open opens the chosen store; ClickHouse tables are created when missing.
func (s *storeFlags) open(ctx context.Context, log *slog.Logger) (store.Store, error) {
	switch s.kind {
	case "embedded":
		return embedded.New(), nil
	case "clickhouse":
		cfg, err := s.clickhouseConfig(log)
		if err != nil {
			return nil, err
		}
		st, err := clickhouse.Open(ctx, cfg)
		if err != nil {
			return nil, fmt.Errorf("open clickhouse store at %s: %w", s.chAddr, s.explain(err))
		}
		return st, nil
	default:
		return nil, &usageError{fmt.Sprintf("--store: must be embedded or clickhouse, got %q", s.kind)}
	}
}

func (s *storeFlags) clickhouseConfig(log *slog.Logger) (clickhouse.Config, error) {
	cfg := clickhouse.Config{
		Addr:     splitList(s.chAddr),
		Database: s.chDB,
		Username: s.chUser,
		Password: s.chPass,
		Cluster:  s.chCluster,
		Logger:   log,
	}
	if s.chTLS || s.chCA != "" {
		cfg.TLS = &tls.Config{MinVersion: tls.VersionTLS12}
		if s.chCA != "" {
			pem, err := os.ReadFile(s.chCA)
			if err != nil {
				return cfg, &usageError{"--clickhouse-tls-ca: " + err.Error()}
			}
			pool := x509.NewCertPool()
			if !pool.AppendCertsFromPEM(pem) {
				return cfg, &usageError{"--clickhouse-tls-ca: " + s.chCA + " holds no PEM certificate"}
			}
			cfg.TLS.RootCAs = pool
		}
	}
	return cfg, nil
}

// explain names the flag behind a failure to reach ClickHouse: the CA for
// an untrusted certificate, TLS for a plaintext/TLS mismatch, the
// credentials for a refused login.
func (s *storeFlags) explain(err error) error {
	var (
		verify *tls.CertificateVerificationError
		header tls.RecordHeaderError
		ex     *ch.Exception
	)
	switch {
	case errors.As(err, &verify):
		return fmt.Errorf("ClickHouse's TLS certificate is not trusted (check --clickhouse-tls-ca): %w", err)
	case errors.As(err, &header):
		return fmt.Errorf("ClickHouse does not speak TLS on this port (check --clickhouse-tls and --clickhouse-addr: the secure port is tcp_port_secure): %w", err)
	case errors.As(err, &ex) && (ex.Code == 516 || ex.Code == 192 || ex.Code == 193):
		return fmt.Errorf("ClickHouse refused the login (check --clickhouse-user and --clickhouse-password): %w", err)
	case s.chTLS || s.chCA != "":
		if errors.Is(err, io.EOF) {
			return fmt.Errorf("ClickHouse closed the connection (is --clickhouse-addr its secure port, tcp_port_secure?): %w", err)
		}
	}
	return err
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
