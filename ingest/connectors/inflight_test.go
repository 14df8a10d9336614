package connectors_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/agentpulse/agentpulse/ingest/admit"
	"github.com/agentpulse/agentpulse/ingest/connectors"
)

// TestInFlightBound: with InFlight 1 shared by two connectors' handlers, a
// delivery while another is being kept is answered 429 with Retry-After
// (nothing read, nothing kept); once the first is done the next goes
// through. Bodies are read before they can be authenticated, so this
// bound is what keeps unauthenticated clients from holding memory.
func TestInFlightBound(t *testing.T) {
	inFlight := admit.New(1, 0)
	entered, release := make(chan struct{}), make(chan struct{})
	slow := connectors.NewHandler(echo{}, func(context.Context, string, string, []connectors.Result) error {
		close(entered)
		<-release
		return nil
	}, connectors.HandlerConfig{InFlight: inFlight})
	kept := 0
	other := connectors.NewHandler(echo{}, func(context.Context, string, string, []connectors.Result) error {
		kept++
		return nil
	}, connectors.HandlerConfig{InFlight: inFlight})
	post := func(h http.Handler) *httptest.ResponseRecorder {
		req := httptest.NewRequest(http.MethodPost, "/v1/ingest/echo", strings.NewReader("ok"))
		req.Header.Set("X-Tenant", "acme")
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		return rec
	}
	done := make(chan *httptest.ResponseRecorder)
	go func() { done <- post(slow) }()
	select {
	case <-entered:
	case <-time.After(5 * time.Second):
		t.Fatal("the first delivery never reached its sink")
	}
	rec := post(other)
	if rec.Code != http.StatusTooManyRequests || rec.Header().Get("Retry-After") == "" || !strings.Contains(rec.Body.String(), "--max-inflight") {
		t.Fatalf("a delivery beyond the bound: %d %q (Retry-After %q), want 429 naming --max-inflight", rec.Code, rec.Body.String(), rec.Header().Get("Retry-After"))
	}
	if kept != 0 {
		t.Fatal("a refused delivery was kept")
	}
	close(release)
	if first := <-done; first.Code != http.StatusOK {
		t.Fatalf("the first delivery: %d %s", first.Code, first.Body.String())
	}
	if rec := post(other); rec.Code != http.StatusOK || kept != 1 {
		t.Fatalf("after the first ended: %d, kept %d", rec.Code, kept)
	}
}
