package ingest

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/agentpulse/agentpulse/auth"
)

func TestServerEndpointsAndGracefulShutdown(t *testing.T) {
	b := startBroker(t)
	in, dlq := testTopics(t, b.Addr())
	p, err := NewProducer(ProducerConfig{Brokers: []string{b.Addr()}, Topic: in, DeadLetterTopic: dlq})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	reg := prometheus.NewRegistry()
	var ready atomic.Bool
	srv, err := NewServer(ServerConfig{HTTP: HTTPConfig{Registerer: reg}, Gatherer: reg}, p, testVerifier,
		func(context.Context) error {
			if !ready.Load() {
				return errors.New("broker not reachable yet")
			}
			return nil
		})
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	base := "http://" + ln.Addr().String()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ctx, ln) }()

	get := func(path string) (int, string) {
		resp, err := http.Get(base + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(body)
	}
	if code, _ := get("/healthz"); code != 200 {
		t.Fatalf("/healthz: %d", code)
	}
	if code, body := get("/readyz"); code != 503 || !strings.Contains(body, "not reachable") {
		t.Fatalf("/readyz before ready: %d %s", code, body)
	}
	ready.Store(true)
	if code, _ := get("/readyz"); code != 200 {
		t.Fatalf("/readyz when ready: %d", code)
	}

	// A request in flight when the server is told to stop: its body is
	// still arriving. It must complete with 200.
	pr, pw := io.Pipe()
	req, _ := http.NewRequest(http.MethodPost, base+InteractionsPath, pr)
	req.Header.Set("Content-Type", ndjsonType)
	req.Header.Set("Authorization", "Bearer "+token(t, "acme", auth.RoleIngest))
	answered := make(chan *http.Response, 1)
	go func() {
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Error(err)
			answered <- nil
			return
		}
		answered <- resp
	}()
	_, _ = pw.Write([]byte(line("acme", 1) + "\n"))
	waitFor(t, "the request to be in flight", func() bool { return srv.handler.slots.InUse() == 1 })
	cancel()
	_, _ = pw.Write([]byte(line("acme", 2) + "\n"))
	_ = pw.Close()
	resp := <-answered
	if resp == nil {
		t.FailNow()
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !bytes.Contains(body, []byte(`"accepted":2`)) {
		t.Fatalf("in-flight request during shutdown: %d %s", resp.StatusCode, body)
	}
	if err := <-served; err != nil {
		t.Fatalf("Serve: %v", err)
	}
	if _, err := http.Get(base + "/healthz"); err == nil {
		t.Fatal("the server still accepts connections after shutdown")
	}
	if got := metricValue(t, reg, "agentpulse_ingest_records_total", "result", "accepted"); got != 2 {
		t.Fatalf("accepted records %v, want 2", got)
	}
}

func TestServerMetricsEndpoint(t *testing.T) {
	b := startBroker(t)
	p, err := NewProducer(ProducerConfig{Brokers: []string{b.Addr()}})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	reg := prometheus.NewRegistry()
	srv, err := NewServer(ServerConfig{HTTP: HTTPConfig{Registerer: reg}, Gatherer: reg}, p, testVerifier, nil)
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ctx, ln) }()
	resp, err := http.Post("http://"+ln.Addr().String()+InteractionsPath, "application/json", strings.NewReader("[]"))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 401 || !strings.HasPrefix(resp.Header.Get("WWW-Authenticate"), "Bearer") {
		t.Fatalf("no token: %d %v", resp.StatusCode, resp.Header)
	}
	resp, err = http.Get("http://" + ln.Addr().String() + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	text, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	for _, want := range []string{`agentpulse_ingest_requests_total{code="401"} 1`, "agentpulse_ingest_request_duration_seconds_bucket",
		"agentpulse_ingest_body_bytes_bucket", `agentpulse_ingest_records_total{result="accepted"} 0`} {
		if !strings.Contains(string(text), want) {
			t.Errorf("/metrics lacks %q", want)
		}
	}
	cancel()
	if err := <-served; err != nil {
		t.Fatal(err)
	}
}
