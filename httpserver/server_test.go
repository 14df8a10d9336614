package httpserver

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/prometheus/client_golang/prometheus"
)

func TestHealthReadyMetricsAndMounts(t *testing.T) {
	reg := prometheus.NewRegistry()
	reg.MustRegister(prometheus.NewCounter(prometheus.CounterOpts{Name: "agentpulse_test_total", Help: "x"}))
	ready := errors.New("store: connection refused")
	srv := New(Config{
		Mount: []func(chi.Router){func(r chi.Router) {
			r.Get("/v1/x", func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write([]byte("x")) })
		}},
		Ready:    func(context.Context) error { return ready },
		Gatherer: reg,
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ctx, ln) }()
	base := "http://" + ln.Addr().String()
	get := func(path string) (int, string) {
		resp, err := http.Get(base + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	if code, body := get("/healthz"); code != 200 || body != "{\"status\":\"ok\"}\n" {
		t.Errorf("/healthz = %d %q", code, body)
	}
	code, body := get("/readyz")
	var e struct{ Error string }
	_ = json.Unmarshal([]byte(body), &e)
	if code != 503 || e.Error != "not ready: store: connection refused" {
		t.Errorf("/readyz while the store is down = %d %q", code, body)
	}
	ready = nil
	if code, _ := get("/readyz"); code != 200 {
		t.Errorf("/readyz once ready = %d", code)
	}
	if code, body := get("/metrics"); code != 200 || !contains(body, "agentpulse_test_total") {
		t.Errorf("/metrics = %d without the registered metric", code)
	}
	if code, body := get("/v1/x"); code != 200 || body != "x" {
		t.Errorf("mounted route = %d %q", code, body)
	}
	cancel()
	select {
	case err := <-served:
		if err != nil {
			t.Fatalf("Serve after cancel: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Serve did not return after its context ended")
	}
}

func TestRunNamesTheFlagWhenTheAddressIsTaken(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	err = New(Config{Addr: ln.Addr().String()}).Run(context.Background())
	if err == nil || !contains(err.Error(), "--http-addr") {
		t.Fatalf("Run on a taken address: %v, want an error naming --http-addr", err)
	}
}

func contains(s, sub string) bool { return strings.Contains(s, sub) }

// TestOpsAddr: with OpsAddr, /readyz (with its dependency errors) and
// /metrics are served only on the operations listener; the public one
// keeps /healthz and the mounted routes (issue 15, item 5).
func TestOpsAddr(t *testing.T) {
	reg := prometheus.NewRegistry()
	pub, ops := freeAddr(t), freeAddr(t)
	s := New(Config{Addr: pub, OpsAddr: ops, Gatherer: reg, Ready: func(context.Context) error { return errors.New("store: connection refused") },
		Mount: []func(chi.Router){func(r chi.Router) {
			r.Get("/v1/x", func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write([]byte("x")) })
		}}})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.Run(ctx) }()
	get := func(addr, path string) int {
		for i := 0; ; i++ {
			resp, err := http.Get("http://" + addr + path)
			if err == nil {
				resp.Body.Close()
				return resp.StatusCode
			}
			if i > 100 {
				t.Fatal(err)
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	for _, c := range []struct {
		addr, path string
		want       int
	}{
		{pub, "/healthz", 200}, {pub, "/v1/x", 200}, {pub, "/readyz", 404}, {pub, "/metrics", 404},
		{ops, "/healthz", 200}, {ops, "/readyz", 503}, {ops, "/metrics", 200}, {ops, "/v1/x", 404},
	} {
		if got := get(c.addr, c.path); got != c.want {
			t.Errorf("GET %s on the %s listener = %d, want %d", c.path, map[bool]string{true: "public", false: "ops"}[c.addr == pub], got, c.want)
		}
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}

func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}
