package amazonconnect_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/agentpulse/agentpulse/ingest/admit"
	"github.com/agentpulse/agentpulse/ingest/connectors"
)

type recordingSink struct {
	calls   int
	tenant  string
	results []connectors.Result
	fail    error
}

func (s *recordingSink) keep(_ context.Context, connector, tenant string, rs []connectors.Result) error {
	s.calls++
	s.tenant = tenant
	s.results = append(s.results, rs...)
	return s.fail
}

type firehoseAnswer struct {
	RequestID    string  `json:"requestId"`
	Timestamp    float64 `json:"timestamp"`
	ErrorMessage *string `json:"errorMessage"`
}

func serve(t *testing.T, sink *recordingSink, r *http.Request) (*httptest.ResponseRecorder, firehoseAnswer) {
	t.Helper()
	h := connectors.NewHandler(newConnector(t), sink.keep, connectors.HandlerConfig{
		MaxBodyBytes: 1 << 20,
		Now:          func() time.Time { return testNow },
	})
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	var a firehoseAnswer
	if err := json.Unmarshal(w.Body.Bytes(), &a); err != nil {
		t.Fatalf("answer %q is not JSON: %v", w.Body.String(), err)
	}
	if ct := w.Header().Get("Content-Type"); ct != "application/json" {
		t.Errorf("Content-Type = %q", ct)
	}
	if w.Header().Get("Content-Encoding") != "" {
		t.Errorf("the answer must not be compressed")
	}
	return w, a
}

// TestHandlerAnswersLikeFirehoseExpects checks the response of the Firehose
// HTTP endpoint specification: 200 with {"requestId", "timestamp"} on
// success, the error status plus errorMessage otherwise, and nothing kept
// for a delivery that fails authentication.
func TestHandlerAnswersLikeFirehoseExpects(t *testing.T) {
	payloads := casePayloads(t, "testdata/voice.json")
	body := envelope(t, requestID, payloads...)

	t.Run("success", func(t *testing.T) {
		sink := &recordingSink{}
		w, a := serve(t, sink, request(body, acmeKey, requestID))
		if w.Code != http.StatusOK || a.RequestID != requestID || int64(a.Timestamp) != testNow.UnixMilli() || a.ErrorMessage != nil {
			t.Fatalf("answer %d %s", w.Code, w.Body)
		}
		if sink.calls != 1 || sink.tenant != "acme" || connectors.Count(sink.results).Accepted != 2 {
			t.Fatalf("sink %+v", sink)
		}
	})
	t.Run("gzip", func(t *testing.T) {
		var zb bytes.Buffer
		zw := gzip.NewWriter(&zb)
		zw.Write(body)
		zw.Close()
		r := request(zb.Bytes(), acmeKey, requestID)
		r.Header.Set("Content-Encoding", "gzip")
		sink := &recordingSink{}
		w, _ := serve(t, sink, r)
		if w.Code != http.StatusOK || connectors.Count(sink.results).Accepted != 2 {
			t.Fatalf("answer %d %s, sink %+v", w.Code, w.Body, sink)
		}
	})
	t.Run("unauthenticated", func(t *testing.T) {
		sink := &recordingSink{}
		w, a := serve(t, sink, request(body, "wrong-key-wrong-key", requestID))
		if w.Code != http.StatusUnauthorized || a.RequestID != requestID || a.ErrorMessage == nil {
			t.Fatalf("answer %d %s", w.Code, w.Body)
		}
		if sink.calls != 0 {
			t.Fatal("an unauthenticated delivery reached the sink")
		}
	})
	t.Run("malformed", func(t *testing.T) {
		sink := &recordingSink{}
		bad := []byte(`{"requestId": "` + requestID + `", "records": 7}`)
		w, a := serve(t, sink, request(bad, acmeKey, requestID))
		if w.Code != http.StatusBadRequest || a.ErrorMessage == nil || sink.calls != 0 {
			t.Fatalf("answer %d %s, sink calls %d", w.Code, w.Body, sink.calls)
		}
	})
	t.Run("too large", func(t *testing.T) {
		sink := &recordingSink{}
		big := envelope(t, requestID, bytes.Repeat([]byte("x"), 1<<20))
		w, _ := serve(t, sink, request(big, acmeKey, requestID))
		if w.Code != http.StatusRequestEntityTooLarge || sink.calls != 0 {
			t.Fatalf("answer %d, sink calls %d", w.Code, sink.calls)
		}
	})
	t.Run("sink fails", func(t *testing.T) {
		sink := &recordingSink{fail: errors.New("broker down")}
		w, a := serve(t, sink, request(body, acmeKey, requestID))
		if w.Code != http.StatusServiceUnavailable || a.ErrorMessage == nil {
			t.Fatalf("answer %d %s", w.Code, w.Body)
		}
	})
}

// blockingBody is a request body that never ends: a client sending one
// byte a second, as in the security test's finding.
type blockingBody struct{ stop chan struct{} }

func (b blockingBody) Read([]byte) (int, error) { <-b.stop; return 0, errors.New("stopped") }

// TestDeliveriesAdmittedPerTenant reproduces the security test's MEDIUM
// finding on the connector endpoints: slow deliveries with no credentials
// at all held every in-flight slot, so every tenant's deliveries were
// answered 429 (and not in Firehose's format). The access key is now
// checked before the body is read, a tenant holds at most its share of
// the slots, and the 429 is a Firehose answer.
func TestDeliveriesAdmittedPerTenant(t *testing.T) {
	stop := make(chan struct{})
	defer close(stop)
	entered := make(chan struct{}, 4)
	release := make(chan struct{})
	slots := admit.New(2, 1)
	h := connectors.NewHandler(newConnector(t), func(context.Context, string, string, []connectors.Result) error {
		entered <- struct{}{}
		<-release
		return nil
	}, connectors.HandlerConfig{MaxBodyBytes: 1 << 20, Now: func() time.Time { return testNow }, InFlight: slots})

	// No credentials, a body that never ends: refused before it is read.
	for range 4 {
		r := request(nil, "", requestID)
		r.Body = io.NopCloser(blockingBody{stop})
		w := httptest.NewRecorder()
		done := make(chan struct{})
		go func() { h.ServeHTTP(w, r); close(done) }()
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			t.Fatal("a delivery without credentials waited for its body")
		}
		if w.Code != http.StatusUnauthorized || slots.InUse() != 0 {
			t.Fatalf("no credentials: %d, slots in use %d; want 401 and none", w.Code, slots.InUse())
		}
	}

	body := envelope(t, requestID, casePayloads(t, "testdata/voice.json")...)
	first := make(chan int)
	go func() {
		w := httptest.NewRecorder()
		h.ServeHTTP(w, request(body, acmeKey, requestID))
		first <- w.Code
	}()
	<-entered
	w := httptest.NewRecorder()
	h.ServeHTTP(w, request(body, acmeKey, requestID))
	var a firehoseAnswer
	if err := json.Unmarshal(w.Body.Bytes(), &a); err != nil || w.Code != http.StatusTooManyRequests ||
		a.RequestID != requestID || a.ErrorMessage == nil || w.Header().Get("Retry-After") == "" {
		t.Fatalf("acme past its share: %d %s (Retry-After %q), want a Firehose 429", w.Code, w.Body, w.Header().Get("Retry-After"))
	}
	other := make(chan int)
	go func() {
		w := httptest.NewRecorder()
		h.ServeHTTP(w, request(body, globexKey, requestID))
		other <- w.Code
	}()
	select {
	case <-entered:
	case <-time.After(5 * time.Second):
		t.Fatal("another tenant's delivery was not admitted while acme held its share")
	}
	close(release)
	if c := <-first; c != http.StatusOK {
		t.Fatalf("first acme delivery: %d", c)
	}
	if c := <-other; c != http.StatusOK {
		t.Fatalf("initech delivery: %d", c)
	}
}
