package connectors

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"github.com/agentpulse/agentpulse/ingest/admit"
)

// Sink keeps the results of one authenticated delivery: it produces the
// interactions to the "interactions" topic and the failures to the
// dead-letter topic, and returns only once they are durable. It is called
// once per delivery, also when every result was skipped. An error makes the
// Handler answer 503 so the platform retries the whole delivery (connectors
// map a redelivery to the same results, so producing twice is harmless to
// the idempotent processor).
type Sink func(ctx context.Context, connector, tenant string, results []Result) error

// HandlerConfig configures a Handler.
type HandlerConfig struct {
	// MaxBodyBytes bounds a delivery's body before and after gzip
	// decompression; longer bodies get 413. Default (0) 16 MiB. For Amazon
	// Data Firehose it must be at least the stream's buffering size.
	MaxBodyBytes int64
	// Now is the clock; default time.Now.
	Now func() time.Time
	// Logger receives one line per refused delivery; default: discard.
	Logger *slog.Logger
	// Metrics counts deliveries by status and results by outcome; nil: not
	// counted.
	Metrics *Metrics
	// InFlight bounds the deliveries read, authenticated and kept at once,
	// over every Handler sharing it, and per key: the tenant when the
	// connector authenticates from headers alone (HeaderAuthenticator;
	// a delivery failing that is refused before its body is read and
	// takes no slot), else "unauthenticated:" and the connector's name (a
	// Twilio signature covers the body, so its deliveries are read first
	// and share one key: a flood of them cannot take the other
	// connectors' slots). A delivery beyond it is answered 429 with
	// Retry-After, in the platform's format, which every platform
	// retries. Nil: no bound.
	InFlight *admit.Slots
}

// HeaderAuthenticator is implemented by connectors whose platform sends
// its credential in headers (Firehose's access key, EventBridge's API key
// or basic auth): AuthenticateHeader returns the tenant from the headers
// alone, or an error matching [ErrUnauthenticated], so that a delivery
// without a valid credential is refused before its body is read.
// Authenticate still runs on the body afterwards.
type HeaderAuthenticator interface {
	AuthenticateHeader(r *http.Request) (tenant string, err error)
}

// Handler serves POST /v1/ingest/{connector} for one Connector: it reads
// the body (bounded, gzip-aware), authenticates it, maps it, hands the
// results to the Sink and writes the platform's expected answer. Nothing of
// a delivery that fails authentication or parsing reaches the Sink. Safe for
// concurrent use; it blocks for as long as the Sink does.
type Handler struct {
	c    Connector
	sink Sink
	cfg  HandlerConfig
}

// NewHandler returns a Handler for c that keeps results with sink.
func NewHandler(c Connector, sink Sink, cfg HandlerConfig) *Handler {
	if cfg.MaxBodyBytes <= 0 {
		cfg.MaxBodyBytes = DefaultMaxBodyBytes
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	return &Handler{c: c, sink: sink, cfg: cfg}
}

// ServeHTTP handles one delivery.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		resp := jsonError(http.StatusMethodNotAllowed, "use POST")
		h.cfg.Metrics.observeDelivery(h.c.Name(), resp.Status)
		writeResponse(w, resp)
		return
	}
	counts, err := h.admitAndHandle(r)
	if err != nil {
		h.cfg.Logger.LogAttrs(r.Context(), slog.LevelWarn, "delivery refused",
			slog.String("connector", h.c.Name()), slog.Int("status", StatusFor(err)), slog.String("error", err.Error()))
	}
	if errors.Is(err, ErrBusy) {
		w.Header().Set("Retry-After", "2")
	}
	var resp Response
	switch rs, ok := h.c.(Responder); {
	case ok:
		resp = rs.Respond(r, err, h.cfg.Now())
		if err != nil || resp.Status == 0 {
			resp.Status = StatusFor(err)
		}
	case err != nil:
		resp = jsonError(StatusFor(err), err.Error())
	default:
		body, _ := json.Marshal(map[string]int{"accepted": counts.Accepted, "failed": counts.Failed, "skipped": counts.Skipped})
		resp = Response{Status: http.StatusOK, ContentType: "application/json", Body: body}
	}
	h.cfg.Metrics.observeDelivery(h.c.Name(), resp.Status)
	writeResponse(w, resp)
}

// admitAndHandle authenticates the headers when the connector can, takes
// an in-flight slot for the tenant (or the connector's unauthenticated
// share), then handles the delivery.
func (h *Handler) admitAndHandle(r *http.Request) (Counts, error) {
	key := "unauthenticated:" + h.c.Name()
	if ha, ok := h.c.(HeaderAuthenticator); ok {
		tenant, err := ha.AuthenticateHeader(r)
		if err != nil {
			return Counts{}, err
		}
		key = "tenant:" + tenant
	}
	if h.cfg.InFlight != nil {
		free, refused := h.cfg.InFlight.Acquire(key)
		switch refused {
		case admit.Key:
			return Counts{}, fmt.Errorf("%w: more than %d deliveries of this tenant at once; retry (--max-inflight-per-tenant raises the limit)", ErrBusy, h.cfg.InFlight.PerKey())
		case admit.Global:
			return Counts{}, fmt.Errorf("%w: more than %d deliveries at once; retry (--max-inflight raises the limit)", ErrBusy, h.cfg.InFlight.Total())
		}
		defer free()
	}
	return h.handle(r)
}

// handle runs one delivery through the connector and the sink.
func (h *Handler) handle(r *http.Request) (Counts, error) {
	body, err := ReadBody(r, h.cfg.MaxBodyBytes)
	if err != nil {
		return Counts{}, err
	}
	tenant, err := h.c.Authenticate(r, body)
	if err != nil {
		return Counts{}, err
	}
	results, err := h.c.Map(tenant, body, h.cfg.Now())
	if err != nil {
		return Counts{}, err
	}
	if err := h.sink(r.Context(), h.c.Name(), tenant, results); err != nil {
		return Counts{}, fmt.Errorf("%w: %w", ErrUnavailable, err)
	}
	h.cfg.Metrics.ObserveResults(h.c.Name(), results)
	return Count(results), nil
}

// writeResponse writes resp.
func writeResponse(w http.ResponseWriter, resp Response) {
	if resp.ContentType != "" {
		w.Header().Set("Content-Type", resp.ContentType)
	}
	if resp.Status != http.StatusNoContent {
		w.Header().Set("Content-Length", strconv.Itoa(len(resp.Body)))
	}
	w.WriteHeader(resp.Status)
	if resp.Status != http.StatusNoContent && len(resp.Body) > 0 {
		_, _ = w.Write(resp.Body)
	}
}

// jsonError is the API's error shape {"error": "..."}.
func jsonError(status int, msg string) Response {
	body, _ := json.Marshal(map[string]string{"error": msg})
	return Response{Status: status, ContentType: "application/json", Body: body}
}
