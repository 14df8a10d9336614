package ingest

import (
	"context"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/agentpulse/agentpulse/auth"
	"github.com/agentpulse/agentpulse/httpserver"
)

// ServerConfig configures the standalone ingest server (`agentpulse
// ingest`). The zero value of every field means its default.
type ServerConfig struct {
	// Addr is where the server listens (host:port). Default
	// "127.0.0.1:8080".
	Addr string
	// HTTP configures the ingest endpoint.
	HTTP HTTPConfig
	// Mount adds further routes to the server's router (the connector
	// endpoints, the API).
	Mount []func(chi.Router)
	// Gatherer is served on /metrics. Nil: no /metrics.
	Gatherer prometheus.Gatherer
	// ReadHeaderTimeout bounds reading a request's headers. Default 10 s.
	ReadHeaderTimeout time.Duration
	// ReadTimeout bounds reading a whole request, body included. Default
	// 2 minutes (a 32 MiB body at 2 Mbit/s).
	ReadTimeout time.Duration
	// ShutdownTimeout bounds the wait for in-flight requests on shutdown.
	// Default 30 s.
	ShutdownTimeout time.Duration
	// OpsAddr moves /readyz and /metrics to a listener of their own
	// (httpserver.Config).
	OpsAddr string
	// TLSCertFile and TLSKeyFile serve HTTPS (httpserver.Config).
	TLSCertFile, TLSKeyFile string
	// Logger receives the server's lifecycle and errors. Nil: discard.
	Logger *slog.Logger
}

// ReadyFunc reports whether the server's dependencies (the broker) answer;
// /readyz calls it with a deadline and answers 503 with its error.
type ReadyFunc func(ctx context.Context) error

// Server is the ingest endpoint standing alone: POST
// /v1/ingest/interactions plus what httpserver serves on every listener
// (/healthz, /readyz from the ReadyFunc, /metrics). New builds it, Run
// serves until its context ends.
type Server struct {
	http    *httpserver.Server
	handler *HTTPHandler
}

// NewServer builds the server; it does not listen yet.
func NewServer(cfg ServerConfig, sink Sink, v auth.TokenVerifier, ready ReadyFunc) (*Server, error) {
	if cfg.HTTP.Logger == nil {
		cfg.HTTP.Logger = cfg.Logger
	}
	h, err := NewHTTPHandler(cfg.HTTP, sink, v)
	if err != nil {
		return nil, err
	}
	srv := httpserver.New(httpserver.Config{
		Addr:              cfg.Addr,
		Mount:             append([]func(chi.Router){h.Routes}, cfg.Mount...),
		Ready:             ready,
		Gatherer:          cfg.Gatherer,
		ReadHeaderTimeout: cfg.ReadHeaderTimeout,
		ReadTimeout:       cfg.ReadTimeout,
		ShutdownTimeout:   cfg.ShutdownTimeout,
		OpsAddr:           cfg.OpsAddr,
		TLSCertFile:       cfg.TLSCertFile,
		TLSKeyFile:        cfg.TLSKeyFile,
		Logger:            cfg.Logger,
	})
	return &Server{http: srv, handler: h}, nil
}

// Handler returns the server's router, for tests and for mounting.
func (s *Server) Handler() http.Handler { return s.http.Handler() }

// Run listens on cfg.Addr and serves until ctx ends (see Serve).
func (s *Server) Run(ctx context.Context) error { return s.http.Run(ctx) }

// Serve serves on ln until ctx ends, then shuts down gracefully: it stops
// accepting connections, lets in-flight requests finish (each is bounded
// by the body read and ProduceTimeout; all of them by ShutdownTimeout) and
// returns. Closing the Sink is the caller's, after Serve returns. It
// returns nil after a shutdown caused by ctx.
func (s *Server) Serve(ctx context.Context, ln net.Listener) error { return s.http.Serve(ctx, ln) }
