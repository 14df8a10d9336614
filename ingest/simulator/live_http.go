package simulator

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/agentpulse/agentpulse/schemas"
)

// ErrRefused is matched by the error HTTPSink.Send returns when the
// ingest endpoint refuses a batch with a 4xx status that retrying cannot
// fix (a bad token, a forbidden tenant, a malformed body).
var ErrRefused = errors.New("ingest refused the batch")

// HTTPStatusError is a refusal by the ingest endpoint. It matches
// ErrRefused.
type HTTPStatusError struct {
	// Status is the HTTP status code.
	Status int
	// Body is the start of the response body (the API's JSON error).
	Body string
}

func (e *HTTPStatusError) Error() string {
	return fmt.Sprintf("ingest refused the batch: %d %s: %s", e.Status, http.StatusText(e.Status), e.Body)
}

// Is reports whether target is ErrRefused.
func (e *HTTPStatusError) Is(target error) bool { return target == ErrRefused }

// HTTPSinkConfig configures an HTTPSink.
type HTTPSinkConfig struct {
	// URL is the ingest endpoint, e.g.
	// http://127.0.0.1:8080/v1/ingest/interactions. Required; http or https.
	URL string
	// Token is sent as "Authorization: Bearer <Token>" when not empty.
	Token string
	// Client sends the requests. Default: a client with a 30 s timeout.
	Client *http.Client
	// MinBackoff and MaxBackoff bound the wait between retries, which
	// doubles from MinBackoff up to MaxBackoff (with jitter), or follows
	// the server's Retry-After up to MaxBackoff. Defaults 100 ms and 5 s.
	MinBackoff, MaxBackoff time.Duration
	// Logger receives retries and rejected records. Default slog.Default().
	Logger *slog.Logger
}

// HTTPSinkStats counts what an HTTPSink did.
type HTTPSinkStats struct {
	// Batches and Records count the batches the endpoint answered 2xx to,
	// and their records.
	Batches, Records int64
	// Accepted and Rejected are the endpoint's counts for those records.
	Accepted, Rejected int64
	// Retries counts requests that failed and were sent again.
	Retries int64
}

// HTTPSink posts batches of interactions as NDJSON to an ingest endpoint
// (POST /v1/ingest/interactions). Send retries with backoff on connection
// errors, 408, 429 and 5xx, until the endpoint answers or the context
// ends; it stops on any other 4xx with an *HTTPStatusError. The endpoint
// deduplicates, so a retry after a lost answer is harmless. Safe for
// concurrent use.
type HTTPSink struct {
	cfg   HTTPSinkConfig
	stats struct{ batches, records, accepted, rejected, retries atomic.Int64 }
}

// NewHTTPSink checks cfg and fills its defaults.
func NewHTTPSink(cfg HTTPSinkConfig) (*HTTPSink, error) {
	u, err := url.Parse(cfg.URL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, &FieldError{Field: "to", Rule: fmt.Sprintf("must be an http or https URL such as http://127.0.0.1:8080/v1/ingest/interactions, got %q", cfg.URL)}
	}
	if cfg.Client == nil {
		cfg.Client = &http.Client{Timeout: 30 * time.Second}
	}
	if cfg.MinBackoff <= 0 {
		cfg.MinBackoff = 100 * time.Millisecond
	}
	if cfg.MaxBackoff < cfg.MinBackoff {
		cfg.MaxBackoff = max(cfg.MinBackoff, 5*time.Second)
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	return &HTTPSink{cfg: cfg}, nil
}

// Stats returns the sink's counters.
func (s *HTTPSink) Stats() HTTPSinkStats {
	return HTTPSinkStats{
		Batches: s.stats.batches.Load(), Records: s.stats.records.Load(),
		Accepted: s.stats.accepted.Load(), Rejected: s.stats.rejected.Load(), Retries: s.stats.retries.Load(),
	}
}

// ingestAnswer is the body of a 2xx answer of the ingest API.
type ingestAnswer struct {
	Accepted int64 `json:"accepted"`
	Rejected []struct {
		Index int    `json:"index"`
		Field string `json:"field"`
		Error string `json:"error"`
	} `json:"rejected"`
}

// Send posts its as one NDJSON body and waits for the answer; see
// HTTPSink. Records the endpoint rejects are logged and counted, not
// returned as an error: the endpoint keeps them on its dead-letter topic.
func (s *HTTPSink) Send(ctx context.Context, its []schemas.Interaction) error {
	if len(its) == 0 {
		return nil
	}
	var body []byte
	for i := range its {
		body = its[i].AppendJSON(body)
		body = append(body, '\n')
	}
	backoff := s.cfg.MinBackoff
	for {
		status, answer, wait, err := s.post(ctx, body)
		switch {
		case err == nil && status/100 == 2:
			var a ingestAnswer
			if jerr := json.Unmarshal(answer, &a); jerr != nil {
				s.cfg.Logger.Warn("simulate live: ingest answer is not the API's JSON", "status", status, "error", jerr)
			}
			s.stats.batches.Add(1)
			s.stats.records.Add(int64(len(its)))
			s.stats.accepted.Add(a.Accepted)
			s.stats.rejected.Add(int64(len(a.Rejected)))
			if len(a.Rejected) > 0 {
				first := a.Rejected[0]
				s.cfg.Logger.Warn("simulate live: ingest rejected records", "count", len(a.Rejected),
					"first_index", first.Index, "field", first.Field, "error", first.Error)
			}
			return nil
		case err == nil && !retryable(status):
			return &HTTPStatusError{Status: status, Body: string(answer)}
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if wait <= 0 {
			wait = backoff/2 + rand.N(backoff/2+1)
			backoff = min(2*backoff, s.cfg.MaxBackoff)
		}
		wait = min(wait, s.cfg.MaxBackoff)
		s.stats.retries.Add(1)
		s.cfg.Logger.Warn("simulate live: ingest unavailable, retrying", "status", status, "error", err, "wait", wait)
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return ctx.Err()
		case <-t.C:
		}
	}
}

// retryable reports whether a status may succeed when sent again.
func retryable(status int) bool {
	return status == http.StatusRequestTimeout || status == http.StatusTooManyRequests || status >= 500
}

// maxAnswer bounds how much of an answer is read.
const maxAnswer = 64 << 10

// post sends one request. It returns the status and body of an answer,
// the Retry-After the server asked for, or a transport error.
func (s *HTTPSink) post(ctx context.Context, body []byte) (int, []byte, time.Duration, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.cfg.URL, bytes.NewReader(body))
	if err != nil {
		return 0, nil, 0, fmt.Errorf("build request: %w", err)
	}
	req.Header.Set("Content-Type", "application/x-ndjson")
	if s.cfg.Token != "" {
		req.Header.Set("Authorization", "Bearer "+s.cfg.Token)
	}
	resp, err := s.cfg.Client.Do(req)
	if err != nil {
		return 0, nil, 0, err
	}
	defer resp.Body.Close()
	answer, err := io.ReadAll(io.LimitReader(resp.Body, maxAnswer))
	if err != nil {
		return 0, nil, 0, fmt.Errorf("read answer: %w", err)
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<20)) // let the connection be reused
	var wait time.Duration
	if secs, err := strconv.Atoi(resp.Header.Get("Retry-After")); err == nil && secs >= 0 {
		wait = time.Duration(secs) * time.Second
	}
	return resp.StatusCode, bytes.TrimSpace(answer), wait, nil
}
