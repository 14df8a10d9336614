package httpmw

import (
	"bufio"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/agentpulse/agentpulse/auth"
)

// newRouter mounts an echo route and a hijacking route behind l.
func newRouter(t *testing.T, cfg Config) (http.Handler, *prometheus.Registry) {
	t.Helper()
	reg := prometheus.NewRegistry()
	cfg.Registerer = reg
	l, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	r := chi.NewRouter()
	r.Group(func(r chi.Router) {
		r.Use(l.Handler)
		r.Post("/v1/echo/{id}", func(w http.ResponseWriter, r *http.Request) {
			b, err := io.ReadAll(r.Body)
			if err != nil {
				w.WriteHeader(http.StatusRequestEntityTooLarge)
				return
			}
			_, _ = w.Write(b)
		})
		r.Get("/v1/hijack", func(w http.ResponseWriter, r *http.Request) {
			c, _, err := http.NewResponseController(w).Hijack()
			if err != nil {
				http.Error(w, err.Error(), http.StatusInternalServerError)
				return
			}
			_, _ = c.Write([]byte("HTTP/1.1 101 Switching Protocols\r\n\r\n"))
			_ = c.Close()
		})
	})
	return r, reg
}

type errorBody struct {
	Error string `json:"error"`
	Field string `json:"field"`
}

func decodeError(t *testing.T, body io.Reader) errorBody {
	t.Helper()
	var e errorBody
	if err := json.NewDecoder(body).Decode(&e); err != nil {
		t.Fatalf("error body is not JSON: %v", err)
	}
	return e
}

func TestRateLimitPerToken(t *testing.T) {
	h, reg := newRouter(t, Config{RatePerSecond: 3})
	send := func(token string) *httptest.ResponseRecorder {
		req := httptest.NewRequest(http.MethodPost, "/v1/echo/1", strings.NewReader("x"))
		req.Header.Set("Authorization", "Bearer "+token)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		return rec
	}
	for i := range 3 {
		if rec := send("token-a"); rec.Code != http.StatusOK {
			t.Fatalf("request %d of token a: %d, want 200", i+1, rec.Code)
		}
	}
	rec := send("token-a")
	if rec.Code != http.StatusTooManyRequests {
		t.Fatalf("4th request within a second: %d, want 429", rec.Code)
	}
	if rec.Header().Get("Retry-After") == "" {
		t.Error("429 without Retry-After")
	}
	if e := decodeError(t, rec.Body); !strings.Contains(e.Error, "--api-rate") {
		t.Errorf("429 error %q does not name --api-rate", e.Error)
	}
	// Another caller has its own budget.
	if rec := send("token-b"); rec.Code != http.StatusOK {
		t.Fatalf("token b after token a was limited: %d, want 200", rec.Code)
	}
	if got := testutil.ToFloat64(mustCounter(t, reg, "agentpulse_api_limit_reached_total", "rate")); got != 1 {
		t.Errorf("limit_reached_total{limit=rate} = %v, want 1", got)
	}
}

func TestRateLimitOff(t *testing.T) {
	h, _ := newRouter(t, Config{RatePerSecond: -1})
	for i := range 200 {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/v1/echo/1", strings.NewReader("x")))
		if rec.Code != http.StatusOK {
			t.Fatalf("request %d with the limit off: %d", i, rec.Code)
		}
	}
}

func TestBodyLimit(t *testing.T) {
	h, reg := newRouter(t, Config{MaxBodyBytes: 10})
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/v1/echo/1", strings.NewReader(strings.Repeat("x", 11))))
	if rec.Code != http.StatusRequestEntityTooLarge {
		t.Fatalf("11-byte body with a 10-byte limit: %d, want 413", rec.Code)
	}
	if e := decodeError(t, rec.Body); e.Field != "body" || !strings.Contains(e.Error, "--api-max-body-bytes") {
		t.Errorf("413 error = %+v, want field body naming --api-max-body-bytes", e)
	}
	// A body without Content-Length (chunked) that grows past the limit
	// fails the handler's read.
	req := httptest.NewRequest(http.MethodPost, "/v1/echo/1", io.MultiReader(strings.NewReader(strings.Repeat("y", 20))))
	req.ContentLength = -1
	rec = httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Code != http.StatusRequestEntityTooLarge {
		t.Fatalf("chunked 20-byte body: %d, want the handler's 413", rec.Code)
	}
	rec = httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/v1/echo/1", strings.NewReader("0123456789")))
	if rec.Code != http.StatusOK || rec.Body.String() != "0123456789" {
		t.Fatalf("10-byte body: %d %q", rec.Code, rec.Body.String())
	}
	if got := testutil.ToFloat64(mustCounter(t, reg, "agentpulse_api_limit_reached_total", "body_bytes")); got != 1 {
		t.Errorf("limit_reached_total{limit=body_bytes} = %v, want 1", got)
	}
}

func TestMetricsByRoutePattern(t *testing.T) {
	h, reg := newRouter(t, Config{})
	for _, id := range []string{"a", "b", "c"} {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/v1/echo/"+id, strings.NewReader("x")))
	}
	got := testutil.ToFloat64(mustCounter(t, reg, "agentpulse_api_requests_total", "200", "/v1/echo/{id}"))
	if got != 3 {
		t.Errorf("requests_total{route=/v1/echo/{id},code=200} = %v, want 3 (ids never become labels)", got)
	}
}

// TestHijackThroughMiddleware checks that a websocket-style upgrade works
// behind the middleware and is counted as 101.
func TestHijackThroughMiddleware(t *testing.T) {
	h, reg := newRouter(t, Config{})
	srv := httptest.NewServer(h)
	defer srv.Close()
	c, err := net.Dial("tcp", strings.TrimPrefix(srv.URL, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	_, _ = c.Write([]byte("GET /v1/hijack HTTP/1.1\r\nHost: x\r\n\r\n"))
	line, err := bufio.NewReader(c).ReadString('\n')
	if err != nil || !strings.Contains(line, "101") {
		t.Fatalf("status line %q, %v; want 101", line, err)
	}
	// The handler returns (and is counted) after the client has read the
	// status line: wait for it.
	deadline := time.Now().Add(5 * time.Second)
	for !counted(reg, "agentpulse_api_requests_total", "101", "/v1/hijack") {
		if time.Now().After(deadline) {
			t.Fatal("requests_total{route=/v1/hijack,code=101} never counted")
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// counted reports whether the counter name with labels (label-name order)
// exists and is positive.
func counted(reg *prometheus.Registry, name string, labels ...string) bool {
	mfs, _ := reg.Gather()
	for _, mf := range mfs {
		if mf.GetName() != name {
			continue
		}
		for _, m := range mf.GetMetric() {
			match := len(m.GetLabel()) == len(labels)
			for i, lp := range m.GetLabel() {
				match = match && lp.GetValue() == labels[i]
			}
			if match && m.GetCounter().GetValue() > 0 {
				return true
			}
		}
	}
	return false
}

// mustCounter finds the counter name whose label values, in label-name
// order (Prometheus sorts them: code before route), are labels.
func mustCounter(t *testing.T, reg *prometheus.Registry, name string, labels ...string) prometheus.Collector {
	t.Helper()
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() != name {
			continue
		}
		for _, m := range mf.GetMetric() {
			if len(m.GetLabel()) != len(labels) {
				continue
			}
			match := true
			for i, lp := range m.GetLabel() {
				match = match && lp.GetValue() == labels[i]
			}
			if match {
				c := prometheus.NewCounter(prometheus.CounterOpts{Name: "x"})
				c.Add(m.GetCounter().GetValue())
				return c
			}
		}
	}
	t.Fatalf("no %s%v", name, labels)
	return nil
}

// TestCallerKey: a token is keyed by its hash, a websocket's access_token
// too; a token longer than auth.MaxTokenBytes is not hashed but keyed by
// the caller's address.
func TestCallerKey(t *testing.T) {
	key := func(target, header string) string {
		req := httptest.NewRequest(http.MethodGet, target, nil)
		req.RemoteAddr = "192.0.2.7:5000"
		if header != "" {
			req.Header.Set("Authorization", header)
		}
		k, err := callerKey(req, nil)
		if err != nil {
			t.Fatal(err)
		}
		return k
	}
	if a, b := key("/v1/models", "Bearer tok"), key("/v1/ws?access_token=tok", ""); a != b || !strings.HasPrefix(a, "t:") {
		t.Fatalf("header %q and query %q keys differ", a, b)
	}
	if k := key("/v1/models", "Bearer "+strings.Repeat("x", auth.MaxTokenBytes+1)); k != "ip:192.0.2.7" {
		t.Fatalf("long token key %q, want the address", k)
	}
	if k := key("/v1/models", ""); k != "ip:192.0.2.7" {
		t.Fatalf("no token key %q", k)
	}
}

// TestClientIPBehindTrustedProxies: without a token, a request is keyed
// by the client's address: X-Forwarded-For is believed only from trusted
// proxies, read from the right past every trusted hop, so a client cannot
// choose its bucket by sending the header itself.
func TestClientIPBehindTrustedProxies(t *testing.T) {
	trusted, err := ParseProxies("10.0.0.0/8, 192.0.2.7")
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name, remote string
		xff          []string
		want         string
	}{
		{"direct client, spoofed header ignored", "198.51.100.9:4000", []string{"203.0.113.1"}, "198.51.100.9"},
		{"through the load balancer", "10.1.2.3:4000", []string{"203.0.113.5"}, "203.0.113.5"},
		{"client-supplied hops left of the real one", "10.1.2.3:4000", []string{"1.1.1.1, 203.0.113.5"}, "203.0.113.5"},
		{"two trusted hops", "10.1.2.3:4000", []string{"203.0.113.5, 192.0.2.7"}, "203.0.113.5"},
		{"split headers", "10.1.2.3:4000", []string{"203.0.113.5", "10.9.9.9"}, "203.0.113.5"},
		{"garbage hop", "10.1.2.3:4000", []string{"nonsense"}, "10.1.2.3"},
		{"trusted peer without header", "192.0.2.7:1", nil, "192.0.2.7"},
	}
	for _, tc := range cases {
		req := httptest.NewRequest(http.MethodGet, "/v1/models", nil)
		req.RemoteAddr = tc.remote
		for _, v := range tc.xff {
			req.Header.Add("X-Forwarded-For", v)
		}
		if got := clientIP(req, trusted); got != tc.want {
			t.Errorf("%s: %s, want %s", tc.name, got, tc.want)
		}
	}
	if _, err := ParseProxies("10.0.0.0/8, nope"); err == nil || !strings.Contains(err.Error(), "nope") {
		t.Fatalf("a bad entry: %v", err)
	}
}
