package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"sync/atomic"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/twmb/franz-go/pkg/kgo"
	"golang.org/x/sync/errgroup"

	"github.com/agentpulse/agentpulse/auth"
	"github.com/agentpulse/agentpulse/auth/apikeys"
	"github.com/agentpulse/agentpulse/auth/roster"
	"github.com/agentpulse/agentpulse/ingest"
	"github.com/agentpulse/agentpulse/ingest/broker"
)

// ingestFlags are the flags of the HTTP ingest part, shared by `ingest`
// and `all`.
type ingestFlags struct {
	addr, secret, dataDir           string
	tlsCert, tlsKey, opsAddr        string
	maxBody                         int64
	maxRecords, maxRecordBytes      int
	maxInFlight, maxInFlightTenant  int
	credentials, mapping, twilioURL string
}

func (f *ingestFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&f.addr, "http-addr", "127.0.0.1:8080", "where the HTTP server listens")
	registerTLS(fs, &f.tlsCert, &f.tlsKey)
	registerOps(fs, &f.opsAddr)
	fs.StringVar(&f.secret, "auth-secret", "", "HS256 secret tokens are signed with, at least 32 bytes (empty: the one generated once and kept in --data-dir)")
	fs.StringVar(&f.dataDir, "data-dir", "./data", "directory for the broker's log and the generated auth secret")
	fs.Int64Var(&f.maxBody, "max-body-bytes", ingest.DefaultMaxBodyBytes, "largest request body in bytes, as sent and after gzip; a larger one is refused with 413")
	fs.IntVar(&f.maxRecords, "max-records", ingest.DefaultMaxRecords, "most records in one request; more is refused with 413")
	fs.IntVar(&f.maxRecordBytes, "max-record-bytes", ingest.DefaultMaxRecordBytes, "largest record in bytes; a larger one is rejected (the others are accepted)")
	fs.IntVar(&f.maxInFlight, "max-inflight", ingest.DefaultMaxInFlight, "requests decoded or produced at once; more are answered 429")
	fs.IntVar(&f.maxInFlightTenant, "max-inflight-per-tenant", 0, "of --max-inflight, requests one tenant may have decoded or produced at once; more are answered 429 (0: a quarter of --max-inflight, at least 1)")
	fs.StringVar(&f.credentials, "connector-credentials", "", "JSON file of each tenant's CCaaS delivery secrets; empty: the /v1/ingest/{connector} endpoints are off")
	fs.StringVar(&f.mapping, "connector-mapping", "", "JSON file of each tenant's connector mapping rules; empty: the built-in rules")
	fs.StringVar(&f.twilioURL, "twilio-public-url", "", "public URL prefix Twilio calls, for its signature; empty: rebuilt from the request")
}

// registerTLS registers --tls-cert and --tls-key.
func registerTLS(fs *flag.FlagSet, cert, key *string) {
	fs.StringVar(cert, "tls-cert", "", "PEM certificate (chain) to serve HTTPS with, reloaded when the file changes (with --tls-key; empty: plain HTTP)")
	fs.StringVar(key, "tls-key", "", "PEM private key of --tls-cert")
}

// registerOps registers --ops-addr.
func registerOps(fs *flag.FlagSet, addr *string) {
	fs.StringVar(addr, "ops-addr", "", "a second listener, for the operators' network, that alone serves /readyz and /metrics (plain HTTP), e.g. 0.0.0.0:9090; empty: both on --http-addr")
}

// validate checks the limits; errors name the flag.
func (f *ingestFlags) validate() error {
	for name, v := range map[string]int64{"--max-body-bytes": f.maxBody, "--max-records": int64(f.maxRecords),
		"--max-record-bytes": int64(f.maxRecordBytes), "--max-inflight": int64(f.maxInFlight)} {
		if v < 1 {
			return &usageError{fmt.Sprintf("%s: must be at least 1, got %d", name, v)}
		}
	}
	return nil
}

// verifier resolves the signing secret (generating it once in --data-dir).
func (f *ingestFlags) verifier() (auth.Verifier, error) {
	key, err := auth.ResolveSecret(f.secret, f.dataDir)
	if err != nil {
		if errors.Is(err, auth.ErrWeakSecret) && f.secret != "" {
			return auth.Verifier{}, &usageError{err.Error()}
		}
		return auth.Verifier{}, err
	}
	return auth.Verifier{Secret: key}, nil
}

// ingestPart is a built HTTP ingest server and what runs beside it.
type ingestPart struct {
	server     *ingest.Server
	connectors *ingest.Connectors
	keys       *apikeys.Log
}

// build assembles the HTTP server (interactions endpoint, connector
// endpoints, health, metrics, and any extra routes) on producer. The
// ingest endpoint admits the API keys of keys besides tokens, and is not
// ready before keys has read its topic; run runs keys. With people (the
// roster of `all` and `ingest`; nil: tokens as they are), every person's
// token is resolved through it, as the server's routes do: a person the
// roster demoted or removed cannot post with an older token.
func (f *ingestFlags) build(producer *ingest.Producer, reg *prometheus.Registry, ready ingest.ReadyFunc, keys *apikeys.Log, people *roster.Roster, log *slog.Logger, extra ...func(chi.Router)) (*ingestPart, error) {
	jwt, err := f.verifier()
	if err != nil {
		return nil, err
	}
	var v auth.TokenVerifier = apikeys.Verifier{Keys: keys.Keys(), Next: jwt}
	if people != nil {
		v = roster.Verifier{Roster: people, Next: v}
	}
	inner := ready
	ready = func(ctx context.Context) error {
		if err := keys.Ready(ctx); err != nil {
			return err
		}
		return inner(ctx)
	}
	conns, err := ingest.NewConnectors(ingest.ConnectorsConfig{
		CredentialsFile: f.credentials, MappingFile: f.mapping, TwilioPublicBaseURL: f.twilioURL, MaxInFlight: f.maxInFlight, MaxInFlightPerTenant: f.maxInFlightTenant,
		APIKeys: func(k string) (string, error) { c, err := keys.Keys().Check(k); return c.Tenant, err },
		Logger:  log, Registerer: reg,
	}, producer)
	if err != nil {
		return nil, err
	}
	mount := extra
	if conns != nil {
		mount = append(mount, conns.Routes)
	}
	srv, err := ingest.NewServer(ingest.ServerConfig{
		Addr: f.addr, OpsAddr: f.opsAddr, TLSCertFile: f.tlsCert, TLSKeyFile: f.tlsKey,
		HTTP: ingest.HTTPConfig{MaxBodyBytes: f.maxBody, MaxRecords: f.maxRecords, MaxRecordBytes: f.maxRecordBytes,
			MaxInFlight: f.maxInFlight, MaxInFlightPerTenant: f.maxInFlightTenant, Registerer: reg},
		Mount:    mount,
		Gatherer: reg,
		Logger:   log,
	}, producer, v, ready)
	if err != nil {
		return nil, err
	}
	return &ingestPart{server: srv, connectors: conns, keys: keys}, nil
}

// run serves until ctx ends.
func (p *ingestPart) run(ctx context.Context, g *errgroup.Group) {
	g.Go(func() error { return p.server.Run(ctx) })
	g.Go(func() error { return p.keys.Run(ctx) })
	if p.connectors != nil {
		g.Go(func() error { return p.connectors.Run(ctx) })
	}
}

// newRegistry returns a registry with the Go and process collectors.
func newRegistry() *prometheus.Registry {
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return reg
}

// runIngest runs the HTTP ingest server alone against running brokers:
// POST /v1/ingest/interactions, the connector endpoints, /healthz, /readyz
// (503 until the topics exist, the broker answers a ping and the API keys
// and the roster of people are read) and /metrics,
// until ctx ends.
//
// Stop order: stop accepting connections, let in-flight requests finish
// (each answered only after the broker's durable acknowledgement), then
// close the producer, which flushes anything a timed-out request left
// buffered.
func runIngest(ctx context.Context, args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("ingest", flag.ContinueOnError)
	fs.SetOutput(stdout)
	brokers := fs.String("brokers", "", "Kafka brokers, comma-separated host:port (required)")
	var f ingestFlags
	f.register(fs)
	var kf kafkaFlags
	kf.register(fs)
	var lf logFlags
	lf.register(fs)
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "Usage: agentpulse ingest --brokers HOST:PORT[,…] [flags]")
		fmt.Fprintln(fs.Output(), "\nRuns the HTTP ingest server alone: POST /v1/ingest/interactions (a JSON array, or")
		fmt.Fprintln(fs.Output(), "NDJSON with Content-Type: application/x-ndjson; role ingest or admin), the CCaaS")
		fmt.Fprintln(fs.Output(), "connector endpoints POST /v1/ingest/{connector}, /healthz, /readyz and /metrics.")
		fmt.Fprintln(fs.Output(), "Records are answered after the broker's durable acknowledgement.")
		fmt.Fprintln(fs.Output(), "\nFlags:")
		fs.PrintDefaults()
	}
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return &usageError{fmt.Sprintf("ingest: unexpected argument %q (every setting is a flag)", fs.Arg(0))}
	}
	seeds := splitList(*brokers)
	if len(seeds) == 0 {
		return &usageError{"--brokers: required: the Kafka or Redpanda brokers, or the address of `agentpulse broker` (`agentpulse all` runs ingest with an embedded broker)"}
	}
	if err := f.validate(); err != nil {
		return err
	}
	kopts, err := kf.opts()
	if err != nil {
		return err
	}
	log, err := lf.logger()
	if err != nil {
		return err
	}
	reg := newRegistry()
	producer, err := ingest.NewProducer(ingest.ProducerConfig{Brokers: seeds, ClientOpts: kopts, Registerer: reg})
	if err != nil {
		return err
	}
	defer producer.Close() // runs after g.Wait: every in-flight request has been answered

	var topicsReady atomic.Bool
	ready := func(ctx context.Context) error {
		if !topicsReady.Load() {
			return errors.New("the topics are not created yet: the broker has not answered")
		}
		if err := producer.Ping(ctx); err != nil {
			return fmt.Errorf("broker ping: %w", err)
		}
		return nil
	}
	keys, err := apikeys.New(apikeys.Config{Brokers: seeds, Opts: kopts, Logger: log})
	if err != nil {
		return err
	}
	defer keys.Close()
	// The roster, as in `all` and `serve`: a person the roster demoted,
	// removed or (mode roster) never listed cannot post with their token.
	// Not ready before the roster has been read: until then an older
	// token's role would be believed.
	people, err := roster.New(roster.Config{Brokers: seeds, Opts: kopts, Logger: log})
	if err != nil {
		return err
	}
	defer people.Close()
	topics := ready
	ready = func(ctx context.Context) error {
		if err := people.Ready(ctx); err != nil {
			return fmt.Errorf("the roster of people is not read yet: %w", err)
		}
		return topics(ctx)
	}
	part, err := f.build(producer, reg, ready, keys, people.Roster(), log)
	if err != nil {
		return fmt.Errorf("ingest: %w", err)
	}
	log.Info("ingest starting", "http_addr", f.addr, "brokers", seeds,
		"max_body_bytes", f.maxBody, "max_records", f.maxRecords, "max_record_bytes", f.maxRecordBytes, "max_inflight", f.maxInFlight)
	g, gctx := errgroup.WithContext(ctx)
	part.run(gctx, g)
	g.Go(func() error { return people.Run(gctx) })
	g.Go(func() error { ensureTopicsUntilDone(gctx, seeds, &kf, kopts, &topicsReady, log); return nil })
	if err := g.Wait(); err != nil {
		return err
	}
	log.Info("ingest stopped")
	return nil
}

// ensureTopicsUntilDone creates the topics, retrying every 2 s while the
// broker does not answer, then sets ready. It returns when done or when
// ctx ends.
func ensureTopicsUntilDone(ctx context.Context, seeds []string, kf *kafkaFlags, kopts []kgo.Opt, ready *atomic.Bool, log *slog.Logger) {
	for {
		actx, cancel := context.WithTimeout(ctx, 10*time.Second)
		err := kf.check(actx, seeds)
		if err == nil {
			err = kf.explain(broker.EnsureTopics(actx, seeds, broker.Topics{}, kopts...))
		}
		cancel()
		if err == nil {
			ready.Store(true)
			log.Info("ingest ready: topics exist", "brokers", seeds)
			return
		}
		if ctx.Err() != nil {
			return
		}
		log.Warn("ingest not ready: cannot create the topics, retrying", "brokers", seeds, "error", err)
		select {
		case <-ctx.Done():
			return
		case <-time.After(2 * time.Second):
		}
	}
}
