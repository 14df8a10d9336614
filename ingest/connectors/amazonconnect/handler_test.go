package amazonconnect_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

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
