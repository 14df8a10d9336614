package ingest

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/agentpulse/agentpulse/server/auth"
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
	// Logger receives the server's lifecycle and errors. Nil: discard.
	Logger *slog.Logger
}

// ReadyFunc reports whether the server's dependencies (the broker) answer;
// /readyz calls it with a deadline and answers 503 with its error.
type ReadyFunc func(ctx context.Context) error

// Server is the ingest endpoint standing alone: POST
// /v1/ingest/interactions, GET /healthz (alive), GET /readyz (the ReadyFunc
// succeeds) and GET /metrics. New builds it, Run serves until its context
// ends. The lead's all-in-one server mounts HTTPHandler instead.
type Server struct {
	cfg     ServerConfig
	handler *HTTPHandler
	router  chi.Router
	log     *slog.Logger
}

// NewServer builds the server; it does not listen yet.
func NewServer(cfg ServerConfig, sink Sink, v auth.TokenVerifier, ready ReadyFunc) (*Server, error) {
	if cfg.Addr == "" {
		cfg.Addr = "127.0.0.1:8080"
	}
	if cfg.ReadHeaderTimeout <= 0 {
		cfg.ReadHeaderTimeout = 10 * time.Second
	}
	if cfg.ReadTimeout <= 0 {
		cfg.ReadTimeout = 2 * time.Minute
	}
	if cfg.ShutdownTimeout <= 0 {
		cfg.ShutdownTimeout = 30 * time.Second
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.HTTP.Logger == nil {
		cfg.HTTP.Logger = cfg.Logger
	}
	if ready == nil {
		ready = func(context.Context) error { return nil }
	}
	h, err := NewHTTPHandler(cfg.HTTP, sink, v)
	if err != nil {
		return nil, err
	}
	r := chi.NewRouter()
	h.Routes(r)
	for _, m := range cfg.Mount {
		m(r)
	}
	r.Get("/healthz", func(w http.ResponseWriter, _ *http.Request) {
		writeStatus(w, http.StatusOK, "ok")
	})
	r.Get("/readyz", func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
		defer cancel()
		if err := ready(ctx); err != nil {
			auth.WriteError(w, http.StatusServiceUnavailable, "not ready: "+err.Error(), "")
			return
		}
		writeStatus(w, http.StatusOK, "ready")
	})
	if cfg.Gatherer != nil {
		r.Handle("/metrics", promhttp.HandlerFor(cfg.Gatherer, promhttp.HandlerOpts{}))
	}
	return &Server{cfg: cfg, handler: h, router: r, log: cfg.Logger}, nil
}

// Handler returns the server's router, for tests and for mounting.
func (s *Server) Handler() http.Handler { return s.router }

// Run listens on cfg.Addr and serves until ctx ends (see Serve).
func (s *Server) Run(ctx context.Context) error {
	ln, err := net.Listen("tcp", s.cfg.Addr)
	if err != nil {
		return fmt.Errorf("ingest server: listen on %s (--http-addr): %w", s.cfg.Addr, err)
	}
	return s.Serve(ctx, ln)
}

// Serve serves on ln until ctx ends, then shuts down gracefully: it stops
// accepting connections, lets in-flight requests finish (each is bounded
// by the body read and ProduceTimeout; all of them by ShutdownTimeout) and
// returns. Closing the Sink is the caller's, after Serve returns. It
// returns nil after a shutdown caused by ctx.
func (s *Server) Serve(ctx context.Context, ln net.Listener) error {
	srv := &http.Server{
		Handler:           s.router,
		ReadHeaderTimeout: s.cfg.ReadHeaderTimeout,
		ReadTimeout:       s.cfg.ReadTimeout,
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          slog.NewLogLogger(s.log.Handler(), slog.LevelWarn),
		BaseContext:       func(net.Listener) context.Context { return context.WithoutCancel(ctx) },
	}
	s.log.Info("ingest server listening", "addr", ln.Addr().String(), "path", InteractionsPath)
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	select {
	case err := <-served:
		return fmt.Errorf("ingest server: %w", err)
	case <-ctx.Done():
	}
	s.log.Info("ingest server stopping: no new connections, finishing in-flight requests",
		"timeout", s.cfg.ShutdownTimeout.String())
	sctx, cancel := context.WithTimeout(context.Background(), s.cfg.ShutdownTimeout)
	defer cancel()
	err := srv.Shutdown(sctx)
	if serr := <-served; serr != nil && !errors.Is(serr, http.ErrServerClosed) {
		err = errors.Join(err, serr)
	}
	if err != nil {
		_ = srv.Close()
		return fmt.Errorf("ingest server shutdown: %w", err)
	}
	s.log.Info("ingest server stopped")
	return nil
}

// writeStatus writes {"status": status}.
func writeStatus(w http.ResponseWriter, code int, status string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	_, _ = fmt.Fprintf(w, "{\"status\":%q}\n", status)
}
