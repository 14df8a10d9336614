package ingest

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/agentpulse/agentpulse/auth"
)

// waitFor polls cond until it holds, failing after a generous deadline
// (a bound on a hang, not a timing assertion).
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("gave up waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func check503(t *testing.T, rec *httptest.ResponseRecorder) {
	t.Helper()
	if rec.Code != http.StatusServiceUnavailable {
		t.Fatalf("status %d, want 503; body %s", rec.Code, rec.Body)
	}
	if rec.Header().Get("Retry-After") != "1" {
		t.Errorf("Retry-After %q, want 1", rec.Header().Get("Retry-After"))
	}
	if !strings.Contains(rec.Body.String(), "retry") {
		t.Errorf("body %s does not tell the client to retry", rec.Body)
	}
}

var faultCfg = HTTPConfig{ProduceTimeout: 300 * time.Millisecond, RetryAfter: time.Second}

func TestIngestBrokerDownIs503(t *testing.T) {
	b := startBroker(t)
	r := newRig(t, b, faultCfg)
	tok := token(t, "acme", auth.RoleIngest)
	if rec := r.post(t, ndjsonType, tok, ndjson(line("acme", 1))); rec.Code != 200 {
		t.Fatalf("before: %d %s", rec.Code, rec.Body)
	}
	b.Close()
	check503(t, r.post(t, ndjsonType, tok, ndjson(line("acme", 2))))
	// Only the broker is at fault: a client mistake is still a 4xx.
	if rec := r.post(t, "", tok, []byte("hello")); rec.Code != 400 {
		t.Fatalf("bad body with the broker down: %d", rec.Code)
	}
}

func TestIngestProduceErrorIs503ThenRetrySucceeds(t *testing.T) {
	b := startBroker(t)
	r := newRig(t, b, faultCfg)
	tok := token(t, "acme", auth.RoleIngest)
	body := ndjson(line("acme", 1), line("globex", 2), line("acme", 3))
	fault := b.Cluster().Fault(kfake.Fault{Keys: []kmsg.Key{kmsg.Produce}, Err: kerr.NotEnoughReplicas, Count: -1})
	check503(t, r.post(t, ndjsonType, tok, body))
	fault.Remove()
	// The client retries, as told (503 and 429 both say "later"), until
	// the producer's retries of the refused attempt went through.
	var rec *httptest.ResponseRecorder
	waitFor(t, "a retry to succeed", func() bool {
		rec = r.post(t, ndjsonType, tok, body)
		return rec.Code != http.StatusServiceUnavailable && rec.Code != http.StatusTooManyRequests
	})
	if rec.Code != 200 || !strings.Contains(rec.Body.String(), `"accepted":2`) {
		t.Fatalf("retry: %d %s", rec.Code, rec.Body)
	}
	// Nothing accepted is lost; the refused attempt may have left
	// duplicates, which the processor drops.
	ids := map[string]bool{}
	for _, k := range readTopic(t, r.addr, r.interactions) {
		ids[string(k.Value[:60])] = true
	}
	if len(ids) != 2 {
		t.Fatalf("interactions topic holds %d distinct records, want 2", len(ids))
	}
	if n := len(readTopic(t, r.addr, r.dlq)); n < 1 {
		t.Fatalf("dead-letter topic holds %d records, want the rejected one", n)
	}
}

// TestIngestHungBrokerFreesTheRequest holds produce requests inside the
// broker: the client gets 503 at ProduceTimeout, while the request's slot
// and memory stay taken until the broker answers.
func TestIngestHungBrokerFreesTheRequest(t *testing.T) {
	b := startBroker(t)
	cfg := faultCfg
	cfg.MaxInFlight = 1
	r := newRig(t, b, cfg)
	tok := token(t, "acme", auth.RoleIngest)
	release := make(chan struct{})
	c := b.Cluster()
	c.ControlKey(int16(kmsg.Produce), func(kmsg.Request) (kmsg.Response, error, bool) {
		c.KeepControl()
		c.SleepControl(func() { <-release })
		return nil, nil, false
	})
	check503(t, r.post(t, ndjsonType, tok, ndjson(line("acme", 1))))
	if rec := r.post(t, ndjsonType, tok, ndjson(line("acme", 2))); rec.Code != http.StatusTooManyRequests ||
		!strings.Contains(rec.Body.String(), "--max-inflight") {
		t.Fatalf("while the first request is still producing: %d %s, want 429 naming --max-inflight", rec.Code, rec.Body)
	}
	close(release)
	waitFor(t, "the abandoned request to free its slot", func() bool { return r.h.slots.InUse() == 0 })
	if rec := r.post(t, ndjsonType, tok, ndjson(line("acme", 3))); rec.Code != 200 {
		t.Fatalf("after the broker answered: %d %s", rec.Code, rec.Body)
	}
}

func TestIngestInFlightLimit(t *testing.T) {
	b := startBroker(t)
	reg := prometheus.NewRegistry()
	r := newRig(t, b, HTTPConfig{MaxInFlight: 1, RetryAfter: 3 * time.Second, Registerer: reg})
	tok := token(t, "acme", auth.RoleIngest)
	pr, pw := io.Pipe()
	first := make(chan *httptest.ResponseRecorder)
	go func() {
		req := httptest.NewRequest(http.MethodPost, InteractionsPath, pr)
		req.Header.Set("Content-Type", ndjsonType)
		req.Header.Set("Authorization", "Bearer "+tok)
		rec := httptest.NewRecorder()
		r.h.ServeHTTP(rec, req)
		first <- rec
	}()
	waitFor(t, "the first request to take the slot", func() bool { return r.h.slots.InUse() == 1 })
	// Another tenant: the global bound, not acme's share, refuses it.
	rec := r.post(t, ndjsonType, token(t, "initech", auth.RoleIngest), ndjson(line("initech", 2)))
	if rec.Code != http.StatusTooManyRequests || rec.Header().Get("Retry-After") != "3" {
		t.Fatalf("second request: %d Retry-After %q, want 429 and 3", rec.Code, rec.Header().Get("Retry-After"))
	}
	_, _ = pw.Write(ndjson(line("acme", 1)))
	_ = pw.Close()
	if rec := <-first; rec.Code != 200 {
		t.Fatalf("first request: %d %s", rec.Code, rec.Body)
	}
	if got := metricValue(t, reg, "agentpulse_ingest_limit_reached_total", "limit", "in_flight"); got != 1 {
		t.Errorf("limit_reached_total{in_flight} = %v, want 1", got)
	}
	if got := metricValue(t, reg, "agentpulse_ingest_inflight_capacity_requests", "", ""); got != 1 {
		t.Errorf("inflight capacity = %v, want 1", got)
	}
}

// TestIngestInFlightPerTenant reproduces the security test's MEDIUM
// finding: slow uploads with one tenant's token took every in-flight slot,
// so every other tenant was answered 429. A tenant now holds at most
// --max-inflight-per-tenant of them.
func TestIngestInFlightPerTenant(t *testing.T) {
	b := startBroker(t)
	reg := prometheus.NewRegistry()
	r := newRig(t, b, HTTPConfig{MaxInFlight: 4, MaxInFlightPerTenant: 2, Registerer: reg})
	tok := token(t, "acme", auth.RoleIngest)
	var pws []*io.PipeWriter
	var slow []chan *httptest.ResponseRecorder
	for range 2 {
		pr, pw := io.Pipe()
		done := make(chan *httptest.ResponseRecorder, 1)
		go func() {
			req := httptest.NewRequest(http.MethodPost, InteractionsPath, pr)
			req.Header.Set("Content-Type", ndjsonType)
			req.Header.Set("Authorization", "Bearer "+tok)
			rec := httptest.NewRecorder()
			r.h.ServeHTTP(rec, req)
			done <- rec
		}()
		pws, slow = append(pws, pw), append(slow, done)
	}
	waitFor(t, "two slow uploads of acme to take their slots", func() bool { return r.h.slots.InUse() == 2 })
	rec := r.post(t, ndjsonType, tok, ndjson(line("acme", 3)))
	if rec.Code != http.StatusTooManyRequests || !strings.Contains(rec.Body.String(), "--max-inflight-per-tenant") {
		t.Fatalf("a third acme request: %d %s, want 429 naming --max-inflight-per-tenant", rec.Code, rec.Body)
	}
	other := token(t, "initech", auth.RoleIngest)
	if rec := r.post(t, ndjsonType, other, ndjson(line("initech", 1))); rec.Code != http.StatusOK {
		t.Fatalf("another tenant while acme holds its share: %d %s, want 200", rec.Code, rec.Body)
	}
	for i, pw := range pws {
		_, _ = pw.Write(ndjson(line("acme", 10+i)))
		_ = pw.Close()
		if rec := <-slow[i]; rec.Code != http.StatusOK {
			t.Fatalf("slow upload %d: %d %s", i, rec.Code, rec.Body)
		}
	}
	if got := metricValue(t, reg, "agentpulse_ingest_limit_reached_total", "limit", "in_flight_tenant"); got != 1 {
		t.Errorf("limit_reached_total{in_flight_tenant} = %v, want 1", got)
	}
}

func TestIngestMetrics(t *testing.T) {
	b := startBroker(t)
	reg := prometheus.NewRegistry()
	r := newRig(t, b, HTTPConfig{Registerer: reg})
	tok := token(t, "acme", auth.RoleIngest)
	body := ndjson(line("acme", 1), line("acme", 2), line("globex", 3))
	for range 2 {
		if rec := r.post(t, ndjsonType, tok, body); rec.Code != 200 {
			t.Fatal(rec.Code)
		}
	}
	_ = r.post(t, "", tok, []byte("nope"))
	_ = r.post(t, "", "", body)
	for _, c := range []struct {
		name, label, value string
		want               float64
	}{
		{"agentpulse_ingest_records_total", "result", "accepted", 4},
		{"agentpulse_ingest_records_total", "result", "rejected", 2},
		{"agentpulse_ingest_requests_total", "code", "200", 2},
		{"agentpulse_ingest_requests_total", "code", "400", 1},
		{"agentpulse_ingest_requests_total", "code", "401", 1},
		{"agentpulse_ingest_request_duration_seconds", "", "", 4},
		{"agentpulse_ingest_body_bytes", "", "", 3},
		{"agentpulse_ingest_inflight_requests", "", "", 0},
		{"agentpulse_ingest_limit_reached_total", "limit", "body_bytes", 0},
	} {
		if got := metricValue(t, reg, c.name, c.label, c.value); got != c.want {
			t.Errorf("%s{%s=%q} = %v, want %v", c.name, c.label, c.value, got, c.want)
		}
	}
	// The same registry cannot take a second handler's metrics.
	if _, err := NewHTTPHandler(HTTPConfig{Registerer: reg}, r.p, testVerifier); err == nil {
		t.Error("registering the metrics twice: want an error")
	}
}

// metricValue returns a counter's or gauge's value, or a histogram's
// sample count, for the series with label=value (any series when label is
// empty).
func metricValue(t *testing.T, g prometheus.Gatherer, name, label, value string) float64 {
	t.Helper()
	mfs, err := g.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() != name {
			continue
		}
		for _, m := range mf.GetMetric() {
			if label != "" && !hasLabel(m, label, value) {
				continue
			}
			switch {
			case m.Counter != nil:
				return m.Counter.GetValue()
			case m.Gauge != nil:
				return m.Gauge.GetValue()
			case m.Histogram != nil:
				return float64(m.Histogram.GetSampleCount())
			}
		}
	}
	return -1
}

func hasLabel(m *dto.Metric, name, value string) bool {
	for _, l := range m.GetLabel() {
		if l.GetName() == name && l.GetValue() == value {
			return true
		}
	}
	return false
}
