package main

import (
	"context"
	"crypto/tls"
	"flag"
	"fmt"
	"io"
	"path/filepath"

	"github.com/agentpulse/agentpulse/ingest/broker"
)

// runBroker runs the embedded Kafka-protocol broker alone, durable in
// --data-dir, until the context ends.
func runBroker(ctx context.Context, args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("broker", flag.ContinueOnError)
	fs.SetOutput(stdout)
	addr := fs.String("broker-addr", "127.0.0.1:9092", "where the embedded broker listens")
	dataDir := fs.String("data-dir", "./data", "directory for the broker's log and the generated auth secret")
	partitions := fs.Int("partitions", scaleOutPartitions, "partitions of the interactions and updates topics when they are created")
	sync := fs.Bool("broker-sync", false, "fsync every produced batch before acknowledging it (survives power loss, slower)")
	var tlsCert, tlsKey string
	fs.StringVar(&tlsCert, "broker-tls-cert", "", "PEM certificate the broker serves TLS with (with --broker-tls-key); clients then need --kafka-tls-ca")
	fs.StringVar(&tlsKey, "broker-tls-key", "", "PEM key of --broker-tls-cert")
	var kf kafkaFlags // the broker's own client, and its SASL superuser
	kf.register(fs)
	var lf logFlags
	lf.register(fs)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	log, err := lf.logger()
	if err != nil {
		return err
	}
	kopts, err := kf.opts()
	if err != nil {
		return err
	}
	cfg := broker.EmbeddedConfig{Addr: *addr, DataDir: filepath.Join(*dataDir, "broker"), SyncWrites: *sync, DefaultPartitions: *partitions, Logger: log,
		SASLMechanism: kf.mech, SASLUser: kf.user, SASLPassword: kf.password}
	if tlsCert != "" || tlsKey != "" {
		cert, err := tls.LoadX509KeyPair(tlsCert, tlsKey)
		if err != nil {
			return &usageError{"--broker-tls-cert, --broker-tls-key: " + err.Error()}
		}
		cfg.TLS = &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
	}
	b, err := broker.StartEmbedded(cfg)
	if err != nil {
		return err
	}
	defer b.Close()
	if err := broker.EnsureTopics(ctx, []string{b.Addr()}, broker.Topics{InteractionsPartitions: int32(*partitions), UpdatesPartitions: int32(*partitions)}, kopts...); err != nil {
		return fmt.Errorf("ensure topics: %w", kf.explain(err))
	}
	fmt.Fprintf(stdout, "broker listening on %s (data in %s)\n", b.Addr(), filepath.Join(*dataDir, "broker"))
	<-ctx.Done()
	log.Info("broker stopping")
	return nil
}
