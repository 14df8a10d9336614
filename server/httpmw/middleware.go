package httpmw

import (
	"bufio"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"strconv"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/go-chi/httprate"

	"github.com/agentpulse/agentpulse/auth"
)

// Limits is the middleware of one server. Build it with New and install
// Handler with chi's Use on the routes it guards.
type Limits struct {
	cfg     Config
	metrics *metrics
	rate    func(http.Handler) http.Handler // nil when the rate limit is off
}

// New returns the middleware for cfg. It fails when a metric cannot be
// registered (a second Limits on the same registry).
func New(cfg Config) (*Limits, error) {
	cfg = cfg.withDefaults()
	m, err := newMetrics(cfg.Registerer, cfg.RatePerSecond)
	if err != nil {
		return nil, fmt.Errorf("api limits metrics: %w", err)
	}
	l := &Limits{cfg: cfg, metrics: m}
	if cfg.RatePerSecond > 0 {
		l.rate = httprate.Limit(cfg.RatePerSecond, time.Second,
			httprate.WithKeyFuncs(func(r *http.Request) (string, error) { return callerKey(r, cfg.TrustedProxies) }),
			httprate.WithLimitHandler(l.tooMany),
			httprate.WithErrorHandler(func(w http.ResponseWriter, r *http.Request, err error) {
				// The in-memory counter never fails; should a future
				// counter fail, admit the request rather than refuse
				// every caller.
				l.cfg.Logger.Warn("api rate limiter failed; request admitted", "error", err)
			}),
		)
	}
	return l, nil
}

// Handler wraps next with the metrics, the body limit and the rate limit,
// in that order (a refused request is still counted).
func (l *Limits) Handler(next http.Handler) http.Handler {
	return l.handler(next, l.cfg.MaxBodyBytes, l.cfg.BodyFlag)
}

// WithMaxBody is Handler for the few routes whose bodies are files (a
// roster import): the same metrics and rate limit (one caller's bucket
// across every route), a body of at most n bytes, named by why in a
// refusal instead of the flag.
func (l *Limits) WithMaxBody(n int64, why string) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler { return l.handler(next, n, why) }
}

func (l *Limits) handler(next http.Handler, maxBody int64, why string) http.Handler {
	guarded := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.ContentLength > maxBody {
			l.metrics.limitReached.WithLabelValues(limitBodyBytes).Inc()
			auth.WriteError(w, http.StatusRequestEntityTooLarge,
				fmt.Sprintf("the request body is %d bytes; at most %d are accepted (%s)", r.ContentLength, maxBody, why), "body")
			return
		}
		if r.Body != nil && r.Body != http.NoBody {
			r.Body = http.MaxBytesReader(w, r.Body, maxBody)
		}
		next.ServeHTTP(w, r)
	})
	var h http.Handler = guarded
	if l.rate != nil {
		h = l.rate(guarded)
	}
	return l.measure(h)
}

// measure counts and times every answer by route pattern and status.
func (l *Limits) measure(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw := &statusWriter{ResponseWriter: w, code: http.StatusOK}
		next.ServeHTTP(sw, r)
		route := "unmatched"
		if rc := chi.RouteContext(r.Context()); rc != nil && rc.RoutePattern() != "" {
			route = rc.RoutePattern()
		}
		l.metrics.requests.WithLabelValues(route, strconv.Itoa(sw.code)).Inc()
		l.metrics.duration.WithLabelValues(route).Observe(time.Since(start).Seconds())
	})
}

// tooMany answers a caller over its rate.
func (l *Limits) tooMany(w http.ResponseWriter, _ *http.Request) {
	l.metrics.limitReached.WithLabelValues(limitRate).Inc()
	w.Header().Set("Retry-After", "1")
	auth.WriteError(w, http.StatusTooManyRequests,
		fmt.Sprintf("more than %d requests per second from this caller; retry after a second (%s raises the limit)", l.cfg.RatePerSecond, l.cfg.RateFlag), "")
}

// callerKey keys a request by a hash of its bearer token (one agent's
// dashboard, one wallboard; the header, or the websocket's access_token)
// or, without one or with one longer than auth.MaxTokenBytes (never
// hashed), by its IP address (behind trusted proxies, the client's:
// clientIP). The token itself is never kept in memory; a
// forged token only gets its own bucket before auth refuses it, and since
// auth decodes base64url strictly a token has one spelling, so one bucket.
func callerKey(r *http.Request, trusted []netip.Prefix) (string, error) {
	tok, err := auth.FromRequest(r)
	if err != nil && r.Header.Get("Authorization") == "" {
		tok, err = r.URL.Query().Get("access_token"), nil
	}
	if err == nil && tok != "" && len(tok) <= auth.MaxTokenBytes {
		sum := sha256.Sum256([]byte(tok))
		return "t:" + hex.EncodeToString(sum[:12]), nil
	}
	return "ip:" + httprate.CanonicalizeIP(clientIP(r, trusted)), nil
}

// statusWriter records the status code written. It forwards Hijack (the
// websocket upgrade; recorded as 101) and Flush, and Unwrap for
// http.ResponseController.
type statusWriter struct {
	http.ResponseWriter
	code        int
	wroteHeader bool
}

func (w *statusWriter) WriteHeader(code int) {
	if !w.wroteHeader {
		w.code, w.wroteHeader = code, true
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	w.wroteHeader = true
	return w.ResponseWriter.Write(b)
}

// Unwrap returns the wrapped writer, for http.ResponseController.
func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// Hijack hands the connection over (a websocket upgrade) and records 101.
func (w *statusWriter) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	c, rw, err := http.NewResponseController(w.ResponseWriter).Hijack()
	if err == nil {
		w.code, w.wroteHeader = http.StatusSwitchingProtocols, true
	}
	return c, rw, err
}

// Flush sends buffered data to the client when the writer supports it.
func (w *statusWriter) Flush() { _ = http.NewResponseController(w.ResponseWriter).Flush() }
