package simulator

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/agentpulse/agentpulse/schemas"
)

// ingestStub is an ingest endpoint that checks what the API requires of a
// client: POST, NDJSON, the bearer token, and a body of valid records.
type ingestStub struct {
	token string
	fail  atomic.Int32 // answer 503 to this many requests first
	mu    sync.Mutex
	got   []schemas.Interaction
	errs  []string
}

func (s *ingestStub) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	bad := func(format string, args ...any) {
		s.mu.Lock()
		s.errs = append(s.errs, fmt.Sprintf(format, args...))
		s.mu.Unlock()
	}
	if s.fail.Add(-1) >= 0 {
		w.Header().Set("Retry-After", "0")
		http.Error(w, `{"error":"busy"}`, http.StatusServiceUnavailable)
		return
	}
	if r.Header.Get("Authorization") != "Bearer "+s.token {
		http.Error(w, `{"error":"missing or bad token"}`, http.StatusUnauthorized)
		return
	}
	if r.Method != http.MethodPost || r.Header.Get("Content-Type") != "application/x-ndjson" || r.URL.Path != "/v1/ingest/interactions" {
		bad("%s %s with content type %q", r.Method, r.URL.Path, r.Header.Get("Content-Type"))
	}
	sc := bufio.NewScanner(r.Body)
	sc.Buffer(nil, 1<<20)
	n := 0
	var batch []schemas.Interaction
	for sc.Scan() {
		it, err := schemas.DecodeInteraction(sc.Bytes())
		if err != nil {
			bad("line %d: %v", n+1, err)
		}
		batch = append(batch, it)
		n++
	}
	s.mu.Lock()
	s.got = append(s.got, batch...)
	s.mu.Unlock()
	fmt.Fprintf(w, `{"accepted": %d, "rejected": []}`, n)
}

func quietLog() *slog.Logger { return slog.New(slog.DiscardHandler) }

func TestLiveToHTTP(t *testing.T) {
	stub := &ingestStub{token: "s3cret"}
	stub.fail.Store(2) // the server is restarting: two 503s first
	srv := httptest.NewServer(stub)
	defer srv.Close()
	sink, err := NewHTTPSink(HTTPSinkConfig{URL: srv.URL + "/v1/ingest/interactions", Token: "s3cret",
		MinBackoff: time.Millisecond, MaxBackoff: 5 * time.Millisecond, Logger: quietLog()})
	if err != nil {
		t.Fatal(err)
	}
	cfg := liveConfig(400, liveStart)
	cfg.Count = 1000
	l, _ := NewLive(cfg)
	if err := l.Run(context.Background(), func(b []schemas.Interaction) error { return sink.Send(context.Background(), b) }); err != nil {
		t.Fatal(err)
	}
	if len(stub.errs) > 0 {
		t.Fatalf("the endpoint saw: %s", strings.Join(stub.errs, "; "))
	}
	ids := map[string]bool{}
	for _, it := range stub.got {
		ids[it.TenantID+"/"+it.InteractionID] = true
	}
	st := sink.Stats()
	if len(stub.got) != 1000 || len(ids) != 1000 || st.Records != 1000 || st.Accepted != 1000 || st.Retries != 2 {
		t.Errorf("endpoint got %d records (%d ids); sink stats %+v; want 1000 after 2 retries", len(stub.got), len(ids), st)
	}
}

func TestHTTPSinkStopsOnClientErrors(t *testing.T) {
	stub := &ingestStub{token: "right"}
	srv := httptest.NewServer(stub)
	defer srv.Close()
	sink, _ := NewHTTPSink(HTTPSinkConfig{URL: srv.URL + "/v1/ingest/interactions", Token: "wrong", Logger: quietLog()})
	its := flatten(runFor(t, mustLive(t), time.Second))
	err := sink.Send(context.Background(), its)
	var se *HTTPStatusError
	if !errors.Is(err, ErrRefused) || !errors.As(err, &se) || se.Status != 401 || !strings.Contains(err.Error(), "bad token") {
		t.Fatalf("err = %v, want a 401 refusal quoting the body", err)
	}
}

func TestHTTPSinkRetriesConnectionErrorsUntilCancelled(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close() // nothing listens: every attempt is refused
	var attempts atomic.Int32
	client := &http.Client{Transport: roundTripFunc(func(r *http.Request) (*http.Response, error) {
		attempts.Add(1)
		return http.DefaultTransport.RoundTrip(r)
	})}
	sink, _ := NewHTTPSink(HTTPSinkConfig{URL: "http://" + addr + "/v1/ingest/interactions", Client: client,
		MinBackoff: time.Millisecond, MaxBackoff: 2 * time.Millisecond, Logger: quietLog()})
	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		for attempts.Load() < 3 {
			time.Sleep(time.Millisecond)
		}
		cancel()
	}()
	err = sink.Send(ctx, flatten(runFor(t, mustLive(t), time.Second)))
	if !errors.Is(err, context.Canceled) || sink.Stats().Retries < 2 {
		t.Errorf("err = %v after %d retries, want retries until the context ended", err, sink.Stats().Retries)
	}
}

func TestNewHTTPSinkRefusesBadURLs(t *testing.T) {
	for _, u := range []string{"", "127.0.0.1:8080/v1", "ftp://x/y", "http://"} {
		if _, err := NewHTTPSink(HTTPSinkConfig{URL: u}); !errors.Is(err, ErrInvalidConfig) || !strings.Contains(err.Error(), "--to") {
			t.Errorf("URL %q: err = %v, want ErrInvalidConfig naming --to", u, err)
		}
	}
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

func mustLive(t *testing.T) *Live {
	t.Helper()
	l, err := NewLive(liveConfig(50, liveStart))
	if err != nil {
		t.Fatal(err)
	}
	return l
}
