package httpserver

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"golang.org/x/sync/errgroup"

	"github.com/agentpulse/agentpulse/auth"
)

// Config configures New. The zero value of every field means its default.
type Config struct {
	// Addr is where the server listens (host:port). Default
	// "127.0.0.1:8080".
	Addr string
	// AddrFlag names the flag that sets Addr, for errors. Default
	// "--http-addr".
	AddrFlag string
	// Mount adds the parts' routes to the router, in order.
	Mount []func(chi.Router)
	// Ready reports whether the parts' dependencies answer; /readyz calls
	// it with a 2 s deadline and answers 503 with its error. Nil: always
	// ready.
	Ready func(ctx context.Context) error
	// Gatherer is served on /metrics. Nil: no /metrics.
	Gatherer prometheus.Gatherer
	// ReadHeaderTimeout bounds reading a request's headers. Default 10 s.
	ReadHeaderTimeout time.Duration
	// ReadTimeout bounds reading a whole request, body included. Default
	// 2 minutes (a 32 MiB body at 2 Mbit/s). A hijacked (websocket)
	// connection is not bound by it.
	ReadTimeout time.Duration
	// ShutdownTimeout bounds the wait for in-flight requests on shutdown.
	// Default 30 s.
	ShutdownTimeout time.Duration
	// OpsAddr, when set, is a second listener (plain HTTP, for the
	// operators' network only) that alone serves /readyz (with its
	// dependency errors) and /metrics; Addr then serves /healthz and the
	// mounted routes only.
	OpsAddr string
	// TLSCertFile and TLSKeyFile, when both set, serve HTTPS with this PEM
	// certificate and key, reloaded when either file changes (checked at
	// most every TLSRecheck at a handshake; default 5 s). Empty: HTTP.
	TLSCertFile, TLSKeyFile string
	TLSRecheck              time.Duration
	// Logger receives the server's lifecycle and errors. Nil: discard.
	Logger *slog.Logger
}

func (c Config) withDefaults() Config {
	if c.Addr == "" {
		c.Addr = "127.0.0.1:8080"
	}
	if c.AddrFlag == "" {
		c.AddrFlag = "--http-addr"
	}
	if c.ReadHeaderTimeout <= 0 {
		c.ReadHeaderTimeout = 10 * time.Second
	}
	if c.ReadTimeout <= 0 {
		c.ReadTimeout = 2 * time.Minute
	}
	if c.TLSRecheck <= 0 {
		c.TLSRecheck = 5 * time.Second
	}
	if c.ShutdownTimeout <= 0 {
		c.ShutdownTimeout = 30 * time.Second
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	if c.Ready == nil {
		c.Ready = func(context.Context) error { return nil }
	}
	return c
}

// Server is the HTTP listener. Build it with New, serve with Run or Serve.
type Server struct {
	cfg    Config
	router chi.Router
	ops    chi.Router // the OpsAddr listener's; nil without one
	log    *slog.Logger
}

// New builds the router; it does not listen yet.
func New(cfg Config) *Server {
	cfg = cfg.withDefaults()
	r := chi.NewRouter()
	for _, m := range cfg.Mount {
		m(r)
	}
	r.Get("/healthz", func(w http.ResponseWriter, _ *http.Request) {
		writeStatus(w, http.StatusOK, "ok")
	})
	s := &Server{cfg: cfg, router: r, log: cfg.Logger}
	ops := chi.Router(r)
	if cfg.OpsAddr != "" {
		s.ops = chi.NewRouter()
		ops = s.ops
		ops.Get("/healthz", func(w http.ResponseWriter, _ *http.Request) { writeStatus(w, http.StatusOK, "ok") })
	}
	ops.Get("/readyz", func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
		defer cancel()
		if err := cfg.Ready(ctx); err != nil {
			auth.WriteError(w, http.StatusServiceUnavailable, "not ready: "+err.Error(), "")
			return
		}
		writeStatus(w, http.StatusOK, "ready")
	})
	if cfg.Gatherer != nil {
		ops.Handle("/metrics", promhttp.HandlerFor(cfg.Gatherer, promhttp.HandlerOpts{}))
	}
	return s
}

// OpsHandler returns the operations listener's router (nil without
// OpsAddr), for tests.
func (s *Server) OpsHandler() http.Handler {
	if s.ops == nil {
		return nil
	}
	return s.ops
}

// Handler returns the server's router, for tests and for mounting.
func (s *Server) Handler() http.Handler { return s.router }

// Run listens on cfg.Addr and serves until ctx ends (see Serve).
func (s *Server) Run(ctx context.Context) error {
	ln, err := net.Listen("tcp", s.cfg.Addr)
	if err != nil {
		return fmt.Errorf("http server: listen on %s (%s): %w", s.cfg.Addr, s.cfg.AddrFlag, err)
	}
	if s.ops == nil {
		return s.Serve(ctx, ln)
	}
	oln, err := net.Listen("tcp", s.cfg.OpsAddr)
	if err != nil {
		_ = ln.Close()
		return fmt.Errorf("http server: listen on %s (--ops-addr): %w", s.cfg.OpsAddr, err)
	}
	ocfg := s.cfg
	ocfg.TLSCertFile, ocfg.TLSKeyFile = "", ""
	opsSrv := &Server{cfg: ocfg, router: s.ops, log: s.log.With("listener", "ops")}
	// Either listener failing stops both.
	g, gctx := errgroup.WithContext(ctx)
	g.Go(func() error { return opsSrv.Serve(gctx, oln) })
	g.Go(func() error { return s.Serve(gctx, ln) })
	return g.Wait()
}

// Serve serves on ln until ctx ends, then shuts down gracefully: it stops
// accepting connections, lets in-flight requests finish (all of them
// within ShutdownTimeout) and returns nil.
func (s *Server) Serve(ctx context.Context, ln net.Listener) error {
	srv := &http.Server{
		Handler:           s.router,
		ReadHeaderTimeout: s.cfg.ReadHeaderTimeout,
		ReadTimeout:       s.cfg.ReadTimeout,
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          slog.NewLogLogger(s.log.Handler(), slog.LevelWarn),
		BaseContext:       func(net.Listener) context.Context { return context.WithoutCancel(ctx) },
	}
	tlsOn := s.cfg.TLSCertFile != "" || s.cfg.TLSKeyFile != ""
	if tlsOn {
		if s.cfg.TLSCertFile == "" || s.cfg.TLSKeyFile == "" {
			_ = ln.Close()
			return fmt.Errorf("http server: --tls-cert and --tls-key go together")
		}
		certs, err := newCertReloader(s.cfg.TLSCertFile, s.cfg.TLSKeyFile, s.cfg.TLSRecheck, s.log)
		if err != nil {
			_ = ln.Close()
			return fmt.Errorf("http server: %w", err)
		}
		srv.TLSConfig = &tls.Config{GetCertificate: certs.get, MinVersion: tls.VersionTLS12}
	}
	s.log.Info("http server listening", "addr", ln.Addr().String(), "https", tlsOn)
	served := make(chan error, 1)
	go func() {
		if tlsOn {
			served <- srv.ServeTLS(ln, "", "")
			return
		}
		served <- srv.Serve(ln)
	}()
	select {
	case err := <-served:
		return fmt.Errorf("http server: %w", err)
	case <-ctx.Done():
	}
	s.log.Info("http server stopping: no new connections, finishing in-flight requests",
		"timeout", s.cfg.ShutdownTimeout.String())
	sctx, cancel := context.WithTimeout(context.Background(), s.cfg.ShutdownTimeout)
	defer cancel()
	err := srv.Shutdown(sctx)
	if serr := <-served; serr != nil && !errors.Is(serr, http.ErrServerClosed) {
		err = errors.Join(err, serr)
	}
	if err != nil {
		_ = srv.Close()
		return fmt.Errorf("http server shutdown: %w", err)
	}
	s.log.Info("http server stopped")
	return nil
}

// writeStatus writes {"status": status}.
func writeStatus(w http.ResponseWriter, code int, status string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	_, _ = fmt.Fprintf(w, "{\"status\":%q}\n", status)
}
