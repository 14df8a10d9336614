package ingest

import (
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/go-chi/chi/v5"

	"github.com/agentpulse/agentpulse/server/auth"
)

// InteractionsPath is where the endpoint is mounted.
const InteractionsPath = "/v1/ingest/interactions"

// OutcomesPath is where the outcomes endpoint is mounted (when the Sink is
// also an OutcomeSink).
const OutcomesPath = "/v1/ingest/outcomes"

// HTTPHandler serves POST /v1/ingest/interactions: canonical interactions
// as a JSON array, or NDJSON with Content-Type application/x-ndjson (gzip
// Content-Encoding accepted), from a token of role ingest or admin.
//
// Each record is decoded strictly (schemas.DecodeInteraction) and must
// belong to the token's tenant. Accepted records are produced in one batch
// and rejected ones dead-lettered with their reason, concurrently; the
// answer, {"accepted": N, "rejected": [...]} with 200, is written only once
// both are durably acknowledged. A request is refused whole, and nothing of
// it kept, with 400 (not a JSON array, or an NDJSON body none of whose
// lines is JSON), 401/403 (token), 413 (--max-body-bytes,
// --max-records), 415 (Content-Encoding), 429 (--max-inflight) or 503 (the
// broker did not acknowledge within ProduceTimeout; the client retries and
// the processor drops the duplicates). Only a 503 is the server's fault.
//
// POST /v1/ingest/outcomes works the same way for outcome records
// (schemas.DecodeOutcome), produced to the outcomes topic by an
// OutcomeSink; it is served when the Sink is one. Both endpoints share the
// limits, the in-flight slots and the request metrics.
//
// Safe for concurrent use; a request blocks until the broker acknowledges
// or ProduceTimeout passes.
type HTTPHandler struct {
	cfg            HTTPConfig
	sink           Sink
	osink          OutcomeSink // nil: no outcomes endpoint
	m              *httpMetrics
	authed         http.Handler
	authedOutcomes http.Handler
	pool           batchPool
	slots          chan struct{}
}

// NewHTTPHandler returns the endpoint keeping records with sink and
// admitting tokens v accepts with role ingest or admin. It fails when the
// metrics cannot be registered on cfg.Registerer.
func NewHTTPHandler(cfg HTTPConfig, sink Sink, v auth.TokenVerifier) (*HTTPHandler, error) {
	if sink == nil || v == nil {
		return nil, fmt.Errorf("ingest http handler: sink and verifier are required")
	}
	cfg = cfg.withDefaults()
	m, err := newHTTPMetrics(cfg.Registerer, cfg.MaxInFlight)
	if err != nil {
		return nil, err
	}
	h := &HTTPHandler{cfg: cfg, sink: sink, m: m, slots: make(chan struct{}, cfg.MaxInFlight)}
	h.osink, _ = sink.(OutcomeSink)
	require := auth.Require(v, auth.RoleIngest, auth.RoleAdmin)
	h.authed = require(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { h.serveAuthed(w, r, false) }))
	h.authedOutcomes = require(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { h.serveAuthed(w, r, true) }))
	return h, nil
}

// Routes mounts the endpoint on r at InteractionsPath, and at OutcomesPath
// when the sink is an OutcomeSink.
func (h *HTTPHandler) Routes(r chi.Router) {
	r.Post(InteractionsPath, h.ServeInteractions)
	if h.osink != nil {
		r.Post(OutcomesPath, h.ServeOutcomes)
	}
}

// ServeHTTP is ServeInteractions.
func (h *HTTPHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h.ServeInteractions(w, r)
}

// ServeInteractions handles one request (see HTTPHandler).
func (h *HTTPHandler) ServeInteractions(w http.ResponseWriter, r *http.Request) {
	h.serve(w, r, h.authed)
}

// ServeOutcomes handles one request of POST /v1/ingest/outcomes; 404 when
// the sink keeps no outcomes.
func (h *HTTPHandler) ServeOutcomes(w http.ResponseWriter, r *http.Request) {
	if h.osink == nil {
		http.NotFound(w, r)
		return
	}
	h.serve(w, r, h.authedOutcomes)
}

func (h *HTTPHandler) serve(w http.ResponseWriter, r *http.Request, authed http.Handler) {
	start := time.Now()
	sw := &statusWriter{ResponseWriter: w}
	if r.Method != http.MethodPost {
		sw.Header().Set("Allow", http.MethodPost)
		writeHTTPError(sw, &httpError{status: http.StatusMethodNotAllowed, msg: "use POST"}, 0)
	} else {
		authed.ServeHTTP(sw, r)
	}
	if sw.code == 0 {
		sw.code = http.StatusOK
	}
	h.m.request(sw.code, time.Since(start))
}

// serveAuthed runs behind auth.Require.
func (h *HTTPHandler) serveAuthed(w http.ResponseWriter, r *http.Request, outcomes bool) {
	claims, _ := auth.ClaimsFrom(r.Context())
	b, ok := h.acquire()
	if !ok {
		h.m.limitReached.WithLabelValues(limitInFlight).Inc()
		h.fail(w, r, &httpError{status: http.StatusTooManyRequests, limit: limitInFlight,
			msg: fmt.Sprintf("the server is decoding or producing %d requests already; retry later or raise --max-inflight", h.cfg.MaxInFlight)})
		return
	}
	b.outcomes = outcomes
	owned := true
	defer func() {
		if owned {
			h.release(b)
		}
	}()
	body, herr := h.openBody(w, r, &b.wire)
	if herr == nil {
		herr = h.read(b, body, isNDJSON(r.Header.Get("Content-Type")), claims.Tenant)
	}
	h.m.bodyBytes.Observe(float64(b.wire.n))
	if herr != nil {
		if herr.limit != "" {
			h.m.limitReached.WithLabelValues(herr.limit).Inc()
		}
		h.fail(w, r, herr)
		return
	}
	var err error
	owned, err = h.keep(r.Context(), b)
	if err != nil {
		h.fail(w, r, &httpError{status: http.StatusServiceUnavailable, cause: err,
			msg: "the broker did not acknowledge the records; nothing of this request may be counted as kept, retry it (duplicates are dropped downstream)"})
		return
	}
	if outcomes {
		h.m.outcomesAccepted.Add(float64(b.nAccepted()))
		h.m.outcomesRejected.Add(float64(len(b.report)))
	} else {
		h.m.accepted.Add(float64(b.nAccepted()))
		h.m.rejected.Add(float64(len(b.report)))
	}
	writeResponse(w, b.nAccepted(), b.report)
}

// fail writes e and logs it: 5xx at warn, the rest at debug.
func (h *HTTPHandler) fail(w http.ResponseWriter, r *http.Request, e *httpError) {
	level := slog.LevelDebug
	if e.status >= 500 {
		level = slog.LevelWarn
	}
	attrs := []slog.Attr{slog.Int("status", e.status), slog.String("error", e.msg)}
	if e.cause != nil {
		attrs = append(attrs, slog.String("cause", e.cause.Error()))
	}
	h.cfg.Logger.LogAttrs(r.Context(), level, "ingest request refused", attrs...)
	writeHTTPError(w, e, h.cfg.RetryAfter)
}
